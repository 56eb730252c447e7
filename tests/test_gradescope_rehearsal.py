"""Gradescope's container rehearsed: the box of tests/helpers/gradescope_box.py, its properties
proved, and the built zip's setup.sh and run_autograder run inside it.

The box is what a Gradescope autograder container most likely is: root with Docker's default
capabilities only (no CAP_SYS_ADMIN), a seccomp filter that refuses namespaces and mounts,
768 MiB and half a CPU (cgroups), its own /tmp, and a loopback network with a listener on it.
In there the grader cannot use namespaces, so it picks its root mode without them; the honest
submissions must still get full marks, within the box's memory. The hostile catalog in the same
box is in tests/test_hostile.py (mode "gradescope-box").

Needs root, cgroups, util-linux unshare, iproute2 and the pyseccomp binding (skips otherwise,
saying which); the zip tests also need a CPython 3.10 and patchelf (the image is cached in
``~/.cache/rnn-dinosaurs/``, like test_gradescope_flow.py's environment).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import textwrap
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
import gradescope_box as box  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_PYTHON = shutil.which("python3", path="/usr/bin:/bin")
NOBODY = (65534, 65534)

REASON = box.unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"no Gradescope-like box: {REASON}")


def in_box(script, config=None, **kwargs):
    """Run a Python script with the system's python3 in a box (default: Gradescope's)."""
    return box.run([SYSTEM_PYTHON, "-I", "-c", textwrap.dedent(script)], config, timeout=120,
                   **kwargs)


@pytest.fixture(scope="module", autouse=True)
def _system_python():
    if SYSTEM_PYTHON is None:
        pytest.skip("the box's properties are probed with /usr/bin/python3, which is missing")


# ----------------------------------------------------------------------------------------------
# the box's properties

PROBE_SYSCALLS = """
import ctypes, errno, os
libc = ctypes.CDLL(None, use_errno=True)
def call(name, *args):
    r = getattr(libc, name)(*args)
    return "ok" if r == 0 else errno.errorcode[ctypes.get_errno()]
out = {
    "mount": call("mount", b"none", b"/tmp", b"tmpfs", 0, None),
    "unshare_ns": call("unshare", 0x20000),
    "unshare_net": call("unshare", 0x40000000),
    "unshare_user": call("unshare", 0x10000000),
    "setns": call("setns", os.open("/proc/self/ns/net", os.O_RDONLY), 0),
    "clone3": call("syscall", 435, None, 0),
    "clone_newpid": call("syscall", 56, 0x20000000 | 17, None, None, None, None),
    "keyctl": call("syscall", 250, 0, 0, 0, 0, 0),
    "fork": "ok" if os.waitpid(os.fork() or os._exit(0) or 0, 0) else "?",
}
status = dict(line.split(":\\t") for line in open("/proc/self/status").read().splitlines()
              if line.startswith("Cap"))
out.update(uid=os.getuid(), caps={k: int(v, 16) for k, v in status.items()})
print(repr(out))
"""


def _probe(config=None):
    result = in_box(PROBE_SYSCALLS, config)
    assert result.returncode == 0, (result.stderr, result.box_error)
    return eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 (our own repr)


def test_namespaces_and_mounts_are_refused_inside_as_dockers_seccomp_does():
    out = _probe()
    for call in ("unshare_ns", "unshare_net", "unshare_user", "mount", "setns", "clone_newpid",
                 "keyctl"):
        assert out[call] == "EPERM", (call, out)
    assert out["clone3"] == "ENOSYS", out  # glibc then falls back to clone, which works:
    assert out["fork"] == "ok"
    # unshare(1) as root, the way the grader probes for its namespace mode
    result = box.run(["unshare", "--mount", "--net", "true"], timeout=60)
    assert result.returncode != 0 and "Operation not permitted" in result.stderr


def test_without_the_filter_the_same_probe_succeeds():
    """The probe can tell: with the filter off (and root's capabilities), unshare works."""
    out = _probe(box.BoxConfig(seccomp=False, docker_caps=False))
    assert out["unshare_ns"] == out["unshare_net"] == out["mount"] == "ok", out


def test_root_keeps_only_dockers_default_capabilities():
    out = _probe()
    assert out["uid"] == 0
    caps = out["caps"]
    assert caps["CapBnd"] == caps["CapPrm"] == caps["CapEff"] == box.DOCKER_CAP_MASK == 0xA80425FB
    assert not caps["CapBnd"] & (1 << box.CAP_SYS_ADMIN)
    assert caps["CapInh"] == caps["CapAmb"] == 0


def test_memory_limit_is_enforced_by_the_oom_killer():
    result = in_box("""
        chunks = []
        for _ in range(16):                      # 1 GiB, touched page by page
            chunks.append(bytearray(64 * 2**20))
        print("ALLOCATED")
    """, box.BoxConfig(memory=768 * box.MiB))
    assert "ALLOCATED" not in result.stdout
    assert result.returncode == 128 + 9, (result.returncode, result.stderr)
    assert result.oom_kills >= 1
    assert result.peak_memory <= 768 * box.MiB
    small = in_box("print(len(bytearray(256 * 2**20)))")  # well under the limit: fine
    assert small.returncode == 0 and small.oom_kills == 0


def test_cpu_is_capped_at_half_a_core():
    # An upper bound only: a loaded machine can give the box less, never more.
    result = in_box("""
        import os, time
        end = time.monotonic() + 3
        for _ in range(2):
            if os.fork() == 0:
                while time.monotonic() < end:
                    pass
                os._exit(0)
        os.wait(); os.wait()
    """)
    assert result.returncode == 0, result.stderr
    assert result.cpu_seconds <= 0.5 * result.seconds * 1.15 + 0.3, (result.cpu_seconds,
                                                                     result.seconds)


def test_loopback_listener_is_reachable_from_an_unprivileged_process_and_records_it():
    result = in_box("""
        import os, socket
        os.setgid(65534); os.setuid(65534)
        with socket.create_connection(("127.0.0.1", 8080), timeout=5) as s:
            s.sendall(b"EXFILTRATED hidden inputs")
        try:
            socket.create_connection(("127.0.0.1", 5), timeout=5)
        except OSError as exc:
            print("closed port:", type(exc).__name__)
    """)
    assert result.returncode == 0, result.stderr
    assert "closed port: ConnectionRefusedError" in result.stdout
    [conn] = result.connections
    assert conn["port"] == 8080 and conn["received"].startswith("EXFILTRATED")


def test_the_hosts_network_is_not_reachable():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.1)
    port = server.getsockname()[1]
    reached = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                reached.append(server.accept())
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        result = in_box(f"""
            import socket
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=3)
                print("REACHED")
            except OSError:
                print("refused")
        """)
    finally:
        stop.set()
        thread.join()
        server.close()
    assert result.stdout.strip() == "refused" and not reached


def test_own_tmp_and_nothing_of_the_host_that_a_container_lacks(tmp_path):
    marker = Path("/tmp") / f"rnn-box-host-marker-{os.getpid()}"
    marker.write_text("host")
    try:
        result = in_box(f"""
            import os
            print(sorted(os.listdir("/tmp")), os.path.exists({str(marker)!r}))
            print(os.listdir("/work"), os.listdir("/root"), oct(os.stat("/root").st_mode))
            open("/tmp/written-in-box", "w").write("x")
        """)
    finally:
        marker.unlink()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[] False"
    assert lines[1] == "[] [] 0o40700"
    assert not Path("/tmp/written-in-box").exists()


def test_nothing_of_the_box_outlives_it():
    result = box.run(["sh", "-c", "setsid sleep 300 & nohup sleep 300 >/dev/null 2>&1 & "
                      "echo started"], timeout=60)
    assert result.returncode == 0 and "started" in result.stdout
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            assert cmdline != b"sleep\x00300\x00", f"a box's sleep is still running: {pid}"


def test_binds_are_read_only_when_asked_and_targets_are_never_made_on_the_host(tmp_path):
    (tmp_path / "file").write_text("content")
    config = box.BoxConfig(binds=[(str(tmp_path), "/opt/data", True)], tmpfs=["/opt"])
    result = in_box("""
        print(open("/opt/data/file").read())
        try:
            open("/opt/data/new", "w")
        except OSError as exc:
            print(type(exc).__name__, exc.errno)
    """, config)
    assert result.stdout.split() == ["content", "OSError", "30"]  # EROFS
    bad = in_box("pass", box.BoxConfig(binds=[(str(tmp_path), "/nonexistent-on-host", True)]))
    assert bad.returncode == 125 and "may not be made on the host" in bad.box_error
    assert not Path("/nonexistent-on-host").exists()


# ----------------------------------------------------------------------------------------------
# the zip in the box


@pytest.fixture(scope="module")
def image(gradescope_image):
    """The box's Python 3.10 "image", setup.sh run into it inside a Gradescope box (conftest's
    gradescope_image: once per session)."""
    return gradescope_image[1]


def run_autograder(image, root, timeout=600, **env):
    """Gradescope's run_autograder on ``root`` (unpacked zip), in a Gradescope-sized box."""
    config = box.BoxConfig(binds=[(str(image), box.BOX_PYTHON, True),
                                  (str(root), box.BOX_AUTOGRADER, False)],
                           tmpfs=["/opt"], env=box.box_env(AUTOGRADER_ROOT=box.BOX_AUTOGRADER,
                                                           **env))
    result = box.run([f"{box.BOX_AUTOGRADER}/source/run_autograder"], config, timeout=timeout)
    path = root / "results" / "results.json"
    results = json.loads(path.read_text()) if path.exists() else None
    return result, results


@pytest.mark.slow
@pytest.mark.parametrize("key", ["rnn_dinosaurs", "rnn_bidirectional_deep"])
def test_an_honest_submission_gets_full_marks_in_the_gradescope_sized_box(
        image, dist, tmp_path, key):
    from autograder.notebooks import NOTEBOOKS, checks_module

    root = box.unpack_autograder(dist / "autograder.zip", tmp_path / "ag")
    shutil.copy(dist / "solved" / f"{key}.ipynb", root / "submission")
    result, results = run_autograder(image, root)
    assert result.returncode == 0, (result.stdout[-2000:], result.stderr[-3000:])
    assert result.oom_kills == 0 and result.peak_memory < 768 * box.MiB
    full = {fn: sum(c.points for c in checks_module(key).CASES if c.function == fn)
            for fn in NOTEBOOKS[key]["functions"]}
    assert {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]} == {
        fn: (total, total) for fn, total in full.items()}
    assert results["score"] == sum(full.values()) > 0
    assert result.connections == []
    print(f"\n{key} in the box: {result.seconds:.1f} s wall, {result.cpu_seconds:.1f} CPU s, "
          f"peak {result.peak_memory / box.MiB:.0f} MiB")
