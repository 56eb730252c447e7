"""The grading core: scores, results.json (Gradescope's schema), grades.csv, the CLI, Gradescope.

Most tests use a small fake checks module (registered for the test only) so that they stay fast
and do not depend on the real hidden cases; one end-to-end test grades the real checks.
"""

import csv
import importlib
import inspect
import json
import sys
import types
from pathlib import Path

import jsonschema
import nbformat
import numpy as np
import pytest

import solutions.rnn as ref
from autograder import grade, notebooks
from autograder.checks import Case, CheckFailed, repeat, using_reference

SCHEMA = json.loads((Path(grade.__file__).with_name("results_schema.json")).read_text())
FAST = dict(timeout_cell=5, timeout_call=3, timeout_total=60, sandbox=False)


def validate(results):
    jsonschema.validate(results, SCHEMA)
    return results


# -------------------------------------------------------------------------- a fake checks module


def _expect_close(actual, expected, what):
    if not isinstance(actual, np.ndarray) or actual.shape != np.shape(expected):
        raise CheckFailed(f"{what} has the wrong shape or type")
    if not np.allclose(actual, expected):
        raise CheckFailed(f"{what} differs from the reference")


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    parameters = ref.initialize_parameters(5, 4, 5, rng)
    parameters["beta1"] = rng.standard_normal((4, 1))
    return rng.standard_normal((5, 2, 3)), rng.standard_normal((4, 2)), parameters


def _cell_values(fn):
    X, h0, p = _problem()
    h, y = fn(X[:, :, 0], h0, p)
    _expect_close(h, ref.rnn_cell_forward(X[:, :, 0], h0, p)[0], "rnn_cell_forward's h_next")


def _forward_values(fn):
    X, h0, p = _problem(1)
    H, _ = using_reference(fn, "rnn_cell_forward")(X, h0, p)
    _expect_close(H, ref.rnn_forward(X, h0, p)[0], "rnn_forward's H")


def _bptt_keys(fn):
    X, h0, p = _problem(2)
    H, Y_hat = ref.rnn_forward(X, h0, p)
    grads = fn(X, ref.one_hot(np.zeros((2, 3), dtype=int), 5), H, Y_hat, h0, p)
    if set(grads) != set(ref.GRADIENT_KEYS):
        raise CheckFailed("bptt returned the wrong keys")


def _clip_untouched(fn):
    grads = {"dV": np.array([[-5.0, 0.5, 5.0]])}
    fn(grads, 1.0)
    if grads["dV"][0, 0] != -5.0:
        raise CheckFailed("clip changed the gradients passed in")


def _sample_same_state(fn):
    p = ref.initialize_parameters(27, 5, 27, np.random.default_rng(3))
    char_to_ix = {ch: i for i, ch in enumerate("\nabcdefghijklmnopqrstuvwxyz")}
    rng = np.random.default_rng(7)
    names = repeat(fn, 2, p, char_to_ix, rng)
    again = ref.sample(p, char_to_ix, np.random.default_rng(7))
    if names[0] != again:
        raise CheckFailed("sample does not follow the rng")
    # The proxy mirrored the rng's state: drawing on continues the same stream.
    expected_rng = np.random.default_rng(7)
    ref.sample(p, char_to_ix, expected_rng)
    ref.sample(p, char_to_ix, expected_rng)
    if rng.integers(1 << 30) != expected_rng.integers(1 << 30):
        raise CheckFailed("the rng state was not mirrored")


FAKE_CASES = [
    Case("rnn_cell_forward", "values", 2, False, _cell_values),
    Case("rnn_cell_forward", "values_hidden", 1, True, _cell_values),
    Case("rnn_forward", "values_with_reference", 2, True, _forward_values),
    Case("bptt", "keys", 1, True, _bptt_keys),
    Case("clip", "inputs_untouched", 1, False, _clip_untouched),
    Case("sample", "same_state", 1, True, _sample_same_state),
]
FAKE_MAX = 8.0


@pytest.fixture
def fake_checks(monkeypatch):
    module = types.ModuleType("fake_rnn_checks")
    module.CASES = list(FAKE_CASES)
    monkeypatch.setitem(sys.modules, "fake_rnn_checks", module)
    monkeypatch.setitem(notebooks.NOTEBOOKS["rnn_dinosaurs"], "checks", "fake_rnn_checks")
    return module


# ------------------------------------------------------------------------------ notebooks


def solved_sources(**replace):
    sources = ["import numpy as np", inspect.getsource(ref.softmax)]
    for name in ref.GRADED:
        sources.append(replace.get(name, inspect.getsource(getattr(ref, name))))
    return sources


def write_notebook(path, sources, skip=()):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Dinosaur names")]
    for i, source in enumerate(sources):
        metadata = {"tags": ["skip-grading"]} if i in skip else {}
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata=metadata))
    nbformat.write(nb, str(path))
    return path


def solved_notebook(path):
    sources = solved_sources() + ["while True:\n    pass  # a training demo", "grader = 1"]
    return write_notebook(path, sources, skip={len(sources) - 2})


def scores(results):
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]}


# ------------------------------------------------------------------------------ grading


def test_correct_notebook_gets_full_marks(tmp_path, fake_checks):
    path = solved_notebook(tmp_path / "alice.ipynb")
    results = validate(grade.grade_submission(path, tmp_path / "out", grade.GradeConfig(**FAST)))
    assert results["score"] == FAKE_MAX
    assert all(score == top for score, top in scores(results).values())
    assert [t["name"] for t in results["tests"]] == list(ref.GRADED)
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert written == results
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["rnn_cell_forward"]["output"].splitlines() == [
        "PASS values (2/2)", "PASS values_hidden [hidden] (1/1)"]
    # Entries with hidden cases wait for publication; clip has only public cases.
    assert by_name["rnn_forward"]["visibility"] == "after_published"
    assert by_name["clip"]["visibility"] == "visible"
    # The visible summary lists the public cases only.
    assert "PASS values (2/2)" in results["output"]
    assert "values_hidden" not in results["output"] and "same_state" not in results["output"]


def test_visible_output_never_tells_how_hidden_cases_went(tmp_path, fake_checks):
    """Before grades are published the visible head counts public points only: a total there
    would let a student probe hidden inputs one pass/fail bit at a time."""
    config = grade.GradeConfig(**FAST)
    passing = solved_notebook(tmp_path / "pass.ipynb")
    broken_sample = "def sample(parameters, char_to_ix, rng, max_length=50):\n    return [0]"
    failing = write_notebook(tmp_path / "fail.ipynb", solved_sources(sample=broken_sample))
    good = validate(grade.grade_submission(passing, tmp_path / "a", config))
    bad = validate(grade.grade_submission(failing, tmp_path / "b", config))
    assert good["score"] == FAKE_MAX and bad["score"] < FAKE_MAX  # only a hidden case differs
    heads = [r["output"].splitlines()[1] for r in (good, bad)]
    assert heads == ["Public tests: 3 / 3 points (hidden tests are not counted here)"] * 2
    assert "same_state" not in bad["output"]
    visible = grade.GradeConfig(**{**FAST, "hidden_visibility": "visible"})
    shown = validate(grade.grade_submission(failing, tmp_path / "c", visible))
    assert shown["output"].splitlines()[1] == f"Autograder score: {bad['score']:g} / {FAKE_MAX:g}"


def test_a_bug_is_charged_once_thanks_to_with_reference(tmp_path, fake_checks):
    wrong_cell = inspect.getsource(ref.rnn_cell_forward).replace(' + parameters["beta1"]', "")
    path = write_notebook(tmp_path / "bob.ipynb", solved_sources(rnn_cell_forward=wrong_cell))
    results = validate(grade.grade_submission(path, tmp_path / "out", grade.GradeConfig(**FAST)))
    got = scores(results)
    assert got["rnn_cell_forward"] == (0.0, 3.0)
    assert got["rnn_forward"] == (2.0, 2.0)  # its inner calls were answered by the reference
    assert "FAIL values (0/2): rnn_cell_forward's h_next differs" in results["output"]


def test_student_failures_become_feedback(tmp_path, fake_checks, monkeypatch):
    sources = solved_sources(
        rnn_forward="def rnn_forward(X, h0, parameters):\n    return X[99]",
        bptt="def bptt(X, Y, H, Y_hat, h0, parameters)\n    return {}",  # SyntaxError
        clip="def clip(gradients, max_value):\n    while True:\n        pass",
        sample="def sample(parameters, char_to_ix, rng, max_length=50):\n"
               "    import os\n    os._exit(1)",
    )
    path = write_notebook(tmp_path / "carol.ipynb", sources)
    results = validate(grade.grade_submission(path, tmp_path / "out",
                                              grade.GradeConfig(**{**FAST, "timeout_call": 1})))
    by_name = {t["name"]: t for t in results["tests"]}
    assert results["score"] == 3.0  # rnn_cell_forward only
    assert "rnn_forward raised IndexError" in by_name["rnn_forward"]["output"]
    assert "bptt is not defined because its cell" in by_name["bptt"]["output"]
    assert "SyntaxError" in by_name["bptt"]["output"]
    assert "clip did not return within 1 s" in by_name["clip"]["output"]
    assert "the process running sample exited with status 1" in by_name["sample"]["output"]
    assert "raised SyntaxError" in results["output"]  # the notebook problem, shown at once


def test_a_bug_in_a_check_is_an_internal_error_not_a_crash(tmp_path, fake_checks):
    def broken(fn):
        raise ZeroDivisionError("check bug")

    fake_checks.CASES.append(Case("clip", "broken_check", 1, False, broken))
    path = solved_notebook(tmp_path / "dave.ipynb")
    results = validate(grade.grade_submission(path, tmp_path / "out", grade.GradeConfig(**FAST)))
    clip = next(t for t in results["tests"] if t["name"] == "clip")
    assert clip["score"] == 1.0 and clip["max_score"] == 2.0
    assert "FAIL broken_check (0/1): internal grader error" in clip["output"]


def test_hidden_visibility_is_configurable(tmp_path, fake_checks):
    path = solved_notebook(tmp_path / "erin.ipynb")
    config = grade.GradeConfig(**FAST, hidden_visibility="visible")
    results = validate(grade.grade_submission(path, tmp_path / "out", config))
    assert {t["visibility"] for t in results["tests"]} == {"visible"}


def test_config_precedence(tmp_path):
    config_file = tmp_path / "config.json"
    config_file.write_text(json.dumps({"timeout_cell": 11, "timeout_call": 12}))
    env = {"AUTOGRADER_TIMEOUT_CALL": "13", "AUTOGRADER_TIMEOUT_TOTAL": "14"}
    config = grade.load_config(config_file, env=env, timeout_total=15)
    assert (config.timeout_cell, config.timeout_call, config.timeout_total) == (11, 13, 15)
    assert grade.GradeConfig().timeout_total <= 600 / 2  # room within Gradescope's 10 minutes
    with pytest.raises(ValueError):
        grade.load_config(env={"AUTOGRADER_TIMEOUT_CELL": "-1"})
    config_file.write_text(json.dumps({"timeout_cel": 1}))
    with pytest.raises(ValueError, match="unknown keys"):
        grade.load_config(config_file, env={})


# ------------------------------------------------------------------------------ the CLI


def test_batch_with_bad_submissions_continues(tmp_path, fake_checks, capsys):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good = solved_notebook(tmp_path / "a" / "hw.ipynb")
    mutating_clip = "def clip(g, m):\n    g['dV'] *= 0\n    return g"  # fails inputs_untouched
    same_stem = write_notebook(tmp_path / "b" / "hw.ipynb", solved_sources(clip=mutating_clip))
    empty = tmp_path / "empty.ipynb"
    empty.write_text("")
    missing = tmp_path / "missing.ipynb"
    out = tmp_path / "out"
    argv = [str(good), str(same_stem), str(empty), str(missing), "--out", str(out),
            "--jobs", "2", "--timeout-call", "3", "--timeout-cell", "5", "--no-progress"]
    assert grade.main(argv) == 2  # a path that does not exist is the TA's mistake
    assert "missing.ipynb does not exist" in capsys.readouterr().err
    assert grade.main(argv[:3] + argv[4:]) == 0
    # equal stems: lengthened by their folders' names, stable whatever the order
    for name in ("a__hw", "b__hw", "empty"):
        validate(json.loads((out / name / "results.json").read_text()))
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["submission"] for r in rows] == [str(good), str(same_stem), str(empty)]
    assert list(rows[0]) == ["submission", "name", "email", "sid", "notebook", "score",
                             "max_score", *ref.GRADED, "error"]
    assert (rows[0]["notebook"], rows[0]["score"], rows[0]["max_score"]) == (
        "rnn_dinosaurs", "8", "8")
    assert rows[0]["name"] == rows[0]["email"] == rows[0]["sid"] == ""
    assert rows[0]["clip"] == "1" and rows[1]["clip"] == "0" and rows[1]["score"] == "7"
    assert rows[0]["error"] == "" and "empty" in rows[2]["error"]
    assert rows[2]["score"] == "0" and rows[2]["max_score"] == "" and rows[2]["clip"] == ""
    table = capsys.readouterr().out
    assert "8/8" in table and "7/8" in table and "empty" in table
    # the table names the question that lost points, on the row of the submission that lost them
    assert [line for line in table.splitlines() if "clip 0/1" in line] == [
        line for line in table.splitlines() if "7/8" in line]


@pytest.mark.parametrize("argv", [
    [],
    ["x.ipynb"],  # no --out
    ["x.ipynb", "--out", "OUT", "--jobs", "0"],
    ["x.ipynb", "--out", "OUT", "--hidden-visibility", "sometimes"],
    ["x.ipynb", "--out", "OUT", "--timeout-cell", "-3"],
    ["x.ipynb", "--out", "OUT", "--timeout-call", "soon"],
    ["x.ipynb", "--out", "OUT", "--data-dir", "/nonexistent/data"],
])
def test_usage_errors_exit_2(argv, tmp_path, capsys):
    argv = [str(tmp_path / a) if a == "OUT" else a for a in argv]
    assert grade.main(argv) == 2
    assert not (tmp_path / "OUT" / "grades.csv").exists()


def test_help_exits_0(capsys):
    assert grade.main(["--help"]) == 0
    assert "--hidden-visibility" in capsys.readouterr().out


# ------------------------------------------------------------------------------ Gradescope


def gradescope_root(tmp_path, monkeypatch, *files):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "source").mkdir()
    (root / "source" / "autograder_config.json").write_text(json.dumps(FAST))
    for name, text in files:
        (root / "submission" / name).write_text(text)
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    return root


def test_gradescope_main_grades_the_one_notebook(tmp_path, monkeypatch, fake_checks, capsys):
    root = gradescope_root(tmp_path, monkeypatch, (".OTTER_LOG", "never read"))
    solved_notebook(root / "submission" / "rnn_dinosaurs.ipynb")
    assert grade.gradescope_main() == 0
    results = validate(json.loads((root / "results" / "results.json").read_text()))
    assert results["score"] == FAKE_MAX
    assert "8/8" in capsys.readouterr().out


@pytest.mark.parametrize("files, message", [
    ([], "submission is empty"),
    ([("a.ipynb", "{}"), ("b.ipynb", "{}")], "several notebooks"),
    ([("notes.txt", "x"), ("hw.py", "x")], "no notebook (.ipynb) found"),
    ([("hw.py", "def rnn_forward(): pass")], "is a Python file"),
])
def test_gradescope_main_explains_a_bad_submission(tmp_path, monkeypatch, files, message):
    root = gradescope_root(tmp_path, monkeypatch, *files)
    assert grade.gradescope_main() == 0
    results = validate(json.loads((root / "results" / "results.json").read_text()))
    assert results["score"] == 0
    assert message in results["tests"][0]["output"] and message in results["output"]


# ------------------------------------------------------------------------------ end to end


def test_real_checks_give_full_marks_to_the_reference(tmp_path):
    """The real checks of notebook 1, through the default launcher (the sandbox if present)."""
    try:
        importlib.import_module("autograder.checks.rnn_dinosaurs")
    except ImportError:
        pytest.skip("autograder.checks.rnn_dinosaurs is not written yet")
    path = write_notebook(tmp_path / "rnn_dinosaurs.ipynb", solved_sources())
    config = grade.GradeConfig(timeout_cell=30, timeout_call=30, timeout_total=120)
    results = validate(grade.grade_submission(path, tmp_path / "out", config))
    failed = [t["output"] for t in results["tests"] if t["score"] != t["max_score"]]
    assert not failed, failed
    assert results["score"] > 0 and [t["name"] for t in results["tests"]] == list(ref.GRADED)


def test_sample_critical_values_are_scipy_chi2_isf():
    """The checks take chi-square critical values from scipy.special (a faster import): the
    same numbers as scipy.stats.chi2.isf, so the false-alarm rate stays ALPHA = 1e-6."""
    from scipy.stats import chi2

    from autograder.checks import rnn_dinosaurs as checks

    assert checks.ALPHA == 1e-6
    for df in range(1, 40):
        assert checks._critical(df) == float(chi2.isf(checks.ALPHA, df))
    assert checks._critical(0) == 0.0
