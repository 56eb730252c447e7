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
    mode() -> "root-sandbox" | "root-user-only" | "bubblewrap" | "unprivileged"
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
* ``root-user-only`` (euid 0, namespaces forbidden, e.g. Docker's seccomp): ``setsid setpriv`` to
  the sandbox user plus rlimits; the hidden directories are chmod 700 while a child runs. Network
  and world-readable files elsewhere are NOT protected.
* ``bubblewrap`` (not root, ``bwrap`` on PATH): the same whitelist policy through bwrap.
* ``unprivileged`` (not root, no bwrap): same user, new session, rlimits, and a small supervisor
  (a child subreaper) that kills every descendant when the child ends. NOT protected: files the
  TA's user can read, the network, and a student who deliberately kills the supervisor.

Each concurrent sandbox (as root) runs under its own user (``rnn-sandbox``, ``rnn-sandbox-1``,
...), held by an flock, so ``kill_all`` may kill every process of that user without touching a
sibling job's child.
"""

from __future__ import annotations

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
import time
from pathlib import Path

SANDBOX_USER = "rnn-sandbox"
MAX_SLOTS = 32
MODES = ("root-sandbox", "root-user-only", "bubblewrap", "unprivileged")
# The project's own tree: what the child must never read (tests, solutions/, checks, config).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# System directories the child may read (merged-/usr symlinks are recreated as symlinks).
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEV_NODES = ("null", "zero", "full", "random", "urandom")
STATE_DIR = "/run/rnn-sandbox" if os.path.isdir("/run") else "/tmp/rnn-sandbox"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Resource limits of the child (each applies per process, nproc per sandbox user)."""

    memory_bytes: int = 2 * 1024**3  # RLIMIT_AS: address space
    cpu_seconds: int = 600  # RLIMIT_CPU
    nproc: int = 64  # RLIMIT_NPROC: processes and threads of the (sandbox) user
    file_size_bytes: int = 64 * 1000**2  # RLIMIT_FSIZE
    open_files: int = 256  # RLIMIT_NOFILE

    def prlimit_args(self) -> list[str]:
        """``prlimit`` options setting soft = hard = each limit (never above the current hard)."""
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
        return "root-sandbox" if namespaces_permitted() else "root-user-only"
    return "bubblewrap" if shutil.which("bwrap") else "unprivileged"


_DESCRIPTIONS = {
    "root-sandbox": (
        "root-sandbox: student code runs as the unprivileged user rnn-sandbox in its own mount, "
        "PID, network, IPC and UTS namespaces, inside a new root that holds only the system "
        "directories, the Python installation and its working directory (read-only except the "
        "latter), with no capabilities, no network, rlimits on memory/CPU/processes/files; it "
        "cannot read the autograder's files or results, see or signal the grader, and everything "
        "it starts is killed when it ends."),
    "root-user-only": (
        "root-user-only (namespaces are forbidden here): student code runs as the unprivileged "
        "user rnn-sandbox with no capabilities and rlimits, and the autograder's directories are "
        "chmod 700 while it runs, so it cannot read them, write results or signal the grader, and "
        "every process of that user is killed at the end; NOT protected: the network, and any "
        "world-readable file elsewhere on the machine."),
    "bubblewrap": (
        "bubblewrap: student code runs as the TA's user inside bwrap's namespaces with only the "
        "system directories, the Python installation and its working directory visible, no "
        "network, rlimits, and it dies with the grader; it cannot read the project's files."),
    "unprivileged": (
        "unprivileged (no root, no bubblewrap): student code runs as the TA's own user in a new "
        "session with rlimits only; it cannot exceed the limits or (unless it deliberately kills "
        "its supervisor) outlive grading, but it CAN read anything the TA's user can read, "
        "including the reference solutions and hidden tests if it knows where to look, use the "
        "network, and signal the TA's other processes. Grade untrusted submissions as root or "
        "with bubblewrap installed."),
}


def describe_mode(which: str | None = None) -> str:
    """One sentence saying what the mode protects and what it does not."""
    return _DESCRIPTIONS[which or mode()]


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
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        uids = [int(u) for u in fields.get("Uid", "-1 -1").split()[:2]]
        if uid in uids and (zombies or _alive(int(entry))):
            pids.append(int(entry))
    return pids


def group_processes(pgid: int) -> list[int]:
    """Pids of live processes (by ``_alive``'s rule) in process group ``pgid``.

    For a child started without a sandbox: its session is its process group, and SIGKILL takes
    a moment to finish every member.
    """
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                pgrp = int(f.read().rsplit(")", 1)[1].split()[2])
        except (OSError, IndexError, ValueError):
            continue
        if pgrp == pgid and _alive(int(entry)):
            pids.append(int(entry))
    return pids


def _kill_uid(uid: int, gid: int, timeout: float = 10.0) -> None:
    """SIGKILL every process of ``uid`` until none is alive (a fork bomb included).

    kill(-1) issued *as that user* reaches exactly its processes, atomically enough to beat a
    fork bomb in a few rounds; a forked helper does it so the grader keeps its own root uid.
    The killed processes' zombies are not waited for: they are dead already, and init may take
    seconds to reap orphans (``_acquire_slot`` prefers a user that has none).
    """
    deadline = time.monotonic() + timeout
    while _uid_processes(uid):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the forked helper
            try:
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            except BaseException:
                os._exit(1)
            os._exit(0)
        os.waitpid(pid, 0)
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
        _kill_uid(uid, gid)  # leftovers of a grader that died without kill_all
        if not _uid_processes(uid, zombies=True):
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


def _chmod_state(update) -> None:
    """Run ``update(state)`` on {path: [original mode, [holder, ...]]} under the state lock.

    A holder is "pid:token"; holders whose grader process died are dropped, so a crashed grader
    leaves a directory closed only until the next sandbox is started or ended.
    """
    fd = _state_lock()
    try:
        path = os.path.join(STATE_DIR, "chmod.json")
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
                if os.path.isdir(p):
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
    """chmod 700 each directory of ``paths`` until every holder has called ``_unprotect``."""
    def update(state):
        for p in paths:
            if p in state:
                state[p][1].append(holder)
            elif os.path.isdir(p) and not os.path.islink(p):
                state[p] = [os.stat(p).st_mode & 0o7777, [holder]]
                os.chmod(p, 0o700)
    _chmod_state(update)


def _unprotect(paths: list[str], holder: str) -> None:
    def update(state):
        for p in paths:
            if p in state and holder in state[p][1]:
                state[p][1].remove(holder)
    _chmod_state(update)


# ----------------------------------------------------------------------------------------------
# What the child may read


def default_readable_paths(argv0: str | None = None) -> list[str]:
    """The Python installation(s), site-packages holding numpy, and the interpreter's directory."""
    import importlib.util
    import site

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    paths.update(p for p in site.getsitepackages() if os.path.isdir(p))
    spec = importlib.util.find_spec("numpy")
    if spec is not None and spec.origin:
        paths.add(str(Path(spec.origin).resolve().parents[1]))
    if argv0:
        exe = shutil.which(argv0) or argv0
        paths.add(os.path.dirname(os.path.abspath(exe)))
        paths.add(os.path.dirname(os.path.realpath(exe)))
    return sorted(p for p in paths if p and p != "/")


def default_hidden_paths() -> list[str]:
    """The project root, wherever ``solutions``/``autograder`` live, and /root."""
    import importlib.util

    hidden = {str(PROJECT_ROOT), "/root"}
    for pkg in ("solutions", "autograder"):
        try:
            spec = importlib.util.find_spec(pkg)
        except (ImportError, ValueError):
            spec = None
        if spec is not None and spec.submodule_search_locations:
            hidden.update(os.path.realpath(p) for p in spec.submodule_search_locations)
    return sorted(hidden)


def _others_may_reach(path: str) -> bool:
    """True if a user who owns nothing on the way may traverse to ``path`` (o+x everywhere)."""
    path = os.path.realpath(path)
    parts = Path(path).parents
    return all(os.stat(p).st_mode & 0o001 for p in [path, *parts] if os.path.isdir(p)) and \
        (os.path.isdir(path) or bool(os.stat(path).st_mode & 0o001))


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def _minimal(paths) -> list[str]:
    """Real paths, without those already inside another one of the list."""
    out: list[str] = []
    for p in sorted({os.path.realpath(p) for p in paths if os.path.exists(p)}):
        if not any(_under(p, q) for q in out):
            out.append(p)
    return out


def default_env(cwd: str, tmpdir: str = "/tmp") -> dict[str, str]:
    """A clean environment: nothing of the grader's (tokens, paths) leaks into the child.

    One BLAS thread: threads count against nproc, and the checks' arrays are small.
    """
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": cwd, "TMPDIR": tmpdir,
            "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1",
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

    def bind(src: str, ro: bool = True) -> None:
        # A symlink (merged /usr: /bin -> usr/bin) is recreated, its target bound separately.
        if os.path.islink(src) and os.path.realpath(src) != src:
            lines.append(f"mkdir -p {q(r + os.path.dirname(src))}")
            lines.append(f"ln -sfn {q(os.readlink(src))} {q(r + src)}")
            src = os.path.realpath(src)
            if any(_under(src, b) for b in bound):
                return
        if not os.path.exists(src):
            return
        dst = q(r + src)
        if os.path.isdir(src):
            lines.append(f"mkdir -p {dst}")
        else:
            lines.append(f"mkdir -p {q(r + os.path.dirname(src))} && touch {dst}")
        opts = "-o ro,nosuid,nodev" if ro else "-o nosuid,nodev"
        lines.append(f"{mount} --bind {opts} {q(src)} {dst}")
        bound.append(src)

    bound: list[str] = []
    for d in SYSTEM_DIRS:
        bind(d)
    for p in _minimal(readable):
        if not any(_under(p, b) for b in bound):
            bind(p)
    # Hidden paths only matter where a bound directory would show them.
    for h in _minimal(hidden):
        if any(_under(h, b) for b in bound) and os.path.isdir(h):
            lines.append(f"{mount} -t tmpfs -o mode=0755,size=16k,nosuid,nodev hidden "
                         f"{q(r + h)}")
    cwd_size = max(2 * limits.file_size_bytes, 64 * 1024**2)
    lines += [f"mkdir -p {q(r + '/dev')} {q(r + '/proc')}",
              f"{mount} -t tmpfs -o mode=0755,size=64k,nosuid,noexec sandbox-dev {q(r + '/dev')}"]
    for n in DEV_NODES:
        lines.append(f"touch {q(r + '/dev/' + n)} && "
                     f"{mount} --bind /dev/{n} {q(r + '/dev/' + n)}")
    lines += [f"ln -s /proc/self/fd {q(r + '/dev/fd')}",
              f"ln -s /proc/self/fd/0 {q(r + '/dev/stdin')}",
              f"ln -s /proc/self/fd/1 {q(r + '/dev/stdout')}",
              f"ln -s /proc/self/fd/2 {q(r + '/dev/stderr')}",
              f"mkdir {q(r + '/dev/shm')}",
              f"{mount} -t tmpfs -o mode=1777,size={size},nosuid,nodev shm {q(r + '/dev/shm')}",
              f"{mount} -t proc -o nosuid,nodev,noexec proc {q(r + '/proc')}",
              # cwd is a copy of the real one on a size-limited tmpfs, not a bind: RLIMIT_FSIZE
              # caps one file, not how many, and the grader's disk must not fill up.
              f"mkdir -p {q(r + cwd)}",
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
    bound: list[str] = []
    for src in [*SYSTEM_DIRS, *_minimal(readable)]:
        if os.path.islink(src) and os.path.realpath(src) != src:
            out += ["--symlink", os.readlink(src), src]
            src = os.path.realpath(src)
        if os.path.exists(src) and not any(_under(src, b) for b in bound):
            out += ["--ro-bind", src, src]
            bound.append(src)
    for h in _minimal(hidden):
        if any(_under(h, b) for b in bound) and os.path.isdir(h):
            out += ["--tmpfs", h]
    out += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", cwd, cwd,
            "--chdir", cwd, "--", _tool("prlimit") or "prlimit", *limits.prlimit_args(), "--",
            *argv]
    return out


# The unprivileged supervisor: a child subreaper, so that orphans (double fork + setsid) are
# re-parented to it instead of init, and killed with everything else when the child ends.
_SUPERVISOR = r"""
import ctypes, os, signal, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(36, 1, 0, 0, 0)                     # PR_SET_CHILD_SUBREAPER
libc.prctl(1, signal.SIGTERM, 0, 0, 0)         # PR_SET_PDEATHSIG: die with the grader
parent, fds, argv = int(sys.argv[1]), [int(x) for x in sys.argv[2].split(",") if x], sys.argv[3:]
if os.getppid() != parent:
    sys.exit(137)
class Stop(Exception):
    pass
def stop(*_):
    raise Stop
signal.signal(signal.SIGTERM, stop)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.execvp(argv[0], argv)
for fd in fds:
    os.close(fd)                               # so the grader sees EOF when the child ends
status = None
try:
    while status is None:
        try:
            p, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        if p == pid:
            status = st
except Stop:
    pass
signal.signal(signal.SIGTERM, signal.SIG_IGN)
def descendants():
    me, out = os.getpid(), []
    for e in os.listdir("/proc"):
        try:
            with open(f"/proc/{e}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == me:
                    out.append(int(e))
        except (OSError, ValueError, IndexError):
            pass
    return out
while True:                                     # kill and reap until no child is left
    kids = descendants()
    for k in kids:
        try:
            os.kill(k, signal.SIGKILL)
        except OSError:
            pass
    try:
        p, st = os.waitpid(-1, 0 if kids else os.WNOHANG)
        if p == pid and status is None:
            status = st
        if p == 0 and not kids:
            break
    except ChildProcessError:
        break
if status is None or os.WIFSIGNALED(status):  # die the same way, so the grader sees it
    sig = os.WTERMSIG(status) if status is not None else signal.SIGKILL
    if sig not in (signal.SIGKILL, signal.SIGSTOP):
        signal.signal(sig, signal.SIG_DFL)
    os.kill(os.getpid(), sig)
sys.exit(os.WEXITSTATUS(status))
"""


def unprivileged_argv(argv: list[str], *, pass_fds, limits: Limits) -> list[str]:
    """prlimit -> supervisor (subreaper) -> argv, all as the current user."""
    return [_tool("prlimit") or "prlimit", *limits.prlimit_args(), "--", sys.executable, "-I",
            "-S", "-c", _SUPERVISOR, str(os.getpid()), ",".join(str(f) for f in pass_fds), *argv]


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

    def __init__(self, popen: subprocess.Popen, mode: str, *, uid: int | None = None,
                 gid: int | None = None, slot: int | None = None, slot_fd: int | None = None,
                 protected: list[str] | None = None, holder: str = "",
                 newroot: str | None = None):
        self.popen = popen
        self.pid = popen.pid
        self.mode = mode
        self.uid, self.gid = uid, gid
        self.slot = slot  # which sandbox user (root modes): STATE_DIR/slot<N>.lock is held
        self._slot_fd = slot_fd
        self._protected = protected or []
        self._holder = holder
        self._newroot = newroot
        self._killed = False

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child; its return code, negative if killed by that signal.

        In root-sandbox mode the namespace's init shell reports a signal as 128 + signal:
        translated here (so ``popen.returncode`` itself may read 152 where this says -24).
        """
        rc = self.popen.wait(timeout)
        if self.mode == "root-sandbox" and rc > 128:
            return -(rc - 128)
        return rc

    def kill_all(self) -> None:
        """Kill the child's whole tree and wait until none of it is alive. Idempotent."""
        if self._killed:
            return
        try:
            self._kill_tree()
        finally:
            self._killed = True
            if self._protected:
                _unprotect(self._protected, self._holder)
            if self._slot_fd is not None:
                os.close(self._slot_fd)  # releases the flock: the sandbox user is free again
            if self._newroot:
                try:
                    os.rmdir(self._newroot)
                except OSError:
                    pass

    def _kill_tree(self) -> None:
        popen = self.popen
        if self.mode == "root-sandbox" and popen.poll() is None:
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
        elif self.mode == "unprivileged":
            _signal(popen.pid, signal.SIGTERM)  # the supervisor kills all it has reaped
            try:
                popen.wait(5)
            except subprocess.TimeoutExpired:
                pass
        elif popen.poll() is None:
            _signal(-popen.pid, signal.SIGKILL)  # its session's process group
        if popen.poll() is None:
            _signal(popen.pid, signal.SIGKILL)
        popen.wait(10)
        if self.uid is not None:
            _kill_uid(self.uid, self.gid)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except OSError as e:
        if e.errno not in (errno.ESRCH, errno.EPERM):
            raise


def spawn(argv: list[str], *, pass_fds=(), cwd: str, env: dict | None = None,
          limits: Limits | None = None, readable_paths=(), hidden_paths=(), stdin=None,
          stdout=None, stderr=None, mode: str | None = None) -> Sandboxed:
    """Start ``argv`` (e.g. ``[sys.executable, "-I", "-u", cwd + "/child.py", r, w]``) sandboxed.

    pass_fds: fds the child inherits (same numbers), e.g. the protocol pipes; all others are
        closed. cwd: an existing directory holding the child script and the notebook; chowned
        to the sandbox user when root. env: the child's environment (default ``default_env``).
    readable_paths: extra paths the child may read, beside the system dirs and the Python
        installation. hidden_paths: extra paths it must not see (the results dir, ...), beside
        ``default_hidden_paths()``. mode: force a mode (tests), default ``mode()``.
    """
    which = mode or globals()["mode"]()
    if which not in MODES:
        raise ValueError(f"unknown sandbox mode {which!r}")
    limits = limits or Limits()
    cwd = os.path.realpath(cwd)
    argv = [str(a) for a in argv]
    readable = [*default_readable_paths(argv[0]), *map(str, readable_paths)]
    hidden = [*default_hidden_paths(), *(os.path.realpath(h) for h in hidden_paths)]
    uid = gid = slot = slot_fd = newroot = None
    protected: list[str] = []
    holder = f"{os.getpid()}:{time.monotonic_ns()}"
    if which in ("root-sandbox", "root-user-only"):
        if os.geteuid() != 0:
            raise PermissionError(f"sandbox mode {which} needs root")
        slot, slot_fd, uid, gid = _acquire_slot()
    try:
        if uid is not None:
            for dirpath, dirnames, filenames in os.walk(cwd):
                for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
                    os.lchown(name, uid, gid)
            os.chmod(cwd, 0o700)
        if which == "root-sandbox":
            newroot = tempfile.mkdtemp(prefix="rnn-sandbox-root-")
            full = root_sandbox_argv(argv, uid=uid, gid=gid, newroot=newroot, cwd=cwd,
                                     readable=readable, hidden=hidden, limits=limits,
                                     pass_fds=pass_fds)
            env = env if env is not None else default_env(cwd)
        elif which == "root-user-only":
            # Hidden dirs that hold cwd cannot be closed without locking the child out of cwd.
            protected = [h for h in _minimal(hidden) if not _under(cwd, h)]
            _protect(protected, holder)
            for path in (shutil.which(argv[0]) or argv[0], os.path.dirname(cwd)):
                if not _others_may_reach(path):
                    raise RuntimeError(
                        f"{path} is not reachable by the sandbox user (a directory on its way "
                        f"is closed to others, e.g. /root or the project dir): in mode "
                        f"root-user-only, run the child with a Python installed outside them "
                        f"(e.g. /usr/bin/python3 with numpy from pip) and a cwd under /tmp")
            full = root_user_only_argv(argv, uid=uid, gid=gid, limits=limits)
            env = env if env is not None else default_env(cwd, tmpdir=cwd)
        elif which == "bubblewrap":
            full = bubblewrap_argv(argv, cwd=cwd, readable=readable, hidden=hidden,
                                   limits=limits, bwrap=shutil.which("bwrap") or "bwrap")
            env = env if env is not None else default_env(cwd)
        else:
            full = unprivileged_argv(argv, pass_fds=pass_fds, limits=limits)
            env = env if env is not None else default_env(cwd, tmpdir=cwd)
        popen = subprocess.Popen(full, pass_fds=tuple(pass_fds), close_fds=True, cwd=cwd,
                                 env=env, stdin=stdin, stdout=stdout, stderr=stderr,
                                 start_new_session=True)
    except BaseException:
        if protected:
            _unprotect(protected, holder)
        if slot_fd is not None:
            os.close(slot_fd)
        if newroot:
            os.rmdir(newroot)
        raise
    return Sandboxed(popen, which, uid=uid, gid=gid, slot=slot, slot_fd=slot_fd,
                     protected=protected,
                     holder=holder, newroot=newroot)
