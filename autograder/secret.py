"""The secret that the hidden cases' inputs are made from.

Every hidden case builds its inputs from ``numpy.random.default_rng(seed)`` with a seed derived
from one secret string (``private_seed(notebook key)``), so that the inputs, and with them any table
of hidden inputs and answers leaked once, change whenever the secret does. The public cases do not
depend on it: their inputs are frozen literals of ``PUBLIC_SEED`` in the students' test files.

Where the secret comes from, first match wins:

1. the environment variable ``AUTOGRADER_SECRET`` (a TA regrading with the hidden inputs of a given
   build sets it to that build's secret);
2. the file ``.autograder_secret`` beside the ``autograder`` package: in the Gradescope zip
   (``/autograder/source/.autograder_secret``) ``python -m autograder build`` writes it, a fresh
   random secret per build unless ``build --secret`` (or ``AUTOGRADER_SECRET``) names one; in a git
   checkout it is ignored by git;
3. in a checkout without that file, a new random secret is written there (with a warning), so that
   local ``grade`` works and keeps the same hidden inputs from one run to the next. When the file
   cannot be written, the secret lives in memory for this process only (warned too).

The secret never reaches the student's process: the sandbox hides the grader's source folder, and
the file is written readable by its owner only.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("autograder.secret")

SECRET_ENV = "AUTOGRADER_SECRET"
SECRET_FILE_NAME = ".autograder_secret"
SECRET_PATH = Path(__file__).resolve().parent.parent / SECRET_FILE_NAME
MAX_SECRET_LENGTH = 200
_DOMAIN = b"rnn-dinosaurs hidden inputs v1"


class SecretError(ValueError):
    """A secret that cannot be used (empty, too long, not printable), for the TA."""


def new_secret() -> str:
    """A fresh random secret: 32 hex digits (128 bits)."""
    return secrets.token_hex(16)


def check_secret(secret) -> str:
    """``secret`` stripped of surrounding white space, or SecretError saying what is wrong."""
    if not isinstance(secret, str):
        raise SecretError(f"the secret must be a string, not {type(secret).__name__}")
    secret = secret.strip()
    if not secret:
        raise SecretError("the secret is empty")
    if len(secret) > MAX_SECRET_LENGTH:
        raise SecretError(f"the secret is longer than {MAX_SECRET_LENGTH} characters")
    if not secret.isprintable():
        raise SecretError("the secret holds characters that are not printable")
    return secret


def write_secret(path, secret) -> None:
    """Write ``secret`` to ``path``, readable and writable by its owner only."""
    secret = check_secret(secret)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
    os.chmod(path, 0o600)


def _owner_only(path):
    """Make ``path`` readable by its owner only, where an unzip left it open to others."""
    try:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)
    except OSError:  # not ours to change: the sandbox's hidden paths still cover it
        pass


def _create(path):
    """A new secret in ``path`` (made exclusively: concurrent first runs agree on one)."""
    secret = new_secret()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return check_secret(Path(path).read_text(encoding="utf-8")), f"file {path}"
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(secret + "\n")
    log.warning("no hidden-input secret was set: made a new one in %s (keep it, or set %s, to "
                "regrade with the same hidden inputs)", path, SECRET_ENV)
    return secret, f"file {path} (new)"


def load_secret(env=None, path=None, create=True) -> tuple[str, str]:
    """``(secret, where it came from)``, by the rules of the module docstring.

    Raises SecretError when the environment variable or the file holds an unusable secret (a TA's
    mistake is reported, never replaced by another secret silently).
    """
    env = os.environ if env is None else env
    path = SECRET_PATH if path is None else Path(path)
    if env.get(SECRET_ENV):
        return check_secret(env[SECRET_ENV]), f"environment variable {SECRET_ENV}"
    if path.is_file():
        _owner_only(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:  # another user's file (root's checkout graded by a TA's user)
            raise SecretError(f"{path} cannot be read ({exc.strerror}): grade as its owner, or "
                              f"set {SECRET_ENV} to its secret") from exc
        return check_secret(text), f"file {path}"
    if not create:
        raise SecretError(f"no secret: set {SECRET_ENV} or write {path}")
    try:
        return _create(path)
    except OSError as exc:
        log.warning("no hidden-input secret was set and %s cannot be written (%s): using a random "
                    "secret for this run only; hidden inputs will differ from run to run",
                    path, exc)
        return new_secret(), "random, this run only"


def derive_seed(secret, key) -> int:
    """The hidden-input seed (a non-negative 63-bit int) of notebook ``key`` under ``secret``."""
    digest = hashlib.sha256(_DOMAIN + b"\0" + key.encode() + b"\0"
                            + check_secret(secret).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@functools.cache
def private_seed(key) -> int:
    """The hidden-input seed of notebook ``key`` for this process (the secret is read once)."""
    secret, _ = load_secret()
    return derive_seed(secret, key)
