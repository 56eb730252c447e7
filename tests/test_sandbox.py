"""The sandbox that runs student code: each claim of autograder/isolation/sandbox.py, tried
from inside.

Root tests run in two modes: "root-sandbox" (namespaces) and "root-user-only" (forced, as on a
host whose seccomp forbids unshare). The unprivileged mode is tried by re-running a small script
as the user nobody. No test sends a packet off this machine: "no network" is shown on loopback.
"""

import contextlib
import fcntl
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from autograder.isolation import sandbox

ROOT = os.geteuid() == 0
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")
needs_root = pytest.mark.skipif(not ROOT, reason="root modes need root")


@pytest.fixture(scope="module", params=["root-sandbox", "root-user-only"])
def root_mode(request):
    """(mode, python for the child). Skips a mode this machine cannot run."""
    if not ROOT:
        pytest.skip("root modes need root")
    if request.param == "root-sandbox":
        if not sandbox.namespaces_permitted():
            pytest.skip("namespaces (unshare/mount) are not permitted here")
        return request.param, sys.executable  # the venv's Python, bound read-only
    # Without namespaces the sandbox user must be able to reach the interpreter itself; this
    # machine's venv Python lives under /root (0700), the system one does not.
    if SYSTEM_PYTHON is None:
        pytest.skip("root-user-only test needs a system python3 in /usr/bin")
    return request.param, SYSTEM_PYTHON


def start(mode_py, code, *, limits=None, hidden=(), pass_fds=(), args=()):
    """Spawn ``code`` as child.py in a fresh cwd; returns (Sandboxed, cwd)."""
    which, python = mode_py
    cwd = tempfile.mkdtemp(prefix="sandbox-test-")
    Path(cwd, "child.py").write_text(textwrap.dedent(code))
    box = sandbox.spawn([python, "-I", "-u", os.path.join(cwd, "child.py"), *map(str, args)],
                        pass_fds=pass_fds, cwd=cwd, limits=limits or sandbox.Limits(),
                        hidden_paths=hidden, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        mode=which)
    return box, cwd


def run(mode_py, code, timeout=20, **kw):
    """Run ``code`` to its end; returns (returncode, output, Sandboxed)."""
    box, cwd = start(mode_py, code, **kw)
    try:
        out, _ = box.popen.communicate(timeout=timeout)
    finally:
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)
    return box.wait(), out.decode(errors="replace"), box


@contextlib.contextmanager
def holding_slot(slot):
    """Hold a sandbox user's lock, so that no other grader (another engineer's tests running
    concurrently) starts a child as that user while we count its processes."""
    fd = os.open(sandbox._slot_path(slot), os.O_RDWR)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                assert time.monotonic() < deadline, "sandbox slot busy for 30 s"
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def assert_nothing_left(box):
    """No process of the box's sandbox user is alive. Zombies may remain: they are dead (no
    memory, no code, no files) and init reaps them on its own schedule; a "Z" leader with a
    thread still running counts as alive (sandbox._alive)."""
    assert box.popen.poll() is not None
    if box.uid is None:
        return
    with holding_slot(box.slot):
        left = sandbox._uid_processes(box.uid)
        assert left == [], [Path(f"/proc/{p}/status").read_text()[:300] for p in left]
        if shutil.which("pgrep"):
            # pgrep, a second opinion on who belongs to the user, lists zombies too.
            found = subprocess.run(["pgrep", "-u", str(box.uid)], capture_output=True, text=True)
            alive = [int(p) for p in found.stdout.split() if sandbox._alive(int(p))]
            assert alive == [], alive


@pytest.fixture
def secrets():
    """A results-like dir, world-writable, holding a world-readable file: permissions alone
    would not protect it."""
    d = tempfile.mkdtemp(prefix="sandbox-hidden-")
    os.chmod(d, 0o777)
    Path(d, "secret.txt").write_text("reference answer")
    os.chmod(Path(d, "secret.txt"), 0o644)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_cannot_read_project_or_hidden_dirs(root_mode, secrets):
    before = os.stat(sandbox.PROJECT_ROOT).st_mode
    code = f"""
    import os
    for p in [{str(sandbox.PROJECT_ROOT / "solutions" / "rnn.py")!r}, {secrets + "/secret.txt"!r},
              "/root/.bashrc"]:
        try:
            open(p).read()
            print("READ", p)
        except OSError as e:
            print("denied", type(e).__name__)
    for p in [{secrets!r}, {str(sandbox.PROJECT_ROOT)!r}]:
        try:
            print("LISTED", p, os.listdir(p))
        except OSError as e:
            print("denied", type(e).__name__)
    try:
        import solutions
        print("IMPORTED solutions")
    except ImportError:
        print("no solutions")
    """
    rc, out, box = run(root_mode, code, hidden=[secrets])
    assert rc == 0, out
    assert "READ" not in out and "IMPORTED" not in out and "reference answer" not in out
    assert out.count("denied") == 4 + ("LISTED" not in out), out
    if root_mode[0] == "root-sandbox":
        # A whitelist: the project dir exists only as the mount point of the venv (if any).
        listed = [line for line in out.splitlines() if line.startswith("LISTED")]
        assert all("solutions" not in line and "tests" not in line for line in listed), out
    # root-user-only chmods the dirs for the child's lifetime only.
    assert os.stat(sandbox.PROJECT_ROOT).st_mode == before
    assert_nothing_left(box)


def test_numpy_importable_in_namespace_sandbox(root_mode):
    if root_mode[0] != "root-sandbox":
        pytest.skip("root-user-only runs the system Python, which has no numpy here")
    rc, out, _ = run(root_mode, "import numpy; print('numpy', numpy.ones(3).sum())")
    assert rc == 0 and "numpy 3.0" in out, out


def test_readable_path_under_tmp_stays_visible(root_mode):
    # A CI checkout under /tmp has its venv there: the child's fresh /tmp must not hide it.
    if root_mode[0] != "root-sandbox":
        pytest.skip("only the namespace sandbox builds a fresh /tmp")
    shared = Path(tempfile.mkdtemp(prefix="sandbox-readable-", dir="/tmp"))
    try:
        (shared / "marker.txt").write_text("visible")
        os.chmod(shared, 0o755)
        os.chmod(shared / "marker.txt", 0o644)
        which, python = root_mode
        cwd = tempfile.mkdtemp(prefix="sandbox-test-")
        Path(cwd, "child.py").write_text(f"print(open({str(shared / 'marker.txt')!r}).read())")
        box = sandbox.spawn([python, "-I", "-u", os.path.join(cwd, "child.py")], cwd=cwd,
                            limits=sandbox.Limits(), readable_paths=[str(shared)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, mode=which)
        try:
            out, _ = box.popen.communicate(timeout=20)
        finally:
            box.kill_all()
            shutil.rmtree(cwd, ignore_errors=True)
        assert box.wait() == 0 and "visible" in out.decode(), out
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def test_cannot_write_results_dir(root_mode, secrets):
    code = f"""
    try:
        open({secrets + "/results.json"!r}, "w").write("{{\\"score\\": 100}}")
        print("WROTE")
    except OSError as e:
        print("denied", type(e).__name__)
    """
    rc, out, _ = run(root_mode, code, hidden=[secrets])
    assert rc == 0 and "denied" in out, out
    assert not os.path.exists(os.path.join(secrets, "results.json"))


def test_cannot_kill_the_grader(root_mode):
    sentinel = subprocess.Popen(["sleep", "30"])
    try:
        code = f"""
        import os, signal, subprocess
        print("ppid", os.getppid(), flush=True)
        for target in ({os.getpid()}, {sentinel.pid}, -1):
            try:
                os.kill(target, signal.SIGKILL)
                print("sent", target, flush=True)
            except OSError as e:
                print("denied", target, type(e).__name__, flush=True)
        subprocess.run(["/bin/sh", "-c", "kill -9 -1"])
        try:
            os.kill(os.getppid(), signal.SIGKILL)
        except OSError as e:
            print("denied ppid", type(e).__name__, flush=True)
        print("still here")
        """
        rc, out, _ = run(root_mode, code)
        time.sleep(0.1)
        assert sentinel.poll() is None, "a root process of the grader's was killed"
        assert f"sent {sentinel.pid}" not in out, out
        if root_mode[0] == "root-sandbox":
            assert "ppid 1" in out, out  # its parent is the namespace init; the grader is outside
        else:
            assert f"denied {os.getpid()} PermissionError" in out, out
    finally:
        sentinel.kill()
        sentinel.wait()


def test_no_network(root_mode):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    try:
        code = f"""
        import socket
        print("interfaces", [n for _, n in socket.if_nameindex()])
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", {port}))
            print("CONNECTED")
        except OSError as e:
            print("refused", type(e).__name__)
        """
        rc, out, _ = run(root_mode, code)
        assert rc == 0, out
        if root_mode[0] == "root-sandbox":
            assert "interfaces ['lo']" in out and "refused" in out, out
        else:
            assert "CONNECTED" in out, out  # documented: this mode does not isolate the network
    finally:
        server.close()


def test_rlimits_in_effect(root_mode):
    limits = sandbox.Limits(memory_bytes=1536 * 2**20, cpu_seconds=77, nproc=33,
                            file_size_bytes=10**6, open_files=99)
    code = """
    import resource
    for name in ["AS", "CPU", "NPROC", "FSIZE", "NOFILE", "CORE"]:
        print(name, *resource.getrlimit(getattr(resource, "RLIMIT_" + name)))
    try:
        open("big", "wb").write(b"x" * 2_000_000)
        print("WROTE 2MB")
    except OSError as e:
        print("fsize", e.errno)
    """
    rc, out, _ = run(root_mode, code, limits=limits)
    assert rc == 0, out
    for line in ["AS 1610612736 1610612736", "CPU 77 78", "NPROC 33 33", "FSIZE 1000000 1000000",
                 "NOFILE 99 99", "CORE 0 0", "fsize 27"]:  # 27 = EFBIG
        assert line in out, out


def test_cpu_limit_kills_with_sigxcpu(root_mode):
    rc, out, _ = run(root_mode, "while True: pass", limits=sandbox.Limits(cpu_seconds=1))
    assert rc == -signal.SIGXCPU, out


def test_fork_bomb_contained_and_cleaned_up(root_mode):
    code = """
    import os, time
    print("bombing", flush=True)
    end = time.time() + 20
    while time.time() < end:
        try:
            os.fork()
        except OSError:
            time.sleep(0.01)
    """
    box, cwd = start(root_mode, code, limits=sandbox.Limits(nproc=16))
    try:
        assert box.popen.stdout.readline().strip() == b"bombing"
        time.sleep(1.0)
        alive = sandbox._uid_processes(box.uid)
        assert 2 <= len(alive) <= 16, alive
    finally:
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)
    assert_nothing_left(box)


def test_memory_bomb_fails_without_harming_grader(root_mode):
    code = """
    try:
        x = bytearray(10 * 1024**3)
        print("ALLOCATED")
    except MemoryError:
        print("MemoryError")
    chunks = []
    try:
        while True:
            chunks.append(bytearray(64 * 1024**2))
    except MemoryError:
        print("stopped at", len(chunks) * 64, "MB")
    """
    rc, out, _ = run(root_mode, code, limits=sandbox.Limits(memory_bytes=512 * 2**20))
    assert rc == 0 and "MemoryError" in out and "stopped at" in out, out
    assert int(out.split("stopped at")[1].split()[0]) <= 512


# A child that leaves a grandchild in a session of its own (escaping the process group
# kill), which writes late.txt after 0.8 s unless it is killed first.
DETACHED_GRANDCHILD = """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(0.8)
            open("late.txt", "w").write("escaped")
            os._exit(0)
        os._exit(0)
    os.wait()
"""


def test_detached_grandchild_is_killed(root_mode):
    code = DETACHED_GRANDCHILD + """
    print("detached", flush=True)
    time.sleep(30)
    """
    box, cwd = start(root_mode, code)
    try:
        assert box.popen.stdout.readline().strip() == b"detached"
        t0 = time.monotonic()
        box.kill_all()
        assert time.monotonic() - t0 < 5
        assert box.wait(1) == -signal.SIGKILL
        time.sleep(1.2)
        assert not os.path.exists(os.path.join(cwd, "late.txt"))
        assert_nothing_left(box)
        box.kill_all()  # idempotent
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def test_grandchild_dies_after_child_exits_by_itself(root_mode):
    code = DETACHED_GRANDCHILD + """
    os._exit(7)
    """
    box, cwd = start(root_mode, code)
    try:
        rc = box.wait(10)
        box.kill_all()
        assert rc == 7  # os._exit's status comes through unshare/setpriv unchanged
        box.kill_all()  # after the child exited: still sweeps the detached grandchild
        time.sleep(1.2)
        assert not os.path.exists(os.path.join(cwd, "late.txt"))
        assert_nothing_left(box)
    finally:
        shutil.rmtree(cwd, ignore_errors=True)


def test_zombie_leader_with_a_live_thread_is_killed(root_mode):
    # A leader that calls exit(2) alone reads "Z" while its thread runs on: not a zombie to us.
    code = DETACHED_GRANDCHILD.replace("time.sleep(0.8)", """import ctypes, platform, threading
            threading.Thread(target=time.sleep, args=(0.8,)).start()
            ctypes.CDLL(None).syscall({"x86_64": 60, "aarch64": 93}[platform.machine()], 0)
            time.sleep(0.8)""") + """
    os._exit(7)
    """
    if platform.machine() not in ("x86_64", "aarch64"):
        pytest.skip("SYS_exit's number is known for x86_64 and aarch64 only")
    box, cwd = start(root_mode, code)
    try:
        assert box.wait(10) == 7
        time.sleep(0.2)
        if box.mode == "root-user-only":  # visible from here: the grader's own PID namespace
            # The only process left of the user, and all that would stop kill_all from
            # returning at once without killing anything.
            [leader] = sandbox._uid_processes(box.uid)
            assert sandbox._proc_state(leader) == "Z" and sandbox._alive(leader)
        box.kill_all()
        time.sleep(1.2)
        assert not os.path.exists(os.path.join(cwd, "late.txt"))
        assert_nothing_left(box)
    finally:
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)


@needs_root
def test_zombies_are_not_waited_for_and_their_user_is_not_reused(monkeypatch):
    slot, fd, uid, gid = sandbox._acquire_slot()
    zombie = os.fork()
    if zombie == 0:  # pragma: no cover - a process of the sandbox user that exits at once
        os.setresuid(uid, uid, uid)
        os._exit(0)
    held = []
    try:
        deadline = time.monotonic() + 5
        while sandbox._proc_state(zombie) != "Z" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sandbox._uid_processes(uid) == []
        assert sandbox._uid_processes(uid, zombies=True) == [zombie]
        t0 = time.monotonic()
        sandbox._kill_uid(uid, gid)  # nothing alive: returns at once, the zombie stays
        assert time.monotonic() - t0 < 0.5 and sandbox._proc_state(zombie) == "Z"
        os.close(fd)
        fd = None
        # The user is free but holds a zombie: the next child gets another one.
        other, other_fd, other_uid, _ = sandbox._acquire_slot()
        os.close(other_fd)
        assert other != slot and other_uid != uid
        # Unless every free user has zombies: then it waits (a bounded time) and takes it.
        for lower in range(slot):
            lower_fd = os.open(sandbox._slot_path(lower), os.O_RDWR | os.O_CREAT, 0o600)
            held.append(lower_fd)
            with contextlib.suppress(OSError):  # busy already: also unavailable
                fcntl.flock(lower_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        monkeypatch.setattr(sandbox, "MAX_SLOTS", slot + 1)
        t0 = time.monotonic()
        got, fd, _, _ = sandbox._acquire_slot(reap_wait=0.3)
        assert got == slot and 0.3 <= time.monotonic() - t0 < 2.0
    finally:
        os.waitpid(zombie, 0)
        for held_fd in [*held, *([fd] if fd is not None else [])]:
            os.close(held_fd)


def test_pass_fds_pipes_work_and_nothing_else_leaks(root_mode):
    down_r, down_w = os.pipe()
    up_r, up_w = os.pipe()
    leak = os.open("/dev/null", os.O_RDONLY)
    os.set_inheritable(leak, True)  # close_fds must still keep it out of the child
    code = """
    import os, sys
    r, w = int(sys.argv[1]), int(sys.argv[2])
    line = os.read(r, 100)
    fds = sorted(int(f) for f in os.listdir("/proc/self/fd"))
    os.write(w, line.upper() + b" " + repr(fds).encode())
    """
    box, cwd = start(root_mode, code, pass_fds=(down_r, up_w), args=(down_r, up_w))
    try:
        os.close(down_r)
        os.close(up_w)
        os.write(down_w, b"ping")
        os.close(down_w)
        reply = b""
        while chunk := os.read(up_r, 1000):
            reply += chunk
        assert reply.startswith(b"PING "), reply
        fds = json.loads(reply[5:].decode())
        extra = set(fds) - {0, 1, 2, down_r, up_w}
        assert len(extra) <= 1, fds  # listdir's own fd, the lowest free number
        assert leak not in extra or leak == 3, fds
        assert box.wait(10) == 0
    finally:
        box.kill_all()
        os.close(up_r)
        os.close(leak)
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)


@needs_root
def test_cwd_belongs_to_sandbox_user_and_slots_are_distinct():
    which = sandbox.mode()
    if which not in ("root-sandbox", "root-user-only"):
        pytest.skip(f"mode is {which}")
    py = sys.executable if which == "root-sandbox" else SYSTEM_PYTHON
    a, cwd_a = start((which, py), "import time; time.sleep(30)")
    b, cwd_b = start((which, py), "import time; time.sleep(30)")
    try:
        assert a.uid != b.uid  # concurrent children never share a user
        assert os.stat(cwd_a).st_uid == a.uid and os.stat(cwd_a).st_mode & 0o777 == 0o700
        a.kill_all()
        assert b.popen.poll() is None  # killing a's user spared b
    finally:
        a.kill_all()
        b.kill_all()
        shutil.rmtree(cwd_a, ignore_errors=True)
        shutil.rmtree(cwd_b, ignore_errors=True)


@needs_root
def test_root_user_only_refuses_an_unreachable_interpreter(tmp_path):
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    fake = closed / "python"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    cwd = tempfile.mkdtemp()
    before = os.stat(sandbox.PROJECT_ROOT).st_mode
    try:
        with pytest.raises(RuntimeError, match="not reachable by the sandbox user"):
            sandbox.spawn([str(fake)], cwd=cwd, mode="root-user-only")
    finally:
        shutil.rmtree(cwd)
    assert os.stat(sandbox.PROJECT_ROOT).st_mode == before  # the chmods were undone


@needs_root
def test_ensure_sandbox_user():
    uid, gid = sandbox.ensure_sandbox_user()
    assert uid != 0 and gid != 0
    assert sandbox.ensure_sandbox_user() == (uid, gid)


def test_mode_can_be_forced(monkeypatch):
    monkeypatch.setenv("RNN_SANDBOX_MODE", "root-user-only")
    assert sandbox.mode() == "root-user-only"
    assert "NOT protected" in sandbox.describe_mode()
    monkeypatch.setenv("RNN_SANDBOX_MODE", "bogus")
    with pytest.raises(ValueError):
        sandbox.mode()
    for which in sandbox.MODES:
        assert sandbox.describe_mode(which).startswith(which)


def test_bubblewrap_argv_applies_the_same_policy(tmp_path):
    hidden = tmp_path / "ro" / "solutions"
    hidden.mkdir(parents=True)
    argv = sandbox.bubblewrap_argv(["python3", "child.py"], cwd="/tmp/work",
                                   readable=[str(tmp_path / "ro")], hidden=[str(hidden)],
                                   limits=sandbox.Limits())
    joined = " ".join(argv)
    for flag in ["--unshare-all", "--die-with-parent", "--new-session", "--ro-bind /usr /usr",
                 f"--ro-bind {tmp_path}/ro {tmp_path}/ro", f"--tmpfs {hidden}",
                 "--bind /tmp/work /tmp/work", "--proc /proc", "--as=2147483648:2147483648"]:
        assert flag in joined, flag
    assert str(sandbox.PROJECT_ROOT) + " " not in joined
    assert argv[-2:] == ["python3", "child.py"]


def test_namespace_script_is_a_whitelist():
    script = sandbox.namespace_script("/tmp/R", "/tmp/cwd", readable=[], hidden=[],
                                      limits=sandbox.Limits())
    assert "--bind -o ro,nosuid,nodev /usr /tmp/R/usr" in script
    assert f" {sandbox.PROJECT_ROOT} " not in script  # never bound, so absent for the child
    assert "pivot_root . .oldroot" in script and script.rstrip().endswith('wait "$!"')


UNPRIVILEGED_SCRIPT = r"""
import json, os, subprocess, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from autograder.isolation import sandbox
cwd = tempfile.mkdtemp()
child = '''
import os, resource, time
print("nproc", resource.getrlimit(resource.RLIMIT_NPROC)[0], flush=True)
try:
    open(%r).read(); print("read-solutions", flush=True)
except OSError:
    print("no-read", flush=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(0.8); open("late.txt", "w").write("escaped"); os._exit(0)
    os._exit(0)
os.wait()
print("detached", flush=True)
time.sleep(30)
''' % sys.argv[2]
open(os.path.join(cwd, "child.py"), "w").write(child)
from autograder.isolation import confine
tasks = confine.user_tasks(os.getuid())
box = sandbox.spawn([sys.executable, "-I", "child.py"], cwd=cwd, stdout=subprocess.PIPE,
                    limits=sandbox.Limits(nproc=50))
lines = [box.popen.stdout.readline().decode().strip() for _ in range(3)]
box.kill_all()
time.sleep(1.2)
print(json.dumps({"mode": sandbox.mode(), "lines": lines, "rc": box.popen.returncode,
                  "late": os.path.exists(os.path.join(cwd, "late.txt")), "tasks": tasks,
                  "landlock": sandbox.landlock_abi()}))
"""


@needs_root
@pytest.mark.parametrize("which", ["unprivileged", "bubblewrap"])
def test_non_root_modes_as_nobody(which):
    if SYSTEM_PYTHON is None:
        pytest.skip("needs a system python3 that the user nobody can run")
    if which == "bubblewrap" and not shutil.which("bwrap"):
        pytest.skip("bwrap is not installed")
    tmp = tempfile.mkdtemp(prefix="sandbox-unpriv-")
    os.chmod(tmp, 0o755)
    script = Path(tmp, "unpriv.py")
    script.write_text(UNPRIVILEGED_SCRIPT)
    rnn = str(sandbox.PROJECT_ROOT / "solutions" / "rnn.py")
    r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        SYSTEM_PYTHON, "-I", str(script), str(sandbox.PROJECT_ROOT), rnn],
                       capture_output=True, text=True, timeout=30, cwd="/tmp",
                       env={"PATH": "/usr/bin:/bin", "TMPDIR": "/tmp", "RNN_SANDBOX_MODE": which})
    shutil.rmtree(tmp, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout.strip().splitlines()[-1])
    assert result["mode"] == which
    if which == "bubblewrap":
        assert result["lines"][0] == "nproc 50"
        assert result["lines"][1] == "no-read"
    else:
        # RLIMIT_NPROC counts all of the user's tasks: 50 above those it had (this script, the
        # supervisor and the launcher), not 50 in all.
        nproc = int(result["lines"][0].split()[1])
        assert result["tasks"] + 50 <= nproc <= result["tasks"] + 50 + 4, (nproc, result)
        # Without Landlock, plainly what this mode does NOT protect (describe_mode says so).
        readable = os.access(rnn, os.R_OK) and result["landlock"] < 1
        assert result["lines"][1] == ("read-solutions" if readable else "no-read")
    assert result["lines"][2] == "detached"
    assert result["rc"] in (-signal.SIGTERM, -signal.SIGKILL)
    assert not result["late"], "the detached grandchild outlived kill_all"


GRADER_SCRIPT = r"""
import os, subprocess, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
from autograder.isolation import sandbox
cwd = tempfile.mkdtemp()
child = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(30)\n"
open(os.path.join(cwd, "child.py"), "w").write(child + "print('up', flush=True)\ntime.sleep(30)\n")
box = sandbox.spawn([sys.argv[2], "-I", "child.py"], cwd=cwd, stdout=subprocess.PIPE,
                    mode=sys.argv[3])
box.popen.stdout.readline()
print(box.uid, box.slot, flush=True)
time.sleep(30)
"""


@needs_root
def test_child_dies_with_a_killed_grader(tmp_path):
    """A grader killed by SIGKILL (no kill_all) takes the namespace sandbox with it."""
    if not sandbox.namespaces_permitted():
        pytest.skip("namespaces are not permitted here")
    script = tmp_path / "grader.py"
    script.write_text(GRADER_SCRIPT)
    grader = subprocess.Popen([sys.executable, str(script), str(sandbox.PROJECT_ROOT),
                               sys.executable, "root-sandbox"], stdout=subprocess.PIPE)
    try:
        uid, slot = map(int, grader.stdout.readline().split())
        assert len(sandbox._uid_processes(uid)) == 2
        grader.kill()
        grader.wait()
        with holding_slot(slot):
            deadline = time.monotonic() + 5
            while sandbox._uid_processes(uid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert sandbox._uid_processes(uid) == []
    finally:
        grader.kill()
        grader.wait()


def test_limits_defaults():
    lim = sandbox.Limits()
    assert (lim.memory_bytes, lim.cpu_seconds, lim.nproc, lim.file_size_bytes,
            lim.open_files) == (2 * 1024**3, 600, 64, 64 * 1000**2, 256)
    assert f"--nofile={lim.open_files}:{lim.open_files}" in lim.prlimit_args()
    assert resource.RLIMIT_AS  # the platform has the limits we set


UNPRIVILEGED_PROBES = r"""
import os, socket, sys
def attempt(name, fn):
    try:
        fn()
        print(name, "ok", flush=True)
    except OSError as exc:
        print(name, "refused", exc.errno, flush=True)
print("confined", os.environ.get("RNN_CONFINED"), flush=True)
attempt("read-project", lambda: open(sys.argv[1]).read(1))
attempt("write-tmp", lambda: open("/tmp/rnn-unprivileged-stash", "w").write("x"))
attempt("write-cwd", lambda: open("mine.txt", "w").write("x"))
attempt("inet", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM).close())
attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM).close())
attempt("socketpair", lambda: [s.close() for s in socket.socketpair()])
before = (os.getsid(0), os.getpgid(0))
attempt("setsid", os.setsid)
attempt("setpgid", lambda: os.setpgid(0, 0))
print("moved", (os.getsid(0), os.getpgid(0)) != before, flush=True)
attempt("signal-grader", lambda: os.kill(int(sys.argv[2]), 0))
attempt("signal-supervisor", lambda: os.kill(os.getppid(), 0))
import numpy
print("numpy", flush=True)
"""


def test_unprivileged_confines_itself_where_the_kernel_allows():
    """The unprivileged mode's launcher applies what an unprivileged process may do to itself:
    Landlock (files; from ABI 6 signals), seccomp (sockets, setsid/setpgid) and the relative
    RLIMIT_NPROC, each as this machine offers it; the supervisor stays outside."""
    have = sandbox.unprivileged_protections(sys.executable)
    cwd = tempfile.mkdtemp(prefix="sandbox-unpriv-probes-")
    Path(cwd, "child.py").write_text(UNPRIVILEGED_PROBES)
    box = sandbox.spawn([sys.executable, "-I", os.path.join(cwd, "child.py"),
                         str(sandbox.PROJECT_ROOT / "solutions" / "rnn.py"), str(os.getpid())],
                        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        mode="unprivileged")
    try:
        out, _ = box.popen.communicate(timeout=60)
    finally:
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)
    got = {line.split()[0]: line.split()[1:] for line in out.decode().splitlines() if line}
    assert box.wait() == 0 and "numpy" in got, out.decode()
    applied = got["confined"][0].split(",")
    assert {"nproc", "oom_score_adj", *have} <= set(applied), (applied, have)
    assert got["write-cwd"] == ["ok"]
    if "landlock" in have:
        assert got["read-project"][0] == "refused"
        assert got["write-tmp"][0] == "refused"
        assert not os.path.exists("/tmp/rnn-unprivileged-stash")
        if sandbox.landlock_abi() >= 6:
            assert got["signal-grader"][0] == got["signal-supervisor"][0] == "refused"
    if "seccomp" in have:
        assert got["inet"] == got["unix"] == ["refused", str(1)]
        assert got["socketpair"] == ["ok"]
        # No-ops that report success: start_new_session=True still works, nothing moves.
        assert got["setsid"] == got["setpgid"] == ["ok"] and got["moved"] == ["False"]
    assert sandbox.describe_mode("unprivileged").startswith("unprivileged")
    for word in ("Landlock", "seccomp"):
        assert word in sandbox.describe_mode("unprivileged")


def test_unprivileged_fork_bomb_is_killed_with_its_group():
    """Forking processes under the unprivileged supervisor: one group kill ends them all (seccomp
    makes setsid/setpgid no-ops, so none has left the group)."""
    if "seccomp" not in sandbox.unprivileged_protections(sys.executable):
        pytest.skip("without seccomp a child may leave its group (the supervisor hunts it)")
    # Bounded (this test may run as root, whom RLIMIT_NPROC does not stop): 32 processes that
    # fork without pause, so some fork is always under way when the kill comes.
    code = """
import os
for _ in range(5):
    os.fork()
print("up", flush=True)
while True:
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
"""
    cwd = tempfile.mkdtemp(prefix="sandbox-unpriv-bomb-")
    Path(cwd, "child.py").write_text(code)
    box = sandbox.spawn([sys.executable, "-I", os.path.join(cwd, "child.py")], cwd=cwd,
                        stdout=subprocess.PIPE, limits=sandbox.Limits(nproc=40),
                        mode="unprivileged")
    try:
        assert box.popen.stdout.readline().strip() == b"up"
        time.sleep(0.5)
        sid = box.popen.pid
        assert len(sandbox.session_processes(sid)) >= 32
    finally:
        box.kill_all()
        shutil.rmtree(cwd, ignore_errors=True)
    time.sleep(0.2)
    assert sandbox.session_processes(sid) == []


def _user_namespaces_missing() -> str | None:
    """Why an unprivileged bwrap cannot make its namespaces here (None if it can)."""
    for path, bad in (("/proc/sys/user/max_user_namespaces", "0"),
                      ("/proc/sys/kernel/unprivileged_userns_clone", "0"),
                      ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", "1")):
        with contextlib.suppress(OSError):
            if Path(path).read_text().strip() == bad:
                return f"{path} is {bad}"
    return None


@pytest.mark.slow
@pytest.mark.parametrize("which", ["bubblewrap", "unprivileged"])
def test_a_ta_grades_the_solved_notebook_with_full_marks(which, tmp_path):
    """A TA's own (non-root) user grades the solved notebook in each non-root mode: full marks,
    no error, the mode line says the mode (every bubblewrap grade was once an internal error)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
    import gradescope_box as box
    import ta_box

    from autograder.build import build_notebooks, included_names

    if which == "bubblewrap":
        if not shutil.which("bwrap"):
            pytest.skip("bubblewrap is not installed (.ci/run installs it)")
        if _user_namespaces_missing():
            pytest.skip(f"no user namespaces for bwrap: {_user_namespaces_missing()}")
    reason = box.unavailable()
    if reason:
        pytest.skip(f"no box for a TA's user here: {reason}")
    import nbformat

    source = sandbox.PROJECT_ROOT / "assignment" / "rnn_dinosaurs.py"
    solved = build_notebooks(source, {n: [] for n in included_names(source)}).solved
    work = tmp_path / "ta"
    work.mkdir()
    nbformat.write(solved, work / "solved.ipynb")
    ta_box.give_to_ta(work)
    result = ta_box.run_as_ta([sys.executable, "-m", "autograder", "grade", "/opt/ta/solved.ipynb",
                               "--out", "/opt/ta/results", "--no-progress"], work, which,
                              timeout=600)
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-2000:])
    assert f"autograder isolation: {which}" in result.stderr
    results = json.loads((work / "results" / "solved" / "results.json").read_text())
    assert results["extra_data"]["error"] is None, results["output"][:3000]
    assert results["tests"] and all(t["score"] == t["max_score"] > 0 for t in results["tests"]), \
        results["output"][:3000]


def test_bubblewrap_closes_even_its_own_loopback():
    """bwrap's network namespace has a loopback of its own, up: the seccomp filter closes it."""
    if not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed")
    if not sandbox.seccomp_available(sys.executable):
        pytest.skip("no seccomp filter can be loaded here (the loopback stays open)")
    code = """
import os, socket
print("confined", os.environ.get("RNN_CONFINED"), flush=True)
try:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    socket.create_connection(server.getsockname(), timeout=2).close()
    print("net open", flush=True)
except OSError as exc:
    print("net closed", exc.errno, flush=True)
"""
    rc, out, _ = run(("bubblewrap", sys.executable), code, timeout=60)
    assert rc == 0, out
    assert "confined seccomp" in out and "net closed 1" in out, out


NAMESPACED_GRADER = r"""
import sys
sys.path.insert(0, sys.argv[1])
from autograder.isolation import sandbox
sandbox._chmod_state(lambda state: None)  # what every start and end of a child does
"""


@needs_root
def test_a_grader_in_other_namespaces_leaves_our_closed_folders_alone(tmp_path):
    """The chmod state lives in /run, which Gradescope-like boxes share with the host. A grader
    in a box (its own PID and mount namespaces) once judged the host's holders dead (their pids
    are not in its namespace), dropped them and, the host's path being absent in the box, never
    restored it: the project tree stayed 0700 on the host, and a TA's user could no longer run
    its Python (every bubblewrap grade an internal error)."""
    if not sandbox.namespaces_permitted():
        pytest.skip("namespaces are not permitted here")
    closed = tmp_path / "work" / "project"
    closed.mkdir(parents=True)
    os.chmod(closed, 0o755)
    holder = f"{os.getpid()}:{time.monotonic_ns()}"
    sandbox._protect([str(closed)], holder)
    try:
        assert os.stat(closed).st_mode & 0o777 == 0o700
        script = tmp_path / "grader.py"
        script.write_text(NAMESPACED_GRADER)
        # As in a box: its own PID namespace, and our folder hidden (the box's /work is).
        hide = f"mount -t tmpfs hidden {shlex.quote(str(tmp_path / 'work'))} && exec \"$@\""
        r = subprocess.run(["unshare", "--pid", "--fork", "--mount", "--mount-proc", "sh", "-c",
                            hide, "sh", sys.executable, "-I", str(script),
                            str(sandbox.PROJECT_ROOT)],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        # Still closed (the other grader did not reopen it while our child runs) ...
        assert os.stat(closed).st_mode & 0o777 == 0o700
    finally:
        sandbox._unprotect([str(closed)], holder)
    # ... and reopened, to its own mode, when our child is done.
    assert os.stat(closed).st_mode & 0o777 == 0o755
