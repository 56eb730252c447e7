"""A grader that cannot be fooled: the hostile catalog (tests/hostile/) through the real pipeline.

Each entry of ``tests/hostile/`` (format: tests/hostile/README.md) becomes a notebook: the solved
notebook of ``autograder.build``, with the entry's attack cells inserted and some graded functions
replaced. Beside them, *control* notebooks hold the entries' honest-but-wrong versions of those
functions (what each attacked question deserves, as measured by the grader itself), plus a
not-JSON submission and otter's zip with a crafted ``.OTTER_LOG``. All are graded with short time
limits in EVERY mode the grader can choose (``sandbox.MODES``, forced with RNN_SANDBOX_MODE; see
RECIPES): root-sandbox in ONE ``grade.main([... "--jobs", "2"])`` call in this process;
root-user-only in Gradescope's container, each submission through the zip's run_autograder in
its own box (tests/helpers/gradescope_box.py: root without CAP_SYS_ADMIN, seccomp refusing
namespaces, 768 MiB, half a CPU, a loopback listener); bubblewrap and unprivileged as a TA's own
non-root user grading the batch in a box. The last three are marked ``slow`` (``-m 'not slow'``
skips them locally; CI runs them). Then, for every entry and mode:

- it gains nothing: each attacked question scores exactly what its honest version scores, below
  full marks, and every other question keeps full marks;
- results.json exists, is the grader's (not overwritten) and validates against the schema;
- no hidden case name, no line of the checks or the solutions that students do not already have,
  appears in it; its output stays capped;
- nothing is left running: no process of the sandbox users, no descendant of this process, no
  file the attacks write outside their sandbox (in the boxes: 2.5 s after grading, no process
  but the box's own and nothing in /tmp, /var/tmp, /dev/shm);
- what the mode promises beyond that (GUARANTEES): no connection reaching the box's listener,
  no read of the grader's files.

Where an attack still beats a mode on main, the (test, entry, mode) is a strict xfail in
KNOWN_GAPS naming the missing protection: the fix's landing turns it into a failure to remove.

Entries marked ``proof: unsandboxed`` are also graded without the sandbox, where the attack must
succeed: proof that the assertions above can fail.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import importlib
import inspect
import json
import os
import pickle
import re
import shutil
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder import grade, notebooks
from autograder.isolation import sandbox

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))

ROOT = Path(__file__).resolve().parents[1]
HOSTILE_DIR = Path(__file__).resolve().parent / "hostile"
SCHEMA = json.loads((ROOT / "autograder" / "results_schema.json").read_text())
LIMITS = {"timeout_cell": 5.0, "timeout_call": 3.0, "timeout_total": 60.0}
RESULTS_MAX_BYTES = 200_000
SECRET_MIN_LEN = 30  # shorter lines ("return H, Y_hat") say nothing a student could use
METADATA_SECRET = "UNPUBLISHED-RESULT-7f3a9c"
SHARED_TMP = ("/tmp", "/var/tmp", "/dev/shm")


# ----------------------------------------------------------------------------------------------
# the catalog


@dataclass
class Entry:
    """One hostile submission (see tests/hostile/README.md)."""

    name: str
    description: str
    notebook: str = "rnn_dinosaurs"
    attacks: tuple = ()
    note: str | None = None
    ran: str | None = None
    container: str | None = None
    position: str = "start"
    proof: str | None = None
    repeat: int = 1  # the attack cells, this many times (many_raising_cells)
    attack_cells: list = field(default_factory=list)
    replace: dict = field(default_factory=dict)
    honest: dict = field(default_factory=dict)


def _included(line):
    """The source of the function that a section's ``# include: <module>.<function>`` names."""
    module, _, name = line.partition(":")[2].strip().rpartition(".")
    return inspect.getsource(getattr(importlib.import_module(module), name))


def load_hostile():
    """Every entry of tests/hostile/, by name."""
    entries = {}
    for path in sorted(HOSTILE_DIR.glob("*.py")):
        header, sections, current = {}, [], None
        for line in path.read_text().splitlines(keepends=True):
            if line.startswith("# %%"):
                current = [line[4:].split(), []]
                sections.append(current)
            elif current is not None:
                current[1].append(_included(line) if line.startswith("# include:") else line)
            elif line.startswith("# ") and ":" in line:
                key, _, value = line[2:].partition(":")
                header[key.strip()] = value.strip()
        entry = Entry(name=path.stem, description=header["description"],
                      notebook=header.get("notebook", "rnn_dinosaurs"),
                      attacks=tuple(a.strip() for a in header.get("attacks", "").split(",")
                                    if a.strip()),
                      note=header.get("note"), ran=header.get("ran"),
                      container=header.get("container"), position=header.get("position", "start"),
                      proof=header.get("proof"), repeat=int(header.get("repeat", 1)))
        for words, lines in sections:
            text = "".join(lines).strip("\n") + "\n"
            if words[0] == "attack":
                entry.attack_cells.append(text)
            else:
                getattr(entry, words[0])[words[1]] = text
        entry.attack_cells *= entry.repeat
        for function in entry.replace:
            assert notebooks.defined_function(entry.replace[function]) == function, path
        for function in entry.attacks:
            assert function in entry.honest, f"{path}: no honest version of {function}"
        entries[entry.name] = entry
    return entries


ENTRIES = load_hostile()


def test_catalog_covers_the_issue():
    """The attacks the issue lists are all in the catalog (a deleted file would fail here)."""
    expected = {"patch_numpy_comparisons", "fake_otter", "read_hidden_tests",
                "detached_overwriter", "otter_log_pickle", "loop_top_level", "loop_in_function",
                "memory_bomb", "fork_bomb", "kill_parent", "os_exit", "huge_output",
                "lying_values", "frame_walker", "import_reference", "fake_success",
                "monkeypatch_numpy", "detect_grading", "disk_fill", "threads_after_call",
                "oracle_bomb", "huge_return_list", "forge_protocol",
                # issue 11
                "network_loopback", "tmp_stash_across_crash", "read_submission_metadata",
                "copy_classmates", "fill_tmp_for_the_next", "many_raising_cells",
                "memory_exhaust", "fork_deadlock_neighbour"}
    assert expected <= set(ENTRIES)


# ----------------------------------------------------------------------------------------------
# building the submissions


def _solved_notebook(key):
    from autograder.build import build_notebooks, included_names

    source = ROOT / "assignment" / f"{key}.py"
    return build_notebooks(source, {name: [] for name in included_names(source)}).solved


def _copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _replace(nb, definitions):
    for function, text in definitions.items():
        cells = [c for c in nb.cells if c.cell_type == "code"
                 and notebooks.defined_function(c.source) == function]
        assert len(cells) == 1, function
        cells[0].source = text


def _hostile_notebook(solved, entry):
    nb = _copy(solved)
    _replace(nb, entry.replace)
    cells = [nbformat.v4.new_code_cell(text) for text in entry.attack_cells]
    if entry.position == "end":
        nb.cells += cells
    else:  # after the imports: the first code cell may be the build's set-up cell
        imports = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                       and re.search(r"^import numpy as np$", c.source, re.M))
        nb.cells[imports + 1:imports + 1] = cells
    return nb


def _controls(solved, entries):
    """Notebooks holding every entry's honest versions, at most one version of a function each.

    Returns (notebooks, {(function, honest text): index of the control notebook holding it}).
    """
    packs, where = [], {}
    for entry in entries:
        for function, text in entry.honest.items():
            if (function, text) in where:
                continue
            index = next((i for i, p in enumerate(packs) if function not in p), len(packs))
            if index == len(packs):
                packs.append({})
            packs[index][function] = text
            where[(function, text)] = index
    made = []
    for pack in packs:
        nb = _copy(solved)
        _replace(nb, pack)
        made.append(nb)
    return made, where


class _Payload:
    """Unpickling it (as stock otter loads .OTTER_LOG) creates the file ``path``."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _otter_zip(path, nb, marker):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("rnn_dinosaurs.ipynb", nbformat.writes(nb))
        zf.writestr(".OTTER_LOG", pickle.dumps(_Payload(str(marker))))
        zf.writestr("tests/rnn_dinosaurs/clip.py", "OK_FORMAT = True\n")


# ----------------------------------------------------------------------------------------------
# processes


@contextlib.contextmanager
def all_slots_held(timeout=60.0):
    """Hold every sandbox slot's lock: no grader (ours or a colleague's concurrent test run) has
    a child running meanwhile, so any process of a sandbox user is a leftover."""
    held = []
    try:
        for slot in range(sandbox.MAX_SLOTS):
            path = sandbox._slot_path(slot)
            if not os.path.exists(path):
                continue
            fd = os.open(path, os.O_RDWR)
            held.append(fd)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"sandbox slot {slot} busy for {timeout} s"
                    time.sleep(0.05)
        yield
    finally:
        for fd in held:
            os.close(fd)


def sandbox_user_processes():
    """{pid: status text} of every live process owned by a sandbox user rnn-sandbox*."""
    import pwd

    uids = {p.pw_uid for p in pwd.getpwall() if p.pw_name.startswith(sandbox.SANDBOX_USER)}
    found = {}
    for uid in uids:
        for pid in sandbox._uid_processes(uid):
            with contextlib.suppress(OSError):
                found[pid] = Path(f"/proc/{pid}/status").read_text()[:200]
    return found


def descendants(pid=None):
    """Pids of every live descendant of ``pid`` (default: this process)."""
    todo, found = [pid or os.getpid()], []
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            with contextlib.suppress(OSError):
                kids = [int(k) for k in (task / "children").read_text().split()]
                found += kids
                todo += kids
    return [p for p in found if sandbox._proc_state(p) not in ("Z", "X", "")]


# ----------------------------------------------------------------------------------------------
# secrets


@functools.cache
def _what_students_have(key):
    """(public tests and student notebook as text, the student cells' source) of notebook key."""
    from autograder.build import build_notebooks, included_names
    from autograder.checks.public import render_public_tests

    source = ROOT / "assignment" / f"{key}.py"
    student = build_notebooks(source, {n: [] for n in included_names(source)}).student
    public = "\n".join(render_public_tests(key).values()) + nbformat.writes(student)
    return public, "\n".join(c.source for c in student.cells)


@functools.cache
def _reference_lines():
    """The lines of the checks and solutions long enough to be secrets (comments aside)."""
    lines = set()
    for folder in (ROOT / "solutions", ROOT / "autograder" / "checks"):
        for path in folder.glob("*.py"):
            for line in path.read_text().splitlines():
                line = line.strip()
                if len(line) >= SECRET_MIN_LEN and not line.startswith(("#", '"""')):
                    lines.add(line)
    return frozenset(lines)


@functools.cache  # the same submissions in every mode: computed once per run
def _secrets(key, submission_text):
    """Hidden case names, and lines of the checks and solutions that students do not have."""
    public, cell_text = _what_students_have(key)
    # The lines students have, as they read them: the cells' source text, not the JSON lines of
    # the .ipynb (a def line the grader quotes from a student's own cell is no secret).
    if submission_text:
        cell_text += "\n" + "\n".join(c.source for c in nbformat.reads(submission_text, 4).cells)
    known = {line.strip() for line in (public + submission_text + cell_text).splitlines()}
    lines = frozenset(line for line in _reference_lines() if line not in known)
    # Names like "shapes" or "dh0" are ordinary words of any message; "values_m1_T3" is not.
    hidden = frozenset(c.name for c in notebooks.checks_module(key).CASES if c.hidden
                       and "_" in c.name and len(c.name) >= 8
                       and c.name not in public + submission_text)
    assert len(hidden) >= 5, hidden
    return hidden, lines


def leaked(results, hidden_names, secret_lines):
    """The secrets found in results.json, once the grader's own case lines are taken out."""
    text = json.dumps(results)
    # The grader's per-case lines ("FAIL values_m3 [hidden] (0/2)") name hidden cases on purpose:
    # those entries are shown only after grades are published.
    text = re.sub(r"(PASS|FAIL) \w+ \[hidden\]", "", text)
    text = text.replace("\\n", "\n").replace('\\"', '"')
    found = [n for n in hidden_names if re.search(rf"\b{re.escape(n)}\b", text)]
    found += [line for line in secret_lines if line in text]
    return found


# ----------------------------------------------------------------------------------------------
# the modes: the catalog is graded once in each mode the grader can choose


# How each mode is had here. "host": grade.main in this process (as root, namespaces needed).
# "gradescope-box": each submission through the zip's run_autograder in its own Gradescope-like
# box (tests/helpers/gradescope_box.py: root, Docker's capabilities, seccomp without namespaces,
# 768 MiB, half a CPU, loopback listener), as Gradescope runs it. "ta-box": a TA's own user (not
# root) grading the batch with ``python -m autograder grade`` from the zip, in a box without the
# seccomp filter, so that bubblewrap can make its namespaces. The mode is forced with
# RNN_SANDBOX_MODE in every recipe, so each run tests exactly that mode.
RECIPES = {"root-sandbox": "host", "root-confined": "gradescope-box",
           "root-user-only": "gradescope-box", "bubblewrap": "ta-box", "unprivileged": "ta-box"}
# What each mode promises beyond what every mode must hold (no points gained, honest functions
# keep their marks, results.json exists, is the grader's, validates and stays bounded, no hidden
# case or reference line in it, nothing left running). From sandbox.describe_mode().
GUARANTEES = {
    "root-sandbox": {"no_network", "no_reads_outside", "no_writes_outside"},
    "root-confined": {"no_network", "no_reads_outside", "no_writes_outside"},
    "root-user-only": {"no_reads_outside", "no_writes_outside"},
    "bubblewrap": {"no_network", "no_reads_outside", "no_writes_outside"},
    "unprivileged": {"no_network", "no_reads_outside", "no_writes_outside"},
}
# (test, entry or None, mode) -> the protection that is missing on main today. Strict: when a
# fix lands, the test passes, the xfail fails, and the entry here must go.
KNOWN_GAPS = {
}
# Seen failing, not always: not strict, and to be understood (cause not found yet).
FLAKY = {
}
# forge_protocol in the TA box: the honest sample's first call after clip's forged reply (the
# child killed and restarted twice within a second) sometimes misses the 6 s call limit. Seen in
# bubblewrap 2 runs of 2 (02:00, before the catalog's fixes) and 0 of 3 since; in unprivileged 1
# of 2 (05:35, load 20 on 2 cores); 0 of 6 with forge_protocol graded alone under the same load
# and limits. Probably not the isolation (two modes that share only the box and the grader): a
# guess, not measured, is that sample's calls make one oracle round trip per drawn character,
# whose scheduling latency in the box (1 CPU for 2 jobs) counts against the call's limit, with the
# restarts' CPU burst right before. Not strict until that latency is measured or excluded.
for _mode in ("bubblewrap", "unprivileged"):
    FLAKY[("test_entry_gains_nothing_and_costs_honest_functions_nothing", "forge_protocol",
           _mode)] = (f"{_mode}: after forge_protocol's forged frames the honest sample sometimes "
                      "misses its call limit in the loaded TA box (oracle round-trip latency?)")
# mode -> entries graded in a box of their own there (see _grade_as_ta_in_box).
ALONE_IN = {}
# Modes whose rehearsal is not run yet, and why (what was seen when it was).
UNSAFE_HERE = {
}


def _mode_params():
    params = []
    for mode in sandbox.MODES:
        marks = [] if RECIPES.get(mode) == "host" else [pytest.mark.slow]
        params.append(pytest.param(mode, id=mode, marks=marks))
    return params


@pytest.fixture(autouse=True)
def _known_gaps(request):
    """Mark (test, entry, mode) strict-xfail where KNOWN_GAPS names a missing protection."""
    params = getattr(request.node, "callspec", None)
    params = params.params if params else {}
    mode = params.get("graded")
    key = (request.node.originalname, params.get("name"), mode)
    if mode and key in FLAKY:
        request.node.add_marker(pytest.mark.xfail(strict=False, reason=FLAKY[key]))
    elif mode and key in KNOWN_GAPS:
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[key]))


@dataclass
class Graded:
    mode: str
    results: dict  # name -> results.json
    paths: dict  # name -> results.json path
    controls: dict  # (function, honest text) -> results.json of the control notebook
    solved: dict  # notebook key -> solved notebook
    notebooks: dict  # entry name -> the hostile notebook
    marker: Path
    seconds: float
    hashes: dict
    proofs: dict
    # in the boxes: what was still running, and what was left in /tmp, /var/tmp and /dev/shm,
    # 2.5 s after grading (name -> lines, or "batch" -> lines), and the loopback connections
    leftovers: dict = field(default_factory=dict)
    connections: list = field(default_factory=list)
    limits: dict = field(default_factory=lambda: dict(LIMITS))  # the time limits it ran with


def _read(path):
    return json.loads(path.read_text())


@dataclass
class _Batch:
    subs: Path
    paths: list
    names: list
    made: dict
    control_where: dict
    solved: dict


def _prepare(subs, marker):
    """Every submission of the batch in ``subs``: entries, controls, solved, not-JSON."""
    subs.mkdir(parents=True)
    keys = sorted({e.notebook for e in ENTRIES.values()})
    solved = {key: _solved_notebook(key) for key in keys}
    paths, names, made = [], [], {}
    for entry in ENTRIES.values():
        if entry.container == "otter-zip-pickle-log":
            path = subs / f"{entry.name}.zip"
            _otter_zip(path, solved[entry.notebook], marker)
        else:
            made[entry.name] = _hostile_notebook(solved[entry.notebook], entry)
            path = subs / f"{entry.name}.ipynb"
            nbformat.write(made[entry.name], path)
        paths.append(path)
        names.append(entry.name)
    control_where = {}
    for key in keys:
        controls, where = _controls(solved[key], [e for e in ENTRIES.values()
                                                  if e.notebook == key])
        for i, nb in enumerate(controls):
            path = subs / f"control-{key}-{i}.ipynb"
            nbformat.write(nb, path)
            paths.append(path)
            names.append(f"control-{key}-{i}")
        control_where.update({k: f"control-{key}-{i}" for k, i in where.items()})
        path = subs / f"solved-{key}.ipynb"
        nbformat.write(solved[key], path)
        paths.append(path)
        names.append(f"solved-{key}")
    # Gradescope's file of earlier submissions' results, world-readable beside the batch
    (subs / "submission_metadata.json").write_text(json.dumps({"previous_submissions": [
        {"results": {"score": 60, "note": METADATA_SECRET}}]}))
    os.chmod(subs / "submission_metadata.json", 0o644)
    (subs / "not_json.ipynb").write_text("this is not json {")
    paths.append(subs / "not_json.ipynb")
    names.append("not_json")
    return _Batch(subs, paths, names, made, control_where, solved)


def _limit_args(limits=LIMITS):
    args = []
    for key, value in limits.items():
        args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def _grade_on_host(mode, tmp, request):
    if os.geteuid() != 0 and mode.startswith("root"):
        pytest.skip(f"{mode} needs root")
    if mode == "root-sandbox" and not sandbox.namespaces_permitted():
        pytest.skip("root-sandbox needs namespaces, which this machine refuses")
    marker = tmp / "OTTER_LOG_WAS_UNPICKLED"
    batch = _prepare(tmp / "submissions", marker)
    out = tmp / "results"
    argv = [*map(str, batch.paths), "--out", str(out), "--jobs", "2", "--no-progress",
            *_limit_args()]
    forced = os.environ.get("RNN_SANDBOX_MODE")
    os.environ["RNN_SANDBOX_MODE"] = mode
    try:
        started = time.monotonic()
        assert grade.main(argv) == 0
        seconds = time.monotonic() - started
    finally:
        if forced is None:
            os.environ.pop("RNN_SANDBOX_MODE")
        else:
            os.environ["RNN_SANDBOX_MODE"] = forced
    paths = {n: out / p.stem / "results.json" for n, p in zip(batch.names, batch.paths,
                                                              strict=True)}
    return batch, marker, paths, seconds, {}, [], LIMITS


# After the command: a moment for detached attackers, then what runs and what was left behind.
_AFTER = ('"$@"; status=$?; sleep 2.5; {{ ps -eo user=,pid=,args=; echo ---; '
          'find /tmp /var/tmp /dev/shm -mindepth 1 -maxdepth 3 -printf "%u %p\\n"; }} '
          '> {report} 2>&1; exit $status')


def _box_leftovers(report, own, bound=()):
    """Lines of the report naming a process or file that is not the box's own. ``bound``: folders
    of this machine bound into the box at their own paths (the checkout and its .venv in the TA
    box), which the scan of /tmp lists when they live there (a checkout in /tmp, as CI's may be):
    they, what is below them and the folders leading to them are not leftovers."""
    processes, _, files = report.read_text().partition("---\n")
    left = [line for line in processes.splitlines()
            if not any(word in line for word in own)]
    bound = [Path(b) for b in bound]

    def ours(line):
        path = Path(line.split(" ", 1)[-1])
        return any(path == b or b in path.parents or path in b.parents for b in bound)

    return left + [line for line in files.splitlines() if line.strip() and not ours(line)]


_BOX_OWN = ("gradescope_box.py --init", "sh -c", "ps -eo", "sleep 2.5")


def _box_image(tmp, request):
    import gradescope_box as box

    # conftest's session-wide build and image (setup.sh run once per session, not per mode)
    source, image = request.getfixturevalue("gradescope_image")
    os.chmod(tmp, 0o755)
    return box, source, image


def _grade_in_gradescope_boxes(mode, tmp, request):
    """Each submission alone, in its own box, through run_autograder (as Gradescope does)."""
    from concurrent.futures import ThreadPoolExecutor

    box, source, image = _box_image(tmp, request)
    marker_in_box = f"{box.BOX_AUTOGRADER}/OTTER_LOG_WAS_UNPICKLED"
    batch = _prepare(tmp / "submissions", marker_in_box)
    # The time limits are wall-clock: with half a CPU, the same work takes twice as long.
    limits = {k: v / box.BoxConfig().cpus for k, v in LIMITS.items()}
    env = {"RNN_SANDBOX_MODE": mode, **{grade.ENV_KEYS[k]: str(v) for k, v in limits.items()}}

    def one(name, path):
        root = tmp / "boxes" / name
        shutil.copytree(source, root / "source", symlinks=True)
        (root / "submission").mkdir()
        (root / "results").mkdir()
        shutil.copy(path, root / "submission" / path.name)
        config = box.BoxConfig(binds=[(str(image), box.BOX_PYTHON, True),
                                      (str(root), box.BOX_AUTOGRADER, False)],
                               tmpfs=["/opt"], env=box.box_env(AUTOGRADER_ROOT=box.BOX_AUTOGRADER,
                                                               **env))
        script = _AFTER.format(report=f"{box.BOX_AUTOGRADER}/after.txt")
        result = box.run(["sh", "-c", script, "sh", f"{box.BOX_AUTOGRADER}/source/run_autograder"],
                         config, timeout=limits["timeout_total"] * 3 + 60)
        return name, root, result

    os.makedirs(tmp / "boxes")
    started = time.monotonic()
    # Four boxes of half a CPU each: this machine's two cores.
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda np: one(*np), zip(batch.names, batch.paths, strict=True)))
    seconds = time.monotonic() - started
    paths, leftovers, connections = {}, {}, []
    for name, root, result in runs:
        assert result.returncode == 0, (name, result.stdout[-2000:], result.stderr[-2000:])
        paths[name] = root / "results" / "results.json"
        leftovers[name] = _box_leftovers(root / "after.txt", _BOX_OWN)
        connections += [{"submission": name, **c} for c in result.connections]
    marker = tmp / "boxes" / "otter_log_pickle" / "OTTER_LOG_WAS_UNPICKLED"
    return batch, marker, paths, seconds, leftovers, connections, limits


def _grade_as_ta_in_box(mode, tmp, request):
    """The batch graded by a TA's own (non-root) user with ``python -m autograder grade`` from
    this checkout and its .venv (both bound at their own paths), in a box: the TA's machine."""
    import gradescope_box as box
    import ta_box

    if mode == "bubblewrap" and not shutil.which("bwrap"):
        pytest.skip("bubblewrap is not installed (.ci/run installs it)")
    if mode in UNSAFE_HERE:
        pytest.skip(UNSAFE_HERE[mode])
    reason = box.unavailable()
    if reason:
        pytest.skip(f"no box for a TA's user here: {reason}")
    work = tmp / "ta"
    marker_in_box = "/opt/ta/OTTER_LOG_WAS_UNPICKLED"
    batch = _prepare(work / "submissions", marker_in_box)
    ta_box.give_to_ta(work)
    os.chmod(tmp, 0o755)
    results = work / "results"
    seconds, leftovers, connections = 0.0, {}, []
    # Two jobs share TA_CPUS: the wall-clock limits grow with each job's smaller CPU share.
    limits = {k: v * 2 / ta_box.TA_CPUS for k, v in LIMITS.items()}
    # An attack this mode cannot contain gets a box of its own, so that what it leaves running
    # neither starves the rest of the batch nor outlives its own box (ALONE_IN).
    alone = [p for p in batch.paths if p.stem in ALONE_IN.get(mode, ())]
    groups = [("batch", [p for p in batch.paths if p not in alone])]
    groups += [(p.stem, [p]) for p in alone]
    for label, paths in groups:
        argv = [sys.executable, "-m", "autograder", "grade",
                *(f"/opt/ta/submissions/{p.name}" for p in paths), "--out", "/opt/ta/results",
                "--jobs", "2", "--no-progress", *_limit_args(limits)]
        # A CPU quota and a process cap (ta_box): whatever escapes, this machine keeps a core.
        report = f"after-{label}.txt"
        script = _AFTER.format(report=f"/opt/ta/{report}")
        started = time.monotonic()
        result = ta_box.run_as_ta(["sh", "-c", script, "sh", *argv], work, mode)
        seconds += time.monotonic() - started
        assert result.returncode == 0, (label, result.stdout[-3000:], result.stderr[-3000:])
        leftovers[label] = _box_leftovers(work / report, _BOX_OWN, ta_box.bound_paths())
        connections += result.connections
    paths = {n: results / p.stem / "results.json" for n, p in zip(batch.names, batch.paths,
                                                                  strict=True)}
    return batch, work / "OTTER_LOG_WAS_UNPICKLED", paths, seconds, leftovers, connections, \
        limits


_RECIPE_FUNCTIONS = {"host": _grade_on_host, "gradescope-box": _grade_in_gradescope_boxes,
                     "ta-box": _grade_as_ta_in_box}


@pytest.fixture(scope="module", params=_mode_params())
def graded(request, tmp_path_factory):
    mode = request.param
    if not (ROOT / "assignment" / "rnn_dinosaurs.py").is_file():
        pytest.skip("assignment/rnn_dinosaurs.py does not exist yet")
    if mode == "none":
        pytest.skip("none isolates nothing: its rehearsal is the proofs, graded unsandboxed")
    if mode not in RECIPES:
        pytest.skip(f"no recipe yet for the grader's mode {mode!r} (add one to RECIPES)")
    tmp = tmp_path_factory.mktemp(f"hostile-{mode}")
    recipe = _RECIPE_FUNCTIONS[RECIPES[mode]]
    batch, marker, result_paths, seconds, leftovers, connections, limits = recipe(
        mode, tmp, request)
    hashes = {n: p.read_bytes() for n, p in result_paths.items() if p.exists()}
    print(f"\nhostile catalog in {mode} ({RECIPES[mode]}): {seconds:.0f} s")

    proofs = {}
    if RECIPES[mode] == "host":  # once: the attacks that must succeed without any isolation
        for entry in ENTRIES.values():
            if entry.proof == "unsandboxed":
                config = grade.GradeConfig(**LIMITS, sandbox=False)
                proofs[entry.name] = grade.grade_submission(
                    batch.subs / f"{entry.name}.ipynb", tmp / "unsandboxed" / entry.name, config)
    return Graded(mode=mode,
                  results={n: _read(p) for n, p in result_paths.items() if p.exists()},
                  paths=result_paths,
                  controls={k: _read(result_paths[v]) for k, v in batch.control_where.items()},
                  solved=batch.solved, notebooks=batch.made, marker=marker, seconds=seconds,
                  hashes=hashes, proofs=proofs, leftovers=leftovers, connections=connections,
                  limits=limits)


def _scores(results):
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]}


# ----------------------------------------------------------------------------------------------
# the assertions


def test_solved_notebooks_get_full_marks_under_the_short_limits(graded):
    for key in graded.solved:
        scores = _scores(graded.results[f"solved-{key}"])
        assert sorted(scores) == sorted(notebooks.NOTEBOOKS[key]["functions"])
        assert all(s == m > 0 for s, m in scores.values()), scores


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_entry_gains_nothing_and_costs_honest_functions_nothing(graded, name):
    entry = ENTRIES[name]
    assert name in graded.results, f"{name}: no results.json was written"
    results = graded.results[name]
    jsonschema.validate(results, SCHEMA)
    assert results["extra_data"]["error"] is None, results["output"]
    scores = _scores(results)
    assert sorted(scores) == sorted(notebooks.NOTEBOOKS[entry.notebook]["functions"])
    for function, (score, max_score) in scores.items():
        if function in entry.attacks:
            honest = _scores(graded.controls[(function, entry.honest[function])])[function]
            assert score == honest[0] < max_score, (
                f"{name}: {function} scored {score}, its honest version {honest[0]}:\n"
                + next(t["output"] for t in results["tests"] if t["name"] == function))
        else:
            assert score == max_score, (
                f"{name}: the honest {function} lost points:\n"
                + next(t["output"] for t in results["tests"] if t["name"] == function)
                + "\n" + results["output"][:3000])
    assert results["score"] == sum(s for s, _ in scores.values())
    if entry.note:
        assert re.search(entry.note, results["output"]), results["output"][:3000]
    if entry.ran:
        assert entry.ran in results["output"], f"{name}: the attack did not run:\n" \
                                               f"{results['output'][:3000]}"


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_results_json_is_the_graders_capped_and_leaks_nothing(graded, name):
    entry = ENTRIES[name]
    path = graded.paths[name]
    data = path.read_bytes()
    assert data == graded.hashes[name], f"{name}: results.json changed after grading"
    assert len(data) < RESULTS_MAX_BYTES
    assert b"HACKED" not in data
    nb_text = nbformat.writes(graded.notebooks[name]) if name in graded.notebooks else ""
    hidden, lines = _secrets(entry.notebook, nb_text)
    assert not leaked(graded.results[name], hidden, lines)


def test_nothing_is_left_behind(graded):
    """Nothing running, nothing written outside the child's folder, results untouched."""
    assert not graded.marker.exists(), "the .OTTER_LOG pickle was unpickled"
    if RECIPES[graded.mode] == "host":
        time.sleep(2.5)  # longer than the detached attackers' first sleep
        with all_slots_held():
            left = sandbox_user_processes()
        assert left == {}, left
        assert descendants() == []
        assert not Path("/tmp/HOSTILE-ESCAPED").exists()
        out = next(iter(graded.paths.values())).parents[1]
        assert not list(out.rglob("HOSTILE-ESCAPED"))
        for name, path in graded.paths.items():
            assert path.read_bytes() == graded.hashes[name], f"{name}: results.json changed"
        assert not list(Path("/tmp").glob("autograder-student-*/fill*.bin"))
    elif "batch" in graded.leftovers:
        # 2.5 s after the batch, inside its box: what ran and what /tmp, /var/tmp, /dev/shm held
        # (entries graded alone: test_entry_leaves_nothing_behind)
        assert graded.leftovers["batch"] == [], "\n".join(graded.leftovers["batch"][:40])
    # else one box per submission: test_entry_leaves_nothing_behind, entry by entry


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_entry_leaves_nothing_behind(graded, name):
    """In Gradescope's container, 2.5 s after run_autograder: no process but the box's own,
    nothing in /tmp, /var/tmp or /dev/shm (the child's folder is gone by then)."""
    if name not in graded.leftovers:
        pytest.skip(f"{graded.mode} grades it in one batch: see test_nothing_is_left_behind")
    assert graded.leftovers[name] == [], "\n".join(graded.leftovers[name][:40])


def test_no_connection_reaches_the_loopback_listener(graded):
    if "no_network" not in GUARANTEES[graded.mode]:
        pytest.skip(f"{graded.mode} does not promise to close the network")
    if RECIPES[graded.mode] == "host":
        pytest.skip("on the host there is no listener of ours (the boxes have one)")
    assert graded.connections == []


def test_the_batch_stays_within_its_limits(graded):
    # Every attack on time is cut by the limits: no submission takes longer than its budget
    # (plus restarts' startup), whatever it does.
    for name, results in graded.results.items():
        assert results["execution_time"] < graded.limits["timeout_total"] + 15, name
    if RECIPES[graded.mode] != "gradescope-box":  # there: one box per submission
        assert graded.seconds < 240


def test_disk_fill_is_capped_in_the_sandbox(graded):
    output = graded.results["disk_fill"]["output"]
    match = re.search(r"DISK-WROTE \{'\.': (\d+), '/tmp': (\d+), '/dev/shm': (\d+)\}", output)
    if graded.mode != "root-sandbox":  # elsewhere no cap is promised, and the time limit may
        return                         # cut the cell before it prints its summary
    assert match, output[:2000]
    cwd_mb, tmp_mb, shm_mb = map(int, match.groups())
    assert cwd_mb <= 256 and tmp_mb <= 64 and shm_mb <= 64, match.group(0)


def test_hidden_tests_leak_without_the_sandbox_and_not_with_it(graded):
    """The scan of read_hidden_tests does find the checks when nothing isolates it."""
    key = "rnn_dinosaurs"
    hidden, lines = _secrets(key, nbformat.writes(graded.notebooks["read_hidden_tests"]))
    if graded.proofs:
        assert leaked(graded.proofs["read_hidden_tests"], hidden, lines), \
            "the unsandboxed scan found nothing: the leak test proves nothing"
    if "no_reads_outside" in GUARANTEES[graded.mode]:
        assert "found=0" in graded.results["read_hidden_tests"]["output"]


def test_reference_import_works_without_the_sandbox_only(graded):
    if graded.proofs:
        proof = _scores(graded.proofs["import_reference"])
        assert "IMPORT-ATTEMPT found=True" in graded.proofs["import_reference"]["output"]
        assert proof["clip"][0] == proof["clip"][1], \
            "unsandboxed, the stolen reference should pass"
    if "no_reads_outside" in GUARANTEES[graded.mode]:
        assert "IMPORT-ATTEMPT found=False" in graded.results["import_reference"]["output"]


def test_not_json_submission(graded):
    results = graded.results["not_json"]
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "not valid JSON" in results["output"]


def test_fake_success_is_only_quoted_output(graded):
    output = graded.results["fake_success"]["output"]
    head, _, notebook_output = output.partition("Output of your notebook")
    assert "All tests passed" not in head
    # The visible head counts only public points (a total would leak how hidden cases went).
    assert "Autograder score" not in head
    assert re.search(r"Public tests: ([\d.]+) / ([\d.]+) points", head)
    # Every line the notebook printed is quoted, so none can pass for the grader's own text.
    assert all(line.startswith("| ") for line in notebook_output.splitlines()[1:] if line)


# ----------------------------------------------------------------------------------------------
# regressions of the weaknesses the catalog found, at unit level


def test_oracle_refuses_requests_far_larger_than_the_checks_make():
    import numpy as np

    from autograder.isolation.runner import ORACLE_MAX_ELEMENTS, _oracle_size_error

    small = [np.ones((6, 3)), np.ones((5, 3)), {"U": np.ones((5, 5)), "V": np.ones((5, 6))}]
    assert _oracle_size_error(small) is None
    assert "axes" in _oracle_size_error([np.ones((4000, 1)), np.ones((1, 1))])
    assert "numbers" in _oracle_size_error([{"W": np.ones((200, 200))}])
    assert _oracle_size_error([np.ones((100, 100))] * 3) is not None
    assert ORACLE_MAX_ELEMENTS >= 100 * 93  # the largest request of the checks holds 93 numbers


def test_grader_refuses_huge_json_headers_from_the_child():
    from autograder.isolation import protocol

    frame = protocol.encode({"op": "result", "value": [0] * 3_000_000})
    with pytest.raises(protocol.ProtocolError, match="header larger"):
        protocol.parse_prefix(frame[:protocol.PREFIX.size], protocol.MAX_CHILD_HEADER)
    assert protocol.decode(frame)["value"][:2] == [0, 0]  # the grader's own frames: unchanged


def test_root_sandbox_cwd_is_a_size_limited_copy():
    script = sandbox.namespace_script("/tmp/R", "/tmp/cwd", readable=[], hidden=[],
                                      limits=sandbox.Limits(file_size_bytes=10**6))
    assert f"-t tmpfs -o size={64 * 1024**2},nosuid,nodev sandbox-cwd /tmp/R/tmp/cwd" in script
    assert "cp -a /tmp/cwd/. /tmp/R/tmp/cwd" in script
    assert "--bind -o nosuid,nodev /tmp/cwd" not in script


# ----------------------------------------------------------------------------------------------
# issue 11's attacks, where the mode says it protects


def test_network_is_closed_where_the_mode_says_so(graded):
    output = graded.results["network_loopback"]["output"]
    assert "NET-PROBE" in output
    if "no_network" in GUARANTEES[graded.mode]:
        assert "NET-PROBE closed" in output, output[:2000]


def test_a_tmp_stash_does_not_survive_a_crash(graded):
    output = graded.results["tmp_stash_across_crash"]["output"]
    assert "STASH-FOUND" in output
    if "no_writes_outside" in GUARANTEES[graded.mode]:
        assert "STASH-FOUND 0" in output, output[:2000]
        for folder in SHARED_TMP:
            assert not list(Path(folder).glob("rnn-hostile-stash-*")), folder


def test_submission_metadata_and_classmates_stay_closed(graded):
    """Read through the TA's own user (the unsandboxed proof), the classmates' notebooks give
    the stubs their points: the batch's zero is the isolation's doing."""
    if graded.proofs:
        proof = _scores(graded.proofs["copy_classmates"])
        assert sum(s for s, _ in proof.values()) > 0, \
            graded.proofs["copy_classmates"]["output"][:2000]
        assert "copied=True" in graded.proofs["copy_classmates"]["output"]
    if "no_reads_outside" in GUARANTEES[graded.mode]:
        assert "copied=False" in graded.results["copy_classmates"]["output"]
        for name, results in graded.results.items():
            assert METADATA_SECRET not in json.dumps(results), name


def test_shared_tmp_is_left_as_it_was(graded):
    output = graded.results["fill_tmp_for_the_next"]["output"]
    assert "FILL-WROTE" in output
    if "no_writes_outside" in GUARANTEES[graded.mode]:
        for folder in SHARED_TMP:
            assert not list(Path(folder).glob("rnn-hostile-fill-*")), folder


def test_twenty_thousand_raising_cells_give_a_small_results_json(graded):
    from autograder.bounds import MAX_RESULTS_BYTES

    data = graded.paths["many_raising_cells"].read_bytes()
    assert len(data) <= MAX_RESULTS_BYTES
    more = ENTRIES["many_raising_cells"].repeat - 50  # the first 50 are listed
    assert f"{more} more cells with problems" in graded.results["many_raising_cells"]["output"]


def test_attack_cells_come_after_the_imports():
    """An attack cell before ``import numpy as np`` (behind the build's set-up cell, say) dies of
    a NameError and proves nothing: every entry's cells follow the imports."""
    for entry in ENTRIES.values():
        if not entry.attack_cells or entry.container:
            continue
        sources = [c.source for c in _hostile_notebook(_solved_notebook(entry.notebook), entry)
                   .cells if c.cell_type == "code"]
        imports = next(i for i, s in enumerate(sources) if "import numpy as np" in s.split("\n"))
        first_attack = sources.index(entry.attack_cells[0])
        assert first_attack > imports, entry.name
