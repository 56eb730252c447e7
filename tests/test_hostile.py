"""A grader that cannot be fooled: the hostile catalog (tests/hostile/) through the real pipeline.

Each entry of ``tests/hostile/`` (format: tests/hostile/README.md) becomes a notebook: the solved
notebook of ``autograder.build``, with the entry's attack cells inserted and some graded functions
replaced. Beside them, *control* notebooks hold the entries' honest-but-wrong versions of those
functions (what each attacked question deserves, as measured by the grader itself), plus a
not-JSON submission and otter's zip with a crafted ``.OTTER_LOG``. All are graded in ONE
``grade.main([... "--jobs", "2"])`` call with short time limits, in the strongest sandbox the
machine allows (root-sandbox in CI, which runs as root). Then, for every entry:

- it gains nothing: each attacked question scores exactly what its honest version scores, below
  full marks, and every other question keeps full marks;
- results.json exists, is the grader's (not overwritten) and validates against the schema;
- no hidden case name, no line of the checks or the solutions that students do not already have,
  appears in it; its output stays capped;
- nothing is left running: no process of the sandbox users, no descendant of this process, no
  file the attacks write outside their sandbox.

Entries marked ``proof: unsandboxed`` are also graded without the sandbox, where the attack must
succeed: proof that the assertions above can fail.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pickle
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder import grade, notebooks
from autograder.isolation import sandbox

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
                current[1].append(line)
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
    else:
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells[first + 1:first + 1] = cells
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


def _secrets(key, submission_text):
    """Hidden case names, and lines of the checks and solutions that students do not have."""
    from autograder.build import build_notebooks, included_names
    from autograder.checks.public import render_public_tests

    source = ROOT / "assignment" / f"{key}.py"
    student = build_notebooks(source, {n: [] for n in included_names(source)}).student
    public = "\n".join(render_public_tests(key).values()) + nbformat.writes(student)
    # The lines students have, as they read them: the cells' source text, not the JSON lines of
    # the .ipynb (a def line the grader quotes from a student's own cell is no secret).
    cell_text = "\n".join(c.source for c in student.cells)
    if submission_text:
        cell_text += "\n" + "\n".join(c.source for c in nbformat.reads(submission_text, 4).cells)
    known = {line.strip() for line in (public + submission_text + cell_text).splitlines()}
    lines = set()
    for folder in (ROOT / "solutions", ROOT / "autograder" / "checks"):
        for path in folder.glob("*.py"):
            for line in path.read_text().splitlines():
                line = line.strip()
                if len(line) >= SECRET_MIN_LEN and line not in known \
                        and not line.startswith(("#", '"""')):
                    lines.add(line)
    # Names like "shapes" or "dh0" are ordinary words of any message; "values_m1_T3" is not.
    hidden = {c.name for c in notebooks.checks_module(key).CASES if c.hidden
              and "_" in c.name and len(c.name) >= 8 and c.name not in public + submission_text}
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
# the batch


@dataclass
class Graded:
    results: dict  # name -> results.json
    paths: dict  # name -> results.json path
    controls: dict  # (function, honest text) -> results.json of the control notebook
    solved: dict  # notebook key -> solved notebook
    notebooks: dict  # entry name -> the hostile notebook
    marker: Path
    seconds: float
    hashes: dict
    proofs: dict


def _read(path):
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    if not (ROOT / "assignment" / "rnn_dinosaurs.py").is_file():
        pytest.skip("assignment/rnn_dinosaurs.py does not exist yet")
    tmp = tmp_path_factory.mktemp("hostile")
    subs = tmp / "submissions"
    subs.mkdir()
    marker = tmp / "OTTER_LOG_WAS_UNPICKLED"
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

    out = tmp / "results"
    argv = [*map(str, paths), "--out", str(out), "--jobs", "2", "--no-progress"]
    for key, value in LIMITS.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    started = time.monotonic()
    assert grade.main(argv) == 0
    seconds = time.monotonic() - started
    result_paths = {n: out / p.stem / "results.json" for n, p in zip(names, paths, strict=True)}
    hashes = {n: p.read_bytes() for n, p in result_paths.items() if p.exists()}

    proofs = {}
    for entry in ENTRIES.values():
        if entry.proof == "unsandboxed":
            config = grade.GradeConfig(**LIMITS, sandbox=False)
            proofs[entry.name] = grade.grade_submission(subs / f"{entry.name}.ipynb",
                                                        tmp / "unsandboxed" / entry.name, config)
    return Graded(results={n: _read(p) for n, p in result_paths.items() if p.exists()},
                  paths=result_paths,
                  controls={k: _read(result_paths[v]) for k, v in control_where.items()},
                  solved=solved, notebooks=made, marker=marker, seconds=seconds,
                  hashes=hashes, proofs=proofs)


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
    time.sleep(2.5)  # longer than the detached attackers' first sleep
    assert not graded.marker.exists(), "the .OTTER_LOG pickle was unpickled"
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


def test_the_batch_stays_within_its_limits(graded):
    # Every attack on time is cut by the limits: no submission takes longer than its budget
    # (plus restarts' startup), whatever it does.
    for name, results in graded.results.items():
        assert results["execution_time"] < LIMITS["timeout_total"] + 15, name
    assert graded.seconds < 240


def test_disk_fill_is_capped_in_the_sandbox(graded):
    output = graded.results["disk_fill"]["output"]
    match = re.search(r"DISK-WROTE \{'\.': (\d+), '/tmp': (\d+), '/dev/shm': (\d+)\}", output)
    assert match, output[:2000]
    cwd_mb, tmp_mb, shm_mb = map(int, match.groups())
    if sandbox.mode() == "root-sandbox":
        assert cwd_mb <= 256 and tmp_mb <= 64 and shm_mb <= 64, match.group(0)


def test_hidden_tests_leak_without_the_sandbox_and_not_with_it(graded):
    """The scan of read_hidden_tests does find the checks when nothing isolates it."""
    key = "rnn_dinosaurs"
    hidden, lines = _secrets(key, nbformat.writes(graded.notebooks["read_hidden_tests"]))
    assert leaked(graded.proofs["read_hidden_tests"], hidden, lines), \
        "the unsandboxed scan found nothing: the leak test proves nothing"
    if sandbox.mode() in ("root-sandbox", "bubblewrap"):
        assert "found=0" in graded.results["read_hidden_tests"]["output"]


def test_reference_import_works_without_the_sandbox_only(graded):
    proof = _scores(graded.proofs["import_reference"])
    assert "IMPORT-ATTEMPT found=True" in graded.proofs["import_reference"]["output"]
    assert proof["clip"][0] == proof["clip"][1], "unsandboxed, the stolen reference should pass"
    if sandbox.mode() in ("root-sandbox", "bubblewrap"):
        assert "IMPORT-ATTEMPT found=False" in graded.results["import_reference"]["output"]


def test_not_json_submission(graded):
    results = graded.results["not_json"]
    jsonschema.validate(results, SCHEMA)
    assert results["score"] == 0 and "not valid JSON" in results["output"]


def test_fake_success_is_only_quoted_output(graded):
    output = graded.results["fake_success"]["output"]
    head, _, notebook_output = output.partition("Output of your notebook")
    assert "All tests passed" not in head
    assert re.search(r"Autograder score: ([\d.]+) / 60", head).group(1) != "60"
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
    if sandbox.mode() in ("root-sandbox", "root-confined", "bubblewrap"):
        assert "NET-PROBE closed" in output, output[:2000]


def test_a_tmp_stash_does_not_survive_a_crash(graded):
    output = graded.results["tmp_stash_across_crash"]["output"]
    assert "STASH-FOUND" in output
    if sandbox.mode() in ("root-sandbox", "root-confined", "root-user-only", "bubblewrap"):
        assert "STASH-FOUND 0" in output, output[:2000]
        for folder in SHARED_TMP:
            assert not list(Path(folder).glob("rnn-hostile-stash-*")), folder


def test_submission_metadata_and_classmates_stay_closed(graded):
    """Read through the TA's own user (the unsandboxed proof), the classmates' notebooks give
    the stubs their points: the batch's zero is the isolation's doing."""
    proof = _scores(graded.proofs["copy_classmates"])
    assert sum(s for s, _ in proof.values()) > 0, graded.proofs["copy_classmates"]["output"][:2000]
    assert "copied=True" in graded.proofs["copy_classmates"]["output"]
    if sandbox.mode() != "unprivileged":
        assert "copied=False" in graded.results["copy_classmates"]["output"]
        for name, results in graded.results.items():
            assert METADATA_SECRET not in json.dumps(results), name


def test_shared_tmp_is_left_as_it_was(graded):
    output = graded.results["fill_tmp_for_the_next"]["output"]
    assert "FILL-WROTE" in output
    if sandbox.mode() != "unprivileged":
        for folder in SHARED_TMP:
            assert not list(Path(folder).glob("rnn-hostile-fill-*")), folder


def test_twenty_thousand_raising_cells_give_a_small_results_json(graded):
    from autograder.bounds import MAX_RESULTS_BYTES

    data = graded.paths["many_raising_cells"].read_bytes()
    assert len(data) <= MAX_RESULTS_BYTES
    more = ENTRIES["many_raising_cells"].repeat - 50  # the first 50 are listed
    assert f"{more} more cells with problems" in graded.results["many_raising_cells"]["output"]
