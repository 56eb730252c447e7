"""A TA's own machine, for the non-root modes' tests: ``python -m autograder grade`` run by a
non-root user (``TA_USER``) from this checkout and its .venv, in a Gradescope-like box
(``gradescope_box``) without the seccomp filter, so that bubblewrap can make its namespaces.

The checkout and the Python installation are bound read-only at their own paths (the box's /root
is 0711, so an interpreter under /root is reached as on the host); ``work`` (the TA's folder) is
bound read-write at ``/opt/ta``. The hidden-input secret is passed as AUTOGRADER_SECRET (the
checkout's ``.autograder_secret`` is root's, mode 0600: the TA's grader cannot read it and
stops). Used by tests/test_hostile.py's "ta-box" recipe and by tests/test_sandbox.py's grading
of the solved notebook as a TA.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import gradescope_box as box

ROOT = Path(__file__).resolve().parents[2]
TA_USER = "rnn-ta-test"  # the TA's own account
TA_CPUS = 1.0  # its box's CPU quota
TA_HOME = "/opt/ta"  # where ``work`` is in the box


def ta_user() -> tuple[int, int]:
    """(uid, gid) of ``TA_USER``, created (no home, no login) if missing."""
    try:
        entry = pwd.getpwnam(TA_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        TA_USER], check=True, capture_output=True)
        entry = pwd.getpwnam(TA_USER)
    return entry.pw_uid, entry.pw_gid


def give_to_ta(work: Path) -> tuple[int, int]:
    """Make ``work`` (and what it holds) the TA's; its parent must let the TA through."""
    uid, gid = ta_user()
    for dirpath, _, filenames in os.walk(work):
        for name in [dirpath, *(os.path.join(dirpath, f) for f in filenames)]:
            os.chown(name, uid, gid)
    return uid, gid


def bound_paths() -> list[str]:
    """This machine's folders that the TA box binds at their own paths, read-only: the checkout
    and the Python installation with its venv."""
    installs = {str(ROOT), os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    return [path for path in sorted(installs) if path != "/"]


def run_as_ta(argv: list[str], work: Path, mode: str, *, timeout: float = 900) -> box.BoxResult:
    """``argv`` (paths as the box sees them: ``TA_HOME`` for ``work``) as the TA in a box, with
    RNN_SANDBOX_MODE=``mode``; 1 CPU, 3 GiB, at most 512 processes whatever escapes."""
    from autograder import secret

    uid, gid = ta_user()
    python = Path(sys.executable)
    binds = [(path, path, True) for path in bound_paths()]
    binds.append((str(work), TA_HOME, False))
    config = box.BoxConfig(memory=3072 * box.MiB, cpus=TA_CPUS, pids=512, seccomp=False,
                           user=(uid, gid), cwd=TA_HOME, binds=binds, root_mode="0711",
                           tmpfs=["/opt"],
                           env={"PATH": f"{python.parent}:{box.SYSTEM_PATH}",
                                "RNN_SANDBOX_MODE": mode, "HOME": TA_HOME,
                                # the checkout's .autograder_secret is root's (0600): the TA
                                # gets it as the README says a TA regrading a build does
                                secret.SECRET_ENV: secret.load_secret()[0]})
    return box.run(argv, config, timeout=timeout)
