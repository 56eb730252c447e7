"""Start the grader's child process (student code) as isolated as this machine allows.

Interface (used by ``autograder.isolation.runner``)::

    spawn(argv, *, pass_fds=(), cwd, env=None, limits=Limits(), readable_paths=(),
          hidden_paths=(), stdin=None, stdout=None, stderr=None, mode=None) -> Sandboxed
    Sandboxed.popen        the subprocess.Popen of the outermost launcher process
    Sandboxed.pid          its pid
    Sandboxed.wait(timeout=None) -> returncode (negative = killed by that signal, as Popen)
    Sandboxed.kill_all()   kill the child's whole tree (and, as root, every process of the
                           sandbox user), wait until none is alive (zombies, which are
                           dead, are left to init); idempotent, fine after exit
    Limits(memory_bytes=2 GiB, cpu_seconds=600, nproc=64, file_size_bytes=64 MB, open_files=256)
    container_limits(jobs=None) -> Limits   the default: sized to the cgroup's memory limit
    mode() -> "root-sandbox" | "root-confined" | "root-user-only" | "bubblewrap" |
              "unprivileged" | "none"
    describe_mode(mode=None) -> one sentence for logs and the README
    ensure_sandbox_user(name="rnn-sandbox") -> (uid, gid)   (the Gradescope setup.sh calls it)

What the child may see. The child can NOT import ``autograder`` or ``solutions``: put the child
script (and ``protocol.py``) into ``cwd`` and run it by path. ``cwd`` is a fresh directory made by
the caller; as root it is chowned to the sandbox user (in root-sandbox mode the child works in a
copy of it on a tmpfs of 2 x the file size limit: what it writes never reaches the grader's disk,
however many files). Beside ``cwd`` the child reads the system
(/usr, /etc, ...), the Python installation and site-packages (numpy), and ``readable_paths``.

Modes, picked by ``mode()`` (force one with ``spawn(mode=...)`` or RNN_SANDBOX_MODE=...):

* ``root-sandbox`` (euid 0, namespaces permitted): util-linux ``unshare`` makes new mount, PID,
  network, IPC and UTS namespaces. A shell script in there builds a new root on a tmpfs from
  read-only binds of the whitelisted directories only (so the project tree, ``solutions/``, the
  checks, the results dir, /root and every other directory of the machine are simply absent;
  ``hidden_paths`` get a tmpfs where a whitelisted directory would expose them), a fresh /proc,
  /tmp and /dev, then ``pivot_root`` and ``setsid setpriv`` to a dedicated unprivileged user with
  no capabilities and no-new-privs, then ``prlimit``. The student's Python is the only child of
  namespace's init (a root shell that only waits for it): when it ends, the shell exits and
  the kernel kills everything the child started.
* ``root-confined`` (euid 0, namespaces forbidden, e.g. Docker's seccomp, and libseccomp loads):
  ``setpriv`` to the sandbox user, rlimits, then ``confine.py`` (a launcher run by path from the
  child's folder): oom_score_adj 1000, Landlock where the kernel offers it (reads beneath the
  policy's read-only paths only, writes only in cwd), a seccomp filter (no sockets but AF_UNIX,
  no ptrace, namespaces, mounts or keyring), then exec. The hidden paths (folders and files)
  are closed (chmod) while a child runs, and what the sandbox user leaves in /tmp, /var/tmp and
  /dev/shm is removed after it.
* ``root-user-only`` (the same without libseccomp): ``setpriv`` to the sandbox user plus rlimits,
  chmods and /tmp clean-up as above. Network and world-readable files elsewhere are NOT
  protected.
* ``bubblewrap`` (not root, ``bwrap`` on PATH): the same whitelist policy through bwrap, plus
  confine.py's seccomp filter where pyseccomp loads (bwrap's network namespace has a loopback of
  its own: only the filter closes it).
* ``unprivileged`` (not root, no bwrap): the TA's own user, rlimits, and a small supervisor
  (``supervisor.py``, a child subreaper run by path, outside the child's confinement) that
  starts the child in a process group of its own and kills that group and every descendant when
  the child ends; the child goes through confine.py with what an unprivileged process may do to
  itself (``unprivileged_spec``): RLIMIT_NPROC above the user's current task count, OOM score
  1000, Landlock (reads beneath the policy's read-only paths, writes in cwd; from ABI 6 it
  cannot signal the grader or the supervisor) and seccomp (the root-confined filter, plus
  setsid/setpgid made no-ops, so the group kill reaches everything, and socket() refused for
  AF_UNIX too: Landlock does not guard connect() to the TA's named sockets). Each is used where
  the kernel and pyseccomp offer it, and ``describe_mode`` says which. NOT protected even then:
  /etc and the Python folders (readable, as in every mode), files inside a readable folder that
  the policy hides (Landlock cannot carve them out: an install of the grader into
  site-packages), and whatever a missing Landlock or seccomp leaves open.
* ``none`` (forced only: tests, debugging): a plain subprocess in its own session; its process
  group is killed at the end. No isolation at all.

Each mode is a ``Mode`` subclass (``MODE_CLASSES``) with one interface: ``prepare`` (take a
sandbox user, close the hidden paths), ``command`` (the launcher chain), ``confine_spec``,
``kill_tree`` and ``release``; ``Sandboxed.kill_all`` runs them in order, so the runner has one
code path whatever the mode.

Each concurrent sandbox (as root) runs under its own user (``rnn-sandbox``, ``rnn-sandbox-1``,
...), held by an flock, so ``kill_all`` may kill every process of that user without touching a
sibling job's child.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from autograder.isolation import policy
from autograder.isolation.policy import (
    DEV_NODES,
    default_hidden_paths,
    default_readable_paths,
)
from autograder.isolation.policy import minimal as _minimal
from autograder.isolation.policy import under as _under

PROJECT_ROOT = policy.PROJECT_ROOT
SYSTEM_DIRS = policy.SYSTEM_DIRS
SANDBOX_USER = "rnn-sandbox"
MAX_SLOTS = 32
MODES = ("root-sandbox", "root-confined", "root-user-only", "bubblewrap", "unprivileged", "none")
CONFINE_PATH = Path(__file__).with_name("confine.py")
# World-writable places a sandbox user could leave files in without namespaces (removed after).
SHARED_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STATE_DIR = "/run/rnn-sandbox" if os.path.isdir("/run") else "/tmp/rnn-sandbox"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of the child (each applies per process, nproc per sandbox user)."""

    memory_bytes: int = 2 * 1024**3  # RLIMIT_AS: address space
    cpu_seconds: int = 600  # RLIMIT_CPU
    nproc: int = 64  # RLIMIT_NPROC: processes and threads of the (sandbox) user
    file_size_bytes: int = 64 * 1000**2  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE

    def prlimit_args(self, nproc: bool = True) -> list[str]:
        """``prlimit`` options setting soft = hard = each limit (never above the current hard);
        ``nproc=False`` leaves RLIMIT_NPROC to confine.py (unprivileged: relative to the user's
        current tasks)."""
        import resource

        # CPU: the soft limit sends SIGXCPU (the child dies with -SIGXCPU, telling the grader
        # why); the hard one, a second later, SIGKILL for a child that catches SIGXCPU.
        pairs = [("--as", resource.RLIMIT_AS, self.memory_bytes),
                 ("--cpu", resource.RLIMIT_CPU, self.cpu_seconds),
                 ("--nproc", resource.RLIMIT_NPROC, self.nproc),
                 ("--fsize", resource.RLIMIT_FSIZE, self.file_size_bytes),
                 ("--nofile", resource.RLIMIT_NOFILE, self.open_files),
                 ("--core", resource.RLIMIT_CORE, 0)]
        args = []
        for opt, res, value in pairs:
            if opt == "--nproc" and not nproc:
                continue
            hard = resource.getrlimit(res)[1]
            # An unprivileged prlimit may not raise a hard limit: clamp instead of failing.
            if hard != resource.RLIM_INFINITY and os.geteuid() != 0:
                value = min(value, hard)
            soft = value
            if opt == "--cpu" and (hard == resource.RLIM_INFINITY or value < hard):
                value += 1
            args.append(f"{opt}={soft}:{value}")
        return args


# ----------------------------------------------------------------------------------------------
# Limits sized to the container

CGROUP_ROOT = "/sys/fs/cgroup"
GRADER_RESERVE_BYTES = 320 * 2**20  # the grader's own process(es), numpy and the checks
MIN_CHILD_MEMORY = 384 * 2**20  # a child importing numpy needs about 130 MB of address space
UNLIMITED = 2**62


def _cgroup_dirs(controller: str) -> list[tuple[Path, int]]:
    """(folder, cgroup version) along this process's cgroup path for ``controller``, up to the
    hierarchy's root (a container sees its own group as the mount's root)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            base, version = Path(CGROUP_ROOT), 2
        elif controller in controllers.split(","):
            base, version = Path(CGROUP_ROOT, controller), 1
        else:
            continue
        rel = Path(path.lstrip("/"))
        found += [(base / folder, version) for folder in (rel, *rel.parents)
                  if (base / folder).is_dir()]
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def container_memory_bytes() -> int | None:
    """The cgroup (v1 or v2) memory limit of this container or group, None if unlimited."""
    limits = []
    for folder, version in _cgroup_dirs("memory"):
        text = _read(folder / ("memory.max" if version == 2 else "memory.limit_in_bytes"))
        if text.isdigit() and int(text) < UNLIMITED:
            limits.append(int(text))
    return min(limits) if limits else None


def container_cpus() -> float | None:
    """The cgroup CPU quota in cores (0.5 on Gradescope), None if there is none."""
    quotas = []
    for folder, version in _cgroup_dirs("cpu"):
        if version == 2:
            quota, _, period = _read(folder / "cpu.max").partition(" ")
        else:
            quota, period = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
        if quota.isdigit() and period.isdigit() and int(quota) > 0 and int(period) > 0:
            quotas.append(int(quota) / int(period))
    return min(quotas) if quotas else None


def container_limits(jobs: int | None = None) -> Limits:
    """Limits that keep the grader alive in this container: each child's memory is a share of
    the cgroup limit left after the grader's own reserve (never above the default 2 GiB, never
    below what numpy needs), and fewer processes where memory is small. ``jobs``: children at
    a time (default RNN_GRADER_JOBS, else 1)."""
    jobs = jobs or int(os.environ.get("RNN_GRADER_JOBS", "1") or 1)
    memory = container_memory_bytes()
    default = Limits()
    if memory is None:
        return default
    share = (memory - GRADER_RESERVE_BYTES) // max(jobs, 1)
    return dataclasses.replace(
        default, memory_bytes=int(max(MIN_CHILD_MEMORY, min(default.memory_bytes, share))),
        nproc=default.nproc if memory >= 4 * 2**30 else 32)


# ----------------------------------------------------------------------------------------------
# Which mode


_probe_cache: dict[str, bool] = {}


def _tool(name: str) -> str | None:
    return shutil.which(name, path=SYSTEM_PATH)


def namespaces_permitted() -> bool:
    """True if, as root, unshare + mount + pivot-free setup + setpriv all work here (probed once).

    Docker's default seccomp/AppArmor profile forbids unshare(2) or mount(2): then False.
    """
    if "ns" not in _probe_cache:
        ok = False
        if os.geteuid() == 0 and all(_tool(t) for t in ("unshare", "setpriv", "mount", "prlimit",
                                                          "setsid", "pivot_root")):
            with tempfile.TemporaryDirectory() as d:
                script = (f"set -e; mount -t tmpfs -o size=64k tmpfs {d}; mkdir {d}/proc; "
                          f"mount -t proc proc {d}/proc; touch {d}/null; "
                          f"mount --bind -o ro /dev/null {d}/null")
                argv = [_tool("unshare"), *_UNSHARE_FLAGS, "--", "/bin/sh", "-c", script]
                try:
                    r = subprocess.run(argv, capture_output=True, timeout=20)
                    r2 = subprocess.run([_tool("setpriv"), "--reuid=65534", "--regid=65534",
                                         "--clear-groups", "--no-new-privs", "--inh-caps=-all",
                                         "--bounding-set=-all", "/bin/true"],
                                        capture_output=True, timeout=20)
                    ok = r.returncode == 0 and r2.returncode == 0
                except (OSError, subprocess.SubprocessError):
                    ok = False
        _probe_cache["ns"] = ok
    return _probe_cache["ns"]


def mode() -> str:
    """The mode ``spawn`` uses here: RNN_SANDBOX_MODE if set, else the strongest available."""
    forced = os.environ.get("RNN_SANDBOX_MODE")
    if forced:
        if forced not in MODES:
            raise ValueError(f"RNN_SANDBOX_MODE={forced!r}: expected one of {MODES}")
        return forced
    if os.geteuid() == 0:
        if namespaces_permitted():
            return "root-sandbox"
        return "root-confined" if seccomp_available(sys.executable) else "root-user-only"
    return "bubblewrap" if shutil.which("bwrap") else "unprivileged"


def landlock_abi() -> int:
    """The kernel's Landlock ABI (0: none, or hidden by a seccomp filter such as Docker's)."""
    if "landlock" not in _probe_cache:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        abi = libc.syscall(444, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
        _probe_cache["landlock"] = max(int(abi), 0)
    return _probe_cache["landlock"]


def seccomp_available(python: str) -> bool:
    """True if ``python`` can load a libseccomp filter through pyseccomp (probed once each)."""
    key = f"seccomp:{python}"
    if key not in _probe_cache:
        code = ("import pyseccomp as s; f = s.SyscallFilter(s.ALLOW); "
                "f.add_rule(s.ERRNO(1), 'ptrace'); f.load()")
        try:
            r = subprocess.run([python, "-I", "-c", code], capture_output=True, timeout=30)
            _probe_cache[key] = r.returncode == 0
        except (OSError, subprocess.SubprocessError):
            _probe_cache[key] = False
    return _probe_cache[key]


_DESCRIPTIONS = {
    "root-sandbox": (
        "root-sandbox: student code runs as the unprivileged user rnn-sandbox in its own mount, "
        "PID, network, IPC and UTS namespaces, inside a new root that holds only the system "
        "directories, the Python installation and its working directory (read-only except the "
        "latter), with no capabilities, no network, rlimits on memory/CPU/processes/files; it "
        "cannot read the autograder's files or results, see or signal the grader, and everything "
        "it starts is killed when it ends."),
    "root-confined": (
        "root-confined (namespaces are forbidden here, as in Gradescope's Docker container): "
        "student code runs as the unprivileged user rnn-sandbox with no capabilities, rlimits "
        "sized to the container's memory, oom_score_adj 1000 (the OOM killer takes it first), "
        "a seccomp filter (no sockets but AF_UNIX, no ptrace, no namespaces or mounts, no "
        "keyring) and, where the kernel offers Landlock, read access only to the system and "
        "Python folders and write access only to its own fresh working folder (private HOME and "
        "TMPDIR, removed after); the autograder's folders, the submission metadata, the results "
        "and every other submission of a batch are closed while it runs, files it leaves in "
        "/tmp, /var/tmp or /dev/shm are removed, and every process of that user is killed at the "
        "end; NOT protected without Landlock: world-readable files elsewhere on the machine."),
    "root-user-only": (
        "root-user-only (namespaces are forbidden here, and no seccomp filter can be loaded): "
        "student code runs as the unprivileged user rnn-sandbox with no capabilities and "
        "rlimits, and the autograder's directories are "
        "chmod 700 while it runs, so it cannot read them, write results or signal the grader, and "
        "every process of that user is killed at the end; NOT protected: the network, and any "
        "world-readable file elsewhere on the machine."),
    "bubblewrap": (
        "bubblewrap: student code runs as the TA's user inside bwrap's namespaces (mount, PID, "
        "network, IPC, UTS) with only the system directories, the Python installation and its "
        "working directory visible and a fresh /tmp, {seccomp}, rlimits, and it dies with the "
        "grader; it cannot read the project's files or the other submissions, write outside "
        "its folder, or signal the grader."),
    "none": (
        "none: student code runs in a plain subprocess of the grader, as the grader's user, with "
        "no limits and no isolation at all (tests and debugging only); it can read and change "
        "anything the grader can."),
}


def _unprivileged_description(python: str) -> str:
    have, abi = unprivileged_protections(python), landlock_abi()
    text = ("unprivileged (no root, no bubblewrap): student code runs as the TA's own user under "
            "a supervisor that kills its process group and every descendant when it ends, with "
            "rlimits (processes: the user's current count plus the limit), OOM score 1000 and a "
            "private HOME and TMPDIR in its own folder")
    if "landlock" in have:
        text += (f"; Landlock (ABI {abi}): reads only beneath the system and Python folders and "
                 "its own folder, writes only in its folder")
        text += ("; TCP refused" if abi >= 4 else "")
        text += ("; signals and abstract unix sockets cannot leave its own processes (it cannot "
                 "kill the grader)" if abi >= 6 else
                 "; NOT protected without Landlock ABI 6: signals to the TA's processes, the "
                 "grader included")
    else:
        text += ("; NOT protected without Landlock: it CAN read anything the TA's user can read "
                 "(the reference solutions and hidden tests if it knows where to look), write "
                 "wherever the TA can, and signal the TA's processes, the grader included")
    if "seccomp" in have:
        text += ("; seccomp: no sockets at all (socketpair only: not even the TA's own unix "
                 "sockets), no ptrace, namespaces, mounts or keyring, and setsid/setpgid do "
                 "nothing (it cannot leave its process group)")
    else:
        text += ("; NOT protected without seccomp (pyseccomp/libseccomp missing): the network "
                 "(unless Landlock ABI 4 closes TCP), ptrace of the TA's processes, and leaving "
                 "its process group")
    return text + (". Grade untrusted submissions as root or with bubblewrap installed where "
                   "this sentence says NOT." if "NOT" in text else ".")


def describe_mode(which: str | None = None) -> str:
    """One sentence saying what the mode protects and what it does not (the non-root modes: as
    measured on this machine, Landlock and seccomp where they load)."""
    which = which or mode()
    if which == "unprivileged":
        return _unprivileged_description(sys.executable)
    if which == "bubblewrap":
        seccomp = ("a seccomp filter (no sockets but AF_UNIX: no network even on its own "
                   "loopback, no ptrace, no keyring, no nested namespaces)"
                   if seccomp_available(sys.executable) else
                   "its own network namespace (only a loopback of its own; NOT filtered by "
                   "seccomp: pyseccomp/libseccomp missing)")
        return _DESCRIPTIONS[which].format(seccomp=seccomp)
    return _DESCRIPTIONS[which]


# ----------------------------------------------------------------------------------------------
# Sandbox users (root modes)


def _state_lock():
    """An exclusive flock over the sandbox state dir (users, chmods), across processes."""
    os.makedirs(STATE_DIR, mode=0o700, exist_ok=True)
    fd = os.open(os.path.join(STATE_DIR, "state.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _user_name(slot: int) -> str:
    return SANDBOX_USER if slot == 0 else f"{SANDBOX_USER}-{slot}"


def ensure_sandbox_user(name: str = SANDBOX_USER) -> tuple[int, int]:
    """Create the system user ``name`` (no home, no login shell) if missing; return (uid, gid)."""
    try:
        pw = pwd.getpwnam(name)
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise PermissionError(f"creating the sandbox user {name!r} needs root")
    useradd = _tool("useradd")
    if useradd is None:
        raise RuntimeError("useradd not found: cannot create the sandbox user")
    fd = _state_lock()
    try:
        try:
            pw = pwd.getpwnam(name)  # created meanwhile by another grader process
        except KeyError:
            subprocess.run([useradd, "--system", "--no-create-home", "--user-group",
                            "--shell", "/usr/sbin/nologin", name],
                           check=True, capture_output=True)
            pw = pwd.getpwnam(name)
    finally:
        os.close(fd)
    return pw.pw_uid, pw.pw_gid


def _alive(pid: int) -> bool:
    """True while any thread of ``pid`` can still run: a zombie (state Z or X) is already dead.

    The leader's state alone is not enough: a leader that called exit(2) by itself (not
    exit_group) reads "Z" while its other threads go on running code, so every thread counts.
    """
    if _proc_state(pid) not in ("Z", "X", ""):
        return True
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    return any(_proc_state(pid, int(tid)) not in ("Z", "X", "") for tid in tids if tid.isdigit())


def _uid_processes(uid: int, zombies: bool = False) -> list[int]:
    """Pids of live processes whose real or effective uid is ``uid`` (zombies too if asked).

    A zombie holds no memory, runs no code and cannot write files: only a pid (and one count
    of the user's RLIMIT_NPROC) until its parent reaps it, which for orphans is the machine's
    init, on its own schedule (seconds on some container hosts).
    """
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:  # os.open/os.read: the scan runs 2-3 times per child, over every process
            fd = os.open(f"/proc/{entry}/status", os.O_RDONLY)
            try:
                status = os.read(fd, 8192)  # the Uid line is the ninth
            finally:
                os.close(fd)
        except OSError:
            continue
        start = status.find(b"\nUid:") + 5  # the line "Uid:\treal\teffective\tsaved\tfs"
        uids = [int(u) for u in status[start:status.find(b"\n", start)].split()[:2]] \
            if start > 4 else []
        if uid in uids and (zombies or _alive(int(entry))):
            pids.append(int(entry))
    return pids


def _processes_by_stat(field: int, value: int) -> list[int]:
    """Pids of live processes (by ``_alive``'s rule) whose ``/proc/PID/stat`` field ``field``,
    counted after the command's closing parenthesis (2: process group, 3: session), is ``value``."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                found = int(f.read().rsplit(")", 1)[1].split()[field])
        except (OSError, IndexError, ValueError):
            continue
        if found == value and _alive(int(entry)):
            pids.append(int(entry))
    return pids


def group_processes(pgid: int) -> list[int]:
    """Pids of live processes (by ``_alive``'s rule) in process group ``pgid``.

    For a child started without a sandbox: its session is its process group, and SIGKILL takes
    a moment to finish every member.
    """
    return _processes_by_stat(2, pgid)


def _kill_uid(uid: int, gid: int, timeout: float = 10.0) -> None:
    """SIGKILL every process of ``uid`` until none is alive (a fork bomb included).

    kill(-1) issued *as that user* reaches exactly its processes, atomically enough to beat a
    fork bomb in a few rounds; a helper process (``setpriv ... kill -KILL -1``, started by
    subprocess, never by ``os.fork``: a fork of the threaded grader can deadlock in OpenBLAS's
    pre-fork handler) does it so the grader keeps its own root uid.
    The killed processes' zombies are not waited for: they are dead already, and init may take
    seconds to reap orphans (``_acquire_slot`` prefers a user that has none).
    """
    deadline = time.monotonic() + timeout
    killer = [_tool("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={gid}",
              "--clear-groups", _tool("kill") or "/bin/kill", "-KILL", "-1"]
    while _uid_processes(uid):
        subprocess.run(killer, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30)
        if time.monotonic() > deadline:
            raise RuntimeError(f"processes of uid {uid} survive SIGKILL: {_uid_processes(uid)}")
        time.sleep(0.01)


def _slot_path(slot: int) -> str:
    return os.path.join(STATE_DIR, f"slot{slot}.lock")


def _acquire_slot(reap_wait: float = 2.0) -> tuple[int, int, int, int]:
    """Lock a free sandbox user for this child; return (slot, lock fd, uid, gid).

    A free user whose killed processes still await reaping is skipped for the next free one:
    its zombies would count against the new child's RLIMIT_NPROC. Only when every free user
    has zombies is the first one taken, after up to ``reap_wait`` seconds for init to reap
    them; safe even then, as a zombie cannot run, be revived, or be signalled by the child.
    """
    os.makedirs(STATE_DIR, mode=0o700, exist_ok=True)
    fallback = None
    for slot in range(MAX_SLOTS):
        fd = os.open(_slot_path(slot), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        uid, gid = ensure_sandbox_user(_user_name(slot))
        # Leftovers of a grader that died without kill_all are killed; a user with no process
        # at all (the usual case) needs no second scan.
        leftovers = _uid_processes(uid, zombies=True)
        if leftovers:
            _kill_uid(uid, gid)
            leftovers = _uid_processes(uid, zombies=True)
        if not leftovers:
            if fallback is not None:
                os.close(fallback[1])
            return slot, fd, uid, gid
        if fallback is None:
            fallback = (slot, fd, uid, gid)
        else:
            os.close(fd)
    if fallback is None:
        raise RuntimeError(f"all {MAX_SLOTS} sandbox users are busy")
    deadline = time.monotonic() + reap_wait  # a host whose init never reaps must not hang us
    while _uid_processes(fallback[2], zombies=True) and time.monotonic() < deadline:
        time.sleep(0.01)
    return fallback


# ----------------------------------------------------------------------------------------------
# chmod 700 of hidden directories (root-user-only), reference-counted across grader processes


def _namespace_tag() -> str:
    """This process's PID and mount namespaces, e.g. "4026531836-4026531832" ("" if unknown)."""
    try:
        return "-".join(os.readlink(f"/proc/self/ns/{ns}").split("[")[1].rstrip("]")
                        for ns in ("pid", "mnt"))
    except (OSError, IndexError):
        return ""


def _chmod_state(update) -> None:
    """Run ``update(state)`` on {path: [original mode, [holder, ...]]} under the state lock.

    A holder is "pid:token"; holders whose grader process died are dropped, so a crashed grader
    leaves a directory closed only until the next sandbox is started or ended.

    One state per PID and mount namespace: a pid means something only in its PID namespace and a
    path only in its mount namespace, while STATE_DIR may be shared (a Gradescope-like box of the
    tests shares the host's /run). A grader in a box once read the host's holders as dead and,
    the host's path being absent in the box, dropped them without reopening it: the project tree
    stayed 0700, and a TA's user could no longer run the checkout's Python.
    """
    fd = _state_lock()
    try:
        tag = _namespace_tag()
        path = os.path.join(STATE_DIR, f"chmod-{tag}.json" if tag else "chmod.json")
        try:
            with open(path) as f:
                state = json.load(f)
        except (OSError, ValueError):
            state = {}
        update(state)
        for p, (orig, holders) in list(state.items()):
            holders[:] = [h for h in holders if _pid_alive(int(h.split(":")[0]))]
            if not holders:
                del state[p]
                if os.path.exists(p):
                    os.chmod(p, orig)
        with open(path, "w") as f:
            json.dump(state, f)
    finally:
        os.close(fd)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _protect(paths: list[str], holder: str) -> None:
    """Close each directory (chmod 700) or file (no access for group and others) of ``paths``
    until every holder has called ``_unprotect``."""
    def update(state):
        for p in paths:
            if p in state:
                state[p][1].append(holder)
            elif os.path.exists(p) and not os.path.islink(p):
                st_mode = os.stat(p).st_mode & 0o7777
                state[p] = [st_mode, [holder]]
                os.chmod(p, 0o700 if os.path.isdir(p) else st_mode & 0o700)
    _chmod_state(update)


def _unprotect(paths: list[str], holder: str) -> None:
    def update(state):
        for p in paths:
            if p in state and holder in state[p][1]:
                state[p][1].remove(holder)
    _chmod_state(update)


# ----------------------------------------------------------------------------------------------
# What the child may read


def _others_may_reach(path: str) -> bool:
    """True if a user who owns nothing on the way may traverse to ``path`` (o+x everywhere)."""
    path = os.path.realpath(path)
    parts = Path(path).parents
    return all(os.stat(p).st_mode & 0o001 for p in [path, *parts] if os.path.isdir(p)) and \
        (os.path.isdir(path) or bool(os.stat(path).st_mode & 0o001))


PRIVATE_HOME, PRIVATE_TMP = ".home", ".tmp"  # in the child's working folder, removed with it


def default_env(cwd: str) -> dict[str, str]:
    """A clean environment: nothing of the grader's (tokens, paths) leaks into the child.

    HOME and TMPDIR are private folders inside the child's working folder (``spawn`` makes
    them), removed with it. One BLAS thread: threads count against nproc, and the checks'
    arrays are small.
    """
    home = os.path.join(cwd, PRIVATE_HOME)
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": home,
            "TMPDIR": os.path.join(cwd, PRIVATE_TMP), "LANG": "C.UTF-8",
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": os.path.join(home, ".matplotlib"),
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ----------------------------------------------------------------------------------------------
# Building the command lines


_UNSHARE_FLAGS = ["--mount", "--pid", "--net", "--ipc", "--uts", "--fork", "--kill-child",
                  "--propagation", "private"]


def _setpriv_args(uid: int, gid: int) -> list[str]:
    # --pdeathsig: the uid change clears unshare's --kill-child signal; set it again.
    return [_tool("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups",
            "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--pdeathsig=KILL"]


def namespace_script(newroot: str, cwd: str, readable: list[str], hidden: list[str],
                     limits: Limits, pass_fds=()) -> str:
    """The /bin/sh script run as root inside the new namespaces; ``"$@"`` is the final command.

    It builds the child's whole filesystem on a tmpfs at ``newroot`` (a whitelist: what is not
    bound here does not exist for the child), then pivot_roots into it.
    """
    q = shlex.quote
    spare = next((fd for fd in range(3, 10) if fd not in pass_fds), None)
    if spare is None:
        raise ValueError("root-sandbox needs one fd in 3..9 that is not in pass_fds")
    mount, umount = _tool("mount") or "mount", _tool("umount") or "umount"
    r = newroot.rstrip("/")
    size = max(limits.file_size_bytes, 16 * 1024**2)
    # /tmp comes first: a whitelisted path under /tmp (a venv in a CI checkout) is bound onto it,
    # where a later /tmp mount would hide it.
    lines = ["set -eu", "umask 022",
             f"{mount} -t tmpfs -o mode=0755,size=1m,nosuid,nodev sandbox-root {q(r)}",
             f"mkdir -p {q(r + '/tmp')}",
             f"{mount} -t tmpfs -o mode=1777,size={size},nosuid,nodev tmp {q(r + '/tmp')}"]

    for view in policy.visibility(readable, hidden):
        dst = q(r + view.path)
        if view.kind == "symlink":
            if os.path.dirname(view.path) != "/":  # the new root exists (each line is a process)
                lines.append(f"mkdir -p {q(r + os.path.dirname(view.path))}")
            lines.append(f"ln -sfn {q(view.target)} {dst}")
        elif view.kind == "ro":
            if os.path.isdir(view.path):
                lines.append(f"mkdir -p {dst}")
            else:
                lines.append(f"mkdir -p {q(r + os.path.dirname(view.path))} && touch {dst}")
            lines.append(f"{mount} --bind -o ro,nosuid,nodev {q(view.path)} {dst}")
        else:  # hide: an empty tmpfs where a bound directory would show it
            lines.append(f"{mount} -t tmpfs -o mode=0755,size=16k,nosuid,nodev hidden {dst}")
    cwd_size = max(2 * limits.file_size_bytes, 64 * 1024**2)
    lines += [f"mkdir -p {q(r + '/dev')} {q(r + '/proc')}",
              f"{mount} -t tmpfs -o mode=0755,size=64k,nosuid,noexec sandbox-dev {q(r + '/dev')}",
              # One mkdir and one touch for all (each line is a process): /dev/shm, cwd's mount
              # point (beneath /tmp's tmpfs, which no later mount covers), the device nodes.
              f"mkdir -p {q(r + '/dev/shm')} {q(r + cwd)}",
              "touch " + " ".join(q(r + '/dev/' + n) for n in DEV_NODES)]
    for n in DEV_NODES:
        lines.append(f"{mount} --bind /dev/{n} {q(r + '/dev/' + n)}")
    lines += [f"ln -s /proc/self/fd {q(r + '/dev/fd')}",
              f"ln -s /proc/self/fd/0 {q(r + '/dev/stdin')}",
              f"ln -s /proc/self/fd/1 {q(r + '/dev/stdout')}",
              f"ln -s /proc/self/fd/2 {q(r + '/dev/stderr')}",
              f"{mount} -t tmpfs -o mode=1777,size={size},nosuid,nodev shm {q(r + '/dev/shm')}",
              f"{mount} -t proc -o nosuid,nodev,noexec proc {q(r + '/proc')}",
              # cwd is a copy of the real one on a size-limited tmpfs, not a bind: RLIMIT_FSIZE
              # caps one file, not how many, and the grader's disk must not fill up.
              f"{mount} -t tmpfs -o size={cwd_size},nosuid,nodev sandbox-cwd {q(r + cwd)}",
              f"cp -a {q(cwd + '/.')} {q(r + cwd)}",
              f"chown --reference={q(cwd)} {q(r + cwd)}",
              f"chmod --reference={q(cwd)} {q(r + cwd)}",
              # Only the new root remains: the old one is detached, not merely chrooted away.
              f"cd {q(r)}", "mkdir .oldroot", f"{_tool('pivot_root') or 'pivot_root'} . .oldroot",
              "cd /", f"{umount} -l /.oldroot", "rmdir /.oldroot",
              f"{mount} -o remount,bind,ro /",
              f"cd {q(cwd)}",
              # This root shell stays PID 1 (the kernel ignores SIGXCPU and the like sent to a
              # namespace's init, so the child must not be it) and passes on the child's
              # status, 128 + signal if killed; stdin is handed over explicitly because sh
              # gives background jobs /dev/null.
              f"exec {spare}<&0",
              f'"$@" 0<&{spare} {spare}<&- &',
              'wait "$!"']
    return "\n".join(lines) + "\n"  # sh exits with wait's status


def root_sandbox_argv(argv: list[str], *, uid: int, gid: int, newroot: str, cwd: str,
                      readable: list[str], hidden: list[str], limits: Limits,
                      pass_fds=()) -> list[str]:
    """setpriv -> unshare (namespaces) -> sh (mounts, pivot_root) -> setsid -> setpriv to the
    sandbox user -> prlimit -> argv."""
    script = namespace_script(newroot, cwd, readable, hidden, limits, pass_fds)
    # The first setpriv only makes unshare die with the grader (unshare --kill-child then
    # takes the namespace down); note that Linux sends it when the *thread* that called
    # spawn exits, so spawn from a thread that outlives the child.
    setpriv = _tool("setpriv") or "setpriv"
    return [setpriv, "--pdeathsig=KILL", "--", _tool("unshare") or "unshare", *_UNSHARE_FLAGS,
            "--", "/bin/sh", "-c", script, "sandbox",
            _tool("setsid") or "setsid", *_setpriv_args(uid, gid), "--",
            _tool("prlimit") or "prlimit", *limits.prlimit_args(), "--", *argv]


def root_user_only_argv(argv: list[str], *, uid: int, gid: int, limits: Limits) -> list[str]:
    """setpriv to the sandbox user -> prlimit -> argv (no namespaces).

    No ``setsid`` binary here: Popen's start_new_session already made a session leader, and
    setsid(1) would then fork and exit at once, hiding the child's status.
    """
    return [*_setpriv_args(uid, gid), "--",
            _tool("prlimit") or "prlimit", *limits.prlimit_args(), "--", *argv]


def bubblewrap_argv(argv: list[str], *, cwd: str, readable: list[str], hidden: list[str],
                    limits: Limits, bwrap: str = "bwrap") -> list[str]:
    """bwrap with the same whitelist as root-sandbox, then prlimit -> argv."""
    out = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    # /tmp first, as in root-sandbox: bwrap applies its options in order, so a whitelisted path
    # under /tmp (a venv in a CI checkout) must be bound after the fresh /tmp, not hidden by it.
    out += ["--tmpfs", "/tmp"]
    for view in policy.visibility(readable, hidden):
        if view.kind == "symlink":
            out += ["--symlink", view.target, view.path]
        elif view.kind == "ro":
            out += ["--ro-bind", view.path, view.path]
        else:
            out += ["--tmpfs", view.path]
    out += ["--dev", "/dev", "--proc", "/proc", "--bind", cwd, cwd,
            "--chdir", cwd, "--", _tool("prlimit") or "prlimit", *limits.prlimit_args(), "--",
            *argv]
    return out


SUPERVISOR_PATH = Path(__file__).with_name("supervisor.py")


def unprivileged_argv(argv: list[str], *, pass_fds, limits: Limits) -> list[str]:
    """prlimit -> supervisor (subreaper) -> argv, all as the current user."""
    return [_tool("prlimit") or "prlimit", *limits.prlimit_args(nproc=False), "--",
            sys.executable, "-I",
            "-S", str(SUPERVISOR_PATH), str(os.getpid()), ",".join(str(f) for f in pass_fds),
            *argv]


# ----------------------------------------------------------------------------------------------
# Spawning and killing


def _proc_state(pid: int, tid: int | None = None) -> str:
    """The one-letter state of ``pid`` (or of its thread ``tid``): "R", "S", "T", "Z", ...;
    "" if it is gone."""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"
    try:
        with open(path) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


class Sandboxed:
    """A running sandboxed child; ``kill_all`` ends it and everything it started."""

    def __init__(self, popen: subprocess.Popen, mode: str, *, launch: Launch | None = None,
                 impl: Mode | None = None):
        self.popen = popen
        self.pid = popen.pid
        self.mode = mode
        self.impl = impl or MODE_CLASSES[mode]()
        self.launch = launch or Launch(cwd="", readable=[], hidden=[], limits=Limits())
        self.uid, self.gid = self.launch.uid, self.launch.gid
        self.slot = self.launch.slot  # which sandbox user (root modes): its flock is held
        self._killed = False
        self._lock = threading.Lock()

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child; its return code, negative if killed by that signal."""
        return self.impl.returncode(self.popen.wait(timeout))

    @property
    def returncode(self) -> int | None:
        rc = self.popen.returncode
        return None if rc is None else self.impl.returncode(rc)

    def poll(self) -> int | None:
        self.popen.poll()
        return self.returncode

    def kill_all(self) -> None:
        """Kill the child's whole tree and wait until none of it is alive. Idempotent."""
        with self._lock:  # the grading thread and a batch watchdog may both call it
            self._kill_all()

    def _kill_all(self) -> None:
        if self._killed:
            return
        try:
            self.impl.kill_tree(self)
            self.popen.wait(10)
            if self.uid is not None:
                _kill_uid(self.uid, self.gid)
                self.impl.clean_up_after(self)
        finally:
            self._killed = True
            self.impl.release(self.launch)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError as e:
        if e.errno not in (errno.ESRCH, errno.EPERM):
            raise


# ----------------------------------------------------------------------------------------------
# The modes: one class each, one interface


@dataclasses.dataclass
class Launch:
    """Everything one start of one child needs; filled in by ``spawn`` and ``Mode.prepare``."""

    cwd: str
    readable: list
    hidden: list
    limits: Limits
    pass_fds: tuple = ()
    uid: int | None = None
    gid: int | None = None
    slot: int | None = None
    slot_fd: int | None = None
    protected: list = dataclasses.field(default_factory=list)
    holder: str = ""
    newroot: str | None = None
    python: str = ""  # the child's interpreter (which confine.py runs under)


class Mode:
    """How a child is started (``command``), limited (``Limits`` via prlimit) and killed.

    ``prepare`` takes what the mode holds while a child runs (a sandbox user, chmods);
    ``release`` gives it back; ``kill_tree`` kills everything the child started.
    """

    name = ""
    needs_root = False
    confinement = False  # start the child through confine.py (seccomp, Landlock, OOM score)

    def prepare(self, launch: Launch) -> None:
        if self.needs_root:
            if os.geteuid() != 0:
                raise PermissionError(f"sandbox mode {self.name} needs root")
            launch.slot, launch.slot_fd, launch.uid, launch.gid = _acquire_slot()

    def command(self, argv: list[str], launch: Launch) -> list[str]:
        raise NotImplementedError

    def confine_spec(self, launch: Launch) -> dict | None:
        return None

    def returncode(self, rc: int) -> int:
        return rc

    def kill_tree(self, box: Sandboxed) -> None:
        # Its session's process group, even after the leader exited: what it started lives on.
        _signal(-box.popen.pid, signal.SIGKILL)
        if box.popen.poll() is None:
            _signal(box.popen.pid, signal.SIGKILL)

    def clean_up_after(self, box: Sandboxed) -> None:
        pass

    def release(self, launch: Launch) -> None:
        if launch.protected:
            _unprotect(launch.protected, launch.holder)
            launch.protected = []
        if launch.slot_fd is not None:
            os.close(launch.slot_fd)  # releases the flock: the sandbox user is free again
            launch.slot_fd = None
        if launch.newroot:
            with contextlib.suppress(OSError):
                os.rmdir(launch.newroot)
            launch.newroot = None


class NoneMode(Mode):
    """A plain subprocess in its own session (tests, debugging): no isolation at all."""

    name = "none"

    def command(self, argv, launch):
        return argv

    def kill_tree(self, box):
        super().kill_tree(box)
        box.popen.wait(10)
        deadline = time.monotonic() + 5  # SIGKILL takes a moment to finish every member
        while group_processes(box.popen.pid) and time.monotonic() < deadline:
            time.sleep(0.01)


class RootSandbox(Mode):
    name = "root-sandbox"
    needs_root = True

    def prepare(self, launch):
        super().prepare(launch)
        launch.newroot = tempfile.mkdtemp(prefix="rnn-sandbox-root-")

    def command(self, argv, launch):
        return root_sandbox_argv(argv, uid=launch.uid, gid=launch.gid, newroot=launch.newroot,
                                 cwd=launch.cwd, readable=launch.readable, hidden=launch.hidden,
                                 limits=launch.limits, pass_fds=launch.pass_fds)

    def returncode(self, rc):
        # The namespace's init shell reports a signal as 128 + signal.
        return -(rc - 128) if rc > 128 else rc

    def kill_tree(self, box):
        popen = box.popen
        if popen.poll() is None:
            # Freeze unshare first: it cannot fork a child we would miss, nor reap the one we
            # kill (unshare reports a SIGKILLed child as "exit 1" with a message). Then kill
            # PID 1 of the namespace, so the kernel kills all the rest, and unshare itself.
            _signal(popen.pid, signal.SIGSTOP)
            deadline = time.monotonic() + 2
            while _proc_state(popen.pid) not in ("T", "Z", "X", "") and \
                    time.monotonic() < deadline:
                time.sleep(0.001)
            for kid in _children(popen.pid):
                _signal(kid, signal.SIGKILL)
        if popen.poll() is None:
            _signal(popen.pid, signal.SIGKILL)


class RootUserOnly(Mode):
    name = "root-user-only"
    needs_root = True

    def prepare(self, launch):
        super().prepare(launch)
        # Hidden paths that hold cwd cannot be closed without locking the child out of cwd.
        launch.protected = [h for h in _minimal(launch.hidden) if not _under(launch.cwd, h)]
        _protect(launch.protected, launch.holder)

    def check_reachable(self, argv, launch):
        for path in (shutil.which(argv[0]) or argv[0], os.path.dirname(launch.cwd)):
            if not _others_may_reach(path):
                raise RuntimeError(
                    f"{path} is not reachable by the sandbox user (a directory on its way "
                    f"is closed to others, e.g. /root or the project dir): in mode "
                    f"{self.name}, run the child with a Python installed outside them "
                    f"(e.g. /usr/bin/python3 with numpy from pip) and a cwd under /tmp")

    def command(self, argv, launch):
        self.check_reachable(argv, launch)
        return root_user_only_argv(argv, uid=launch.uid, gid=launch.gid, limits=launch.limits)

    def clean_up_after(self, box):
        remove_owned_files(box.uid, SHARED_WRITABLE)


class RootConfined(RootUserOnly):
    """root-user-only plus confine.py: seccomp, Landlock where offered, OOM score 1000."""

    name = "root-confined"
    confinement = True

    def confine_spec(self, launch):
        spec = {"oom_score_adj": 1000, "seccomp": True,
                "require": ["seccomp", "oom_score_adj"]}
        if landlock_abi() >= 1:
            spec["landlock"] = landlock_rules(launch)
            spec["require"].append("landlock")
        return spec


def landlock_rules(launch: Launch) -> dict:
    """confine.py's Landlock rules for the policy: read beneath the read-only views, write only
    in the child's folder, the few device nodes."""
    views = policy.visibility(launch.readable, launch.hidden)
    return {"read": policy.readonly_paths(views), "write": [launch.cwd],
            "devices": [f"/dev/{n}" for n in DEV_NODES]}


class Bubblewrap(Mode):
    name = "bubblewrap"
    confinement = True

    def confine_spec(self, launch):
        # bwrap's network namespace has a loopback of its own, up: without the filter a child
        # could still listen and connect there (reaching nothing outside, but "no network" is
        # what the mode says), and the filter narrows the kernel's surface as in root-confined.
        if not seccomp_available(launch.python):
            return None
        return {"seccomp": True, "require": ["seccomp"]}

    def command(self, argv, launch):
        return bubblewrap_argv(argv, cwd=launch.cwd, readable=launch.readable,
                               hidden=launch.hidden, limits=launch.limits,
                               bwrap=shutil.which("bwrap") or "bwrap")


class Unprivileged(Mode):
    """The TA's own user: what an unprivileged process can do to itself (``unprivileged_spec``),
    under a supervisor that kills the child's process group and every descendant."""

    name = "unprivileged"
    confinement = True

    def confine_spec(self, launch):
        return unprivileged_spec(launch)

    def command(self, argv, launch):
        return unprivileged_argv(argv, pass_fds=launch.pass_fds, limits=launch.limits)

    def kill_tree(self, box):
        sid = box.popen.pid  # the supervisor leads the session; seccomp keeps every child in it
        _signal(sid, signal.SIGTERM)  # the supervisor kills the child's group and all it reaped
        with contextlib.suppress(subprocess.TimeoutExpired):
            box.popen.wait(5)
        super().kill_tree(box)
        # A supervisor that died first (SIGKILLed where Landlock cannot scope signals) leaves
        # its descendants to init: whatever is still in the session is killed here.
        deadline = time.monotonic() + 5
        while (left := session_processes(sid)) and time.monotonic() < deadline:
            for pid in left:
                _signal(pid, signal.SIGKILL)
            time.sleep(0.01)


def unprivileged_protections(python: str) -> list[str]:
    """What confine.py can apply here without privileges, for ``python``: "landlock" (ABI >= 1:
    files; >= 4: TCP; >= 6: signals and abstract unix sockets scoped), "seccomp"."""
    found = []
    if landlock_abi() >= 1:
        found.append("landlock")
    if seccomp_available(python):
        found.append("seccomp")
    return found


def unprivileged_spec(launch: Launch) -> dict:
    """confine.py's spec for the unprivileged mode: RLIMIT_NPROC above the user's current tasks,
    OOM score 1000, Landlock and seccomp (setsid/setpgid no-ops) wherever this machine offers them;
    each one offered is required, so the child never runs less confined than the mode line says."""
    have = unprivileged_protections(launch.python)
    spec = {"nproc_above": launch.limits.nproc, "oom_score_adj": 1000,
            "require": ["nproc", *have]}
    if "landlock" in have:
        spec["landlock"] = landlock_rules(launch)
    if "seccomp" in have:
        spec["seccomp"] = {"deny_session": True, "no_unix_sockets": True}
    return spec


def session_processes(sid: int) -> list[int]:
    """Pids of live processes (by ``_alive``'s rule) of session ``sid``."""
    return _processes_by_stat(3, sid)


MODE_CLASSES = {cls.name: cls for cls in (RootSandbox, RootConfined, RootUserOnly, Bubblewrap,
                                          Unprivileged, NoneMode)}


def remove_owned_files(uid: int, roots=SHARED_WRITABLE, max_entries: int = 200_000) -> int:
    """Remove what ``uid`` owns under ``roots`` (a stash in /tmp must not survive the child).

    Symlinks are never followed; returns how many entries were removed.
    """
    removed, seen = 0, 0
    for root in roots:
        stack = [root]
        while stack and seen < max_entries:
            d = stack.pop()
            try:
                entries = list(os.scandir(d))
            except OSError:
                continue
            for entry in entries:
                seen += 1
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                if st.st_uid == uid:
                    with contextlib.suppress(OSError):
                        if entry.is_dir(follow_symlinks=False):
                            shutil.rmtree(entry.path)
                        else:
                            os.unlink(entry.path)
                        removed += 1
                elif entry.is_dir(follow_symlinks=False) and st.st_mode & 0o002:
                    stack.append(entry.path)  # another world-writable folder inside
    return removed


def _chown_tree(top: str, uid: int, gid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(top):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            os.lchown(name, uid, gid)


def spawn(argv: list[str], *, pass_fds=(), cwd: str, env: dict | None = None,
          limits: Limits | None = None, readable_paths=(), hidden_paths=(), stdin=None,
          stdout=None, stderr=None, mode: str | None = None) -> Sandboxed:
    """Start ``argv`` (e.g. ``[sys.executable, "-I", "-u", cwd + "/child.py", r, w]``) sandboxed.

    pass_fds: fds the child inherits (same numbers), e.g. the protocol pipes; all others are
        closed. cwd: an existing directory holding the child script and the notebook; chowned
        to the sandbox user when root; its subfolders .home and .tmp are made for HOME and
        TMPDIR. env: the child's environment (default ``default_env``).
    readable_paths: extra paths the child may read, beside the system dirs and the Python
        installation. hidden_paths: extra paths (folders or files) it must not see (the results
        dir, other submissions, ...), beside ``default_hidden_paths()``. mode: force a mode
        (tests), default ``mode()``.
    """
    which = mode or globals()["mode"]()
    if which not in MODES:
        raise ValueError(f"unknown sandbox mode {which!r}")
    impl = MODE_CLASSES[which]()
    cwd = os.path.realpath(cwd)
    argv = [str(a) for a in argv]
    launch = Launch(cwd=cwd, readable=[*default_readable_paths(argv[0]), *map(str, readable_paths)],
                    hidden=[*default_hidden_paths(), *(os.path.realpath(h) for h in hidden_paths)],
                    limits=limits or container_limits(), pass_fds=tuple(pass_fds),
                    holder=f"{os.getpid()}:{time.monotonic_ns()}",
                    python=shutil.which(argv[0]) or argv[0])
    for sub in (PRIVATE_HOME, PRIVATE_TMP):
        os.makedirs(os.path.join(cwd, sub), mode=0o700, exist_ok=True)
    env = env if env is not None else default_env(cwd)
    try:
        impl.prepare(launch)
        spec = impl.confine_spec(launch)
        if spec is not None:
            shutil.copy(CONFINE_PATH, os.path.join(cwd, "_confine.py"))
            exe = shutil.which(argv[0]) or argv[0]
            argv = [exe, "-I", os.path.join(cwd, "_confine.py"), json.dumps(spec), "--", exe,
                    *argv[1:]]
        if launch.uid is not None:
            _chown_tree(cwd, launch.uid, launch.gid)
            os.chmod(cwd, 0o700)
        full = impl.command(argv, launch)
        popen = subprocess.Popen(full, pass_fds=launch.pass_fds, close_fds=True, cwd=cwd,
                                 env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                 start_new_session=True)
    except BaseException:
        impl.release(launch)
        raise
    return Sandboxed(popen, which, launch=launch, impl=impl)
