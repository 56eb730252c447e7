"""python -m autograder build: the student and solved notebooks, the public tests, the zip."""

from __future__ import annotations

import ast
import inspect
import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import build, notebooks
from autograder.__main__ import main as cli_main
from autograder.checks import rnn_dinosaurs as checks
from solutions import rnn

ROOT = Path(__file__).resolve().parent.parent
GRADED = list(rnn.GRADED)


@pytest.fixture(scope="module")
def dist(tmp_path_factory, flavors_dir):
    out = tmp_path_factory.mktemp("dist")
    assert cli_main(["build", "--out", str(out), "--flavors-results", str(flavors_dir)]) == 0
    return out


def read(path):
    return nbformat.read(path, as_version=4)


def function_cells(nb):
    """{name: (index, cell)} of the code cells that begin with `def <name>(`."""
    found = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith("def "):
            name = cell.source[4 : cell.source.index("(")]
            found[name] = (i, cell)
    return found


def body_lines(fn):
    """The source lines of a function's body after its docstring, stripped."""
    source = inspect.getsource(fn)
    node = ast.parse(source).body[0]
    start = node.body[1].lineno if ast.get_docstring(node) else node.body[0].lineno
    return [line.strip() for line in source.splitlines()[start - 1 :] if line.strip()]


def test_layout(dist):
    assert (dist / "student" / "rnn_dinosaurs.ipynb").is_file()
    assert (dist / "solved" / "rnn_dinosaurs.ipynb").is_file()
    assert (dist / "student" / "data" / "dinos.txt").read_bytes() == (
        ROOT / "data" / "dinos.txt"
    ).read_bytes()
    for key, entry in notebooks.NOTEBOOKS.items():
        for version in ("student", "solved"):
            # One folder of public tests per notebook: grader.check_all() runs only its own.
            tests = sorted(p.stem for p in (dist / version / "tests" / key).glob("*.py"))
            assert tests == sorted(entry["functions"]), (version, key)
    assert not list((dist / "student" / "tests").glob("*.py"))


@pytest.mark.parametrize("version", ["student", "solved"])
def test_notebooks_validate_without_outputs(dist, version):
    for path in (dist / version).glob("*.ipynb"):
        nb = read(path)
        nbformat.validate(nb)
        assert nb.nbformat == 4
        assert nb.metadata.kernelspec.name == "python3"
        assert "jupytext" not in nb.metadata
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
            assert "# solution:" not in cell.source and "# provided:" not in cell.source
            assert "ruff: noqa" not in cell.source


@pytest.mark.parametrize("key", list(notebooks.NOTEBOOKS))
def test_first_code_cells_set_up_the_files_then_otter(dist, key):
    nb = read(dist / "student" / f"{key}.ipynb")
    setup, first = [c for c in nb.cells if c.cell_type == "code"][:2]
    # The set-up cell (skipped by the grader) restores the public tests and data when missing.
    assert "restore_files(" in setup.source and "skip-grading" in setup.metadata["tags"]
    assert f'grader = otter.Notebook(tests_dir="tests/{key}")' in first.source
    assert "import numpy as np" in first.source


def test_student_stubs(dist):
    nb = read(dist / "student" / "rnn_dinosaurs.ipynb")
    cells = function_cells(nb)
    for name in GRADED:
        assert name in cells, f"no cell begins with def {name}("
        index, cell = cells[name]
        node = ast.parse(cell.source).body
        assert len(node) == 1 and isinstance(node[0], ast.FunctionDef)
        fn = node[0]
        # Signature and docstring are the solution's; the body is exactly `...`.
        reference = ast.parse(inspect.getsource(getattr(rnn, name))).body[0]
        assert ast.dump(fn.args) == ast.dump(reference.args)
        assert ast.get_docstring(fn, clean=False) == ast.get_docstring(reference, clean=False)
        assert len(fn.body) == 2
        assert isinstance(fn.body[1], ast.Expr) and fn.body[1].value.value is Ellipsis
        assert "# YOUR CODE HERE" in cell.source
        following = nb.cells[index + 1]
        assert following.cell_type == "code"
        assert following.source.strip() == f'grader.check("{name}")'


def test_solved_function_cells_are_the_reference(dist):
    nb = read(dist / "solved" / "rnn_dinosaurs.ipynb")
    cells = function_cells(nb)
    for name in GRADED:
        assert cells[name][1].source == inspect.getsource(getattr(rnn, name)).rstrip("\n")
    # Provided helpers are whole in both versions.
    from solutions import gradcheck

    student = read(dist / "student" / "rnn_dinosaurs.ipynb")
    helpers = (rnn.softmax, rnn.one_hot, gradcheck.numerical_gradient, gradcheck.relative_error)
    for helper in helpers:
        source = inspect.getsource(helper).rstrip("\n")
        for version in (nb, student):
            assert any(source in c.source for c in version.cells if c.cell_type == "code")


def test_skip_grading_cells_also_carry_otters_ignore_tag(dist):
    nb = read(dist / "student" / "rnn_dinosaurs.ipynb")
    tagged = [c for c in nb.cells if "skip-grading" in c.metadata.get("tags", [])]
    assert len(tagged) >= 5  # demonstrations: loss, gradient check, two plots, training, export
    assert all(build.OTTER_IGNORE_TAG in c.metadata.tags for c in tagged)
    export = [c for c in nb.cells if c.cell_type == "code" and "grader.export(" in c.source]
    assert export and all("pdf=False" in c.source and c in tagged for c in export)
    # The graded functions and their checks are never skipped.
    for cell in nb.cells:
        if cell.source.startswith("def ") or "grader.check(" in cell.source:
            assert "skip-grading" not in cell.metadata.get("tags", []) or "check_all" in cell.source


def test_written_questions_have_answer_cells(dist):
    nb = read(dist / "student" / "rnn_dinosaurs.ipynb")
    answers = [c for c in nb.cells if c.cell_type == "markdown" and c.source == "YOUR ANSWER HERE"]
    assert 3 <= len(answers) <= 4


def student_texts(dist):
    for path in sorted((dist / "student").rglob("*")):
        if path.is_file() and path.suffix in (".ipynb", ".py", ".txt", ".md", ".json"):
            yield path, path.read_text(encoding="utf-8")


def built_notebooks():
    """Keys of the registry's notebooks whose source exists (notebook 1 at least)."""
    keys = [key for key in notebooks.NOTEBOOKS if (ROOT / "assignment" / f"{key}.py").is_file()]
    assert "rnn_dinosaurs" in keys
    return keys


def test_every_notebook_is_built(dist):
    for key in built_notebooks():
        graded = function_cells(read(dist / "student" / f"{key}.ipynb"))
        assert set(notebooks.NOTEBOOKS[key]["functions"]) <= set(graded)


def test_no_solution_code_reaches_students(dist):
    texts = list(student_texts(dist))
    references = [
        notebooks.reference_function(key, name)
        for key in built_notebooks()
        for name in notebooks.NOTEBOOKS[key]["functions"]
    ]
    for fn in references:
        name = fn.__name__
        # Lines short enough to be generic (`return H, Y_hat`, `h = h0`) are allowed elsewhere.
        lines = [line for line in body_lines(fn) if len(line) >= 25]
        assert lines, name
        for path, text in texts:
            leaked = [line for line in lines if line in text]
            assert not leaked, f"{path.name} holds {name}'s code: {leaked}"


def test_no_hidden_tests_reach_students(dist):
    all_cases = [c for key in built_notebooks() for c in notebooks.checks_module(key).CASES]
    public = {c.name for c in all_cases if not c.hidden}
    hidden = [c.name for c in all_cases if c.hidden and c.name not in public]
    assert hidden and public
    for path, text in student_texts(dist):
        assert "import solutions" not in text and "from solutions" not in text, path
        assert "autograder.checks" not in text, path
        for case_name in hidden:
            assert f"name='{case_name}'" not in text and f'name="{case_name}"' not in text, (
                path,
                case_name,
            )
            assert f"def {case_name}(" not in text, (path, case_name)


def test_zip_layout(dist):
    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        infos = {info.filename: info for info in zf.infolist()}
        names = set(infos)
        for required in (
            "setup.sh",
            "run_autograder",
            "requirements.txt",
            "otter_config.json",
            "autograder/__init__.py",
            "autograder/__main__.py",
            "autograder/grade.py",
            "autograder/checks/rnn_dinosaurs.py",
            "solutions/rnn.py",
            "data/dinos.txt",
            "files/data/dinos.txt",
        ):
            assert required in names, required
        for script in ("setup.sh", "run_autograder"):
            mode = infos[script].external_attr >> 16
            assert stat.S_ISREG(mode) and mode & 0o111 == 0o111, script
            assert zf.read(script).startswith(b"#!/usr/bin/env bash\n")
        assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
        assert not [n for n in names if n.startswith("tests/") and not n.endswith(".py")]
        assert {f"tests/{fn}.py" for fn in GRADED} <= names
        assert json.loads(zf.read("otter_config.json"))["pdf"] is False
        assert json.loads(zf.read("autograder_config.json"))["hidden_visibility"] == (
            "after_published")
        requirements = zf.read("requirements.txt").decode()
        assert "otter-grader[grading]==7.0.0" in requirements and "numpy==1.26.4" in requirements
        assert "conda" not in zf.read("setup.sh").decode().replace("# No conda", "")
        assert "ensure_sandbox_user()" in zf.read("setup.sh").decode()


def load_zip_test(dist, fn, main_defines):
    """Load tests/<fn>.py of the zip as otter does; the kernel's __main__ defines main_defines.

    Returns:
    (env, cases) -- the file's globals and its otter test_case objects
    """
    from otter.test_files.exception_test import test_case

    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        source = zf.read(f"tests/{fn}.py").decode()
    main = sys.modules["__main__"]
    saved = {name: getattr(main, name) for name in main_defines if hasattr(main, name)}
    for name, value in main_defines.items():
        setattr(main, name, value)
    try:
        env = {}
        exec(compile(source, f"tests/{fn}.py", "exec"), env)
    finally:
        for name in main_defines:
            if name in saved:
                setattr(main, name, saved[name])
            else:
                delattr(main, name)
    return env, [v for v in env.values() if isinstance(v, test_case)]


NOTEBOOK_1 = {name: getattr(rnn, name) for name in GRADED}


def test_zip_tests_wrap_every_case(dist):
    """Each zip test file has one otter test case per Case, with its points and hidden flag."""
    for fn in GRADED:
        env, cases = load_zip_test(dist, fn, NOTEBOOK_1)
        made = {v.name: v for v in cases}
        if True:
            expected = {c.name: c for c in checks.CASES if c.function == fn}
            assert env["name"] == fn
            assert set(made) == set(expected)
            for case_name, case in expected.items():
                assert made[case_name].points == case.points
                assert made[case_name].hidden == case.hidden


def test_zip_tests_of_the_other_notebook_are_worth_nothing(dist):
    """Graded as notebook 2 (no notebook 1 function defined), a file is one 0-point case."""
    env, cases = load_zip_test(dist, "rnn_forward", {"birnn_forward": lambda *a: None})
    assert [(c.name, c.points) for c in cases] == [("not_in_this_notebook", 0)]
    cases[0].call_func({})


def test_zip_test_runs_the_case_on_the_function(dist):
    """A zip test case passes for the reference and fails with the check's message for a bug."""
    env, cases = load_zip_test(dist, "clip", NOTEBOOK_1)

    def clip_in_place(gradients, max_value):
        for value in gradients.values():
            import numpy as np

            np.clip(value, -max_value, max_value, out=value)
        return gradients

    for case in cases:
        case.call_func({"clip": rnn.clip})
    outcomes = []
    for case in cases:
        try:
            case.call_func({"clip": clip_in_place})
            outcomes.append(None)
        except AssertionError as e:
            outcomes.append(str(e))
    untouched = outcomes[[c.name for c in cases].index("inputs_untouched")]
    assert untouched and "clip" in untouched


def test_zip_is_deterministic(tmp_path, dist):
    built = [build.build_notebooks(ROOT / "assignment" / "rnn_dinosaurs.py")]
    # Same tree, same secret: same bytes (without --secret every build makes a new secret).
    build.write_zip(tmp_path / "a.zip", built, ["dinos.txt"], secret="fixed")
    build.write_zip(tmp_path / "b.zip", built, ["dinos.txt"], secret="fixed")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        assert zf.namelist() == sorted(zf.namelist())


def test_stub_source_keeps_signature_and_docstring():
    source = 'def f(a,\n      b=1):\n    """Doc.\n\n    More.\n    """\n    return a + b\n'
    assert build.stub_source(source) == (
        'def f(a,\n      b=1):\n    """Doc.\n\n    More.\n    """\n    # YOUR CODE HERE\n    ...'
    )
    no_docstring = build.stub_source("def g(x):\n    return x\n")
    assert no_docstring == "def g(x):\n    # YOUR CODE HERE\n    ..."


def test_constant_directive():
    text, name = build.expand_cell("# provided: solutions.data.VOCAB", solved=False)
    assert text == "VOCAB = '\\nabcdefghijklmnopqrstuvwxyz'" and name is None


@pytest.mark.parametrize(
    "source, message",
    [
        ("# %%\nx = 1\n# solution: solutions.rnn.clip\n", "alone in its cell"),
        ("# %%\n# provided: solutions.rnn.no_such_function\n", "no_such_function"),
        ("# %%\n# provided: no_such_module.f\n", "cannot import"),
    ],
)
def test_bad_directives_are_reported(tmp_path, source, message):
    path = tmp_path / "bad.py"
    path.write_text(source)
    with pytest.raises(build.BuildError, match=message):
        build.build_notebooks(path)


def test_cli_usage_errors(capsys):
    assert cli_main([]) == 2
    assert cli_main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err
    assert cli_main(["--help"]) == 0


def test_run_autograder_grades_with_our_grader(dist, tmp_path):
    """The zip's run_autograder, on an unpacked zip, grades the solved notebook to full marks."""
    root = tmp_path / "autograder"
    with zipfile.ZipFile(dist / "autograder.zip") as zf:
        zf.extractall(root / "source")
    os.chmod(root / "source" / "run_autograder", 0o755)
    (root / "submission").mkdir()
    (root / "results").mkdir()
    shutil.copy(dist / "solved" / "rnn_dinosaurs.ipynb", root / "submission")
    env = dict(os.environ, AUTOGRADER_ROOT=str(root))
    # run_autograder calls python3: make it this interpreter (with numpy & co).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    scores = {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]}
    for fn in GRADED:
        total = sum(c.points for c in checks.CASES if c.function == fn)
        assert scores[fn] == (total, total)


# ---------------------------------------------------------------- included results (notebook 2)


@pytest.mark.parametrize("version", ["student", "solved"])
def test_flavors_results_replace_their_directive(dist, flavors_dir, version):
    """The table and the plot (as an attachment) stand where `# include-results: flavors` was."""
    import base64

    nb = read(dist / version / "rnn_bidirectional_deep.ipynb")
    assert not [c for c in nb.cells if "include-results" in c.source]
    table = (flavors_dir / "table.md").read_text(encoding="utf-8")
    [i] = [i for i, c in enumerate(nb.cells) if table.strip() in c.source]
    assert nb.cells[i].cell_type == "markdown"
    assert "held-out accuracies" in nb.cells[i - 1].source  # the part 3 text just before
    plot = nb.cells[i + 1]
    assert plot.cell_type == "markdown" and "(attachment:flavors.png)" in plot.source
    png = base64.b64decode(plot.attachments["flavors.png"]["image/png"])
    assert png == (flavors_dir / "flavors.png").read_bytes() and png.startswith(b"\x89PNG")
    # Results only: no code of the experiment, and no file of it beside the notebooks.
    assert not [c for c in nb.cells if c.cell_type == "code" and "flavors" in c.source]
    assert not list((dist / version).rglob("*.png")) and not list((dist / version).rglob("*.md"))


def fake_experiment(calls):
    """A stand-in for solutions.flavors.run_experiment: instant, records its calls."""
    from solutions import flavors

    def run_experiment(seed=0, quick=False, log=print):
        calls.append((seed, quick))
        budget = flavors.QUICK if quick else flavors.FULL
        curve = [0.5 + 0.01 * e for e in range(budget["epochs"])]
        results = {"settings": {"seed": seed, "n_h": 4, "batch_size": 8, **budget,
                                "train": 10, "val": 4}}
        for task in flavors.TASKS:
            results[task] = {kind: {"curves": [curve] * budget["seeds"],
                                    "final": [curve[-1]] * budget["seeds"],
                                    "n_params": 10, "seconds": 0.0} for kind in flavors.KINDS}
        return results

    return run_experiment


def test_flavors_results_are_rerun_only_when_stale(tmp_path, monkeypatch):
    from solutions import data, flavors

    calls = []
    monkeypatch.setattr(flavors, "run_experiment", fake_experiment(calls))
    monkeypatch.setattr(flavors, "plot", lambda results, path: Path(path).write_bytes(b"png"))
    names = tmp_path / "dinos.txt"
    names.write_text("aachenosaurus\nzuniceratops\n")
    monkeypatch.setattr(data, "DINOS_PATH", names)
    cache = tmp_path / "flavors"

    def run(**settings):
        before = len(calls)
        directory, seconds = flavors.cached_results(cache, **settings)
        assert directory == cache and (seconds is None) == (len(calls) == before)
        return len(calls) > before

    assert run(quick=True) and calls == [(0, True)]
    stamp = json.loads((cache / flavors.STAMP_FILE).read_text())
    assert stamp["quick"] is True and stamp["seed"] == 0 and len(stamp["sha256"]) == 64
    assert not run(quick=True)
    assert run(quick=True, seed=1) and not run(quick=True, seed=1)
    assert run(quick=False) and not run(quick=False)
    names.write_text("aachenosaurus\n")  # other data
    assert run(quick=False) and not run(quick=False)
    (cache / flavors.STAMP_FILE).write_text("{broken")
    assert run(quick=False)
    (cache / "flavors.png").unlink()
    assert run(quick=False) and (cache / "flavors.png").read_bytes() == b"png"


def test_build_reuses_the_flavors_results_in_out(tmp_path, flavors_dir, monkeypatch):
    """A build into an OUT whose flavors/ is current never runs the experiment; it says so."""
    from solutions import flavors

    def fail(**_):
        raise AssertionError("the experiment ran although its results were current")

    monkeypatch.setattr(flavors, "run_experiment", fail)
    shutil.copytree(flavors_dir, tmp_path / "out" / "flavors")
    lines = []
    build.build(tmp_path / "out", quick=True, log=lines.append)
    assert lines[0].startswith("flavors results: reused") and "stamp matches" in lines[0]
    wrote = lines[-1]
    assert wrote.startswith(f"wrote {tmp_path / 'out' / 'student'}/ and ")
    assert "autograder.zip (" in wrote and "7 public test files" in wrote
    assert (tmp_path / "out" / "student" / "rnn_bidirectional_deep.ipynb").is_file()


def test_build_cli_flavors_options(tmp_path, capsys):
    assert cli_main(["build", "--out", str(tmp_path / "o"), "--flavors-results",
                     str(tmp_path)]) == 1
    assert "needs table.md and flavors.png" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        cli_main(["build", "--quick", "--flavors-results", str(tmp_path)])
    assert exc.value.code == 2


def test_include_directive_errors(tmp_path):
    path = tmp_path / "nb.py"
    path.write_text("# %%\n# include-results: nope\n")
    with pytest.raises(build.BuildError, match="unknown # include-results: nope"):
        build.included_cells(build.included_names(path), tmp_path)
    path.write_text("# %%\n# include-results: flavors\n")
    with pytest.raises(build.BuildError, match="no results to include for 'flavors'"):
        build.build_notebooks(path)


# ---------------------------------------------------------------- the zip's source files


def test_package_files_leave_out_caches_hidden_and_untracked(tmp_path):
    pkg = tmp_path / "autograder"
    for rel in ("__init__.py", "grade.py", "schema.json", "checks/x.py", "checks/.OTTER_LOG",
                "__pycache__/grade.cpython-311.pyc", "checks/y.pyc", ".hidden/z.py",
                "gradescope/setup.sh", "scratch.py"):
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text("x")
    files, untracked = build._package_files(pkg)
    expected = ["autograder/__init__.py", "autograder/checks/x.py", "autograder/grade.py",
                "autograder/schema.json", "autograder/scratch.py"]
    assert sorted(arc for _, arc in files) == expected and untracked == []
    tracked = set(expected) - {"autograder/scratch.py"}
    files, untracked = build._package_files(pkg, tracked)
    assert sorted(arc for _, arc in files) == sorted(tracked)
    assert untracked == ["autograder/scratch.py"]


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and a git checkout")
def test_fresh_clone_builds_the_zip_from_committed_files(tmp_path, flavors_dir):
    """`python -m autograder build` in a fresh clone: the zip's packages are exactly HEAD's."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = dict(os.environ, PYTHONPATH=str(clone))
    proc = subprocess.run(
        [sys.executable, "-m", "autograder", "build", "--out", str(clone / "dist"),
         "--flavors-results", str(flavors_dir)],
        cwd=clone, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith(f"wrote {clone / 'dist' / 'student'}/")
    committed = subprocess.run(["git", "ls-files", "autograder", "solutions"], cwd=clone,
                               check=True, capture_output=True, text=True).stdout.split()
    expected = {p for p in committed if not p.startswith("autograder/gradescope/")}
    with zipfile.ZipFile(clone / "dist" / "autograder.zip") as zf:
        packaged = {n for n in zf.namelist() if n.startswith(("autograder/", "solutions/"))}
        assert packaged == expected
        for name in packaged:
            assert zf.read(name) == (clone / name).read_bytes(), name


def test_build_options_write_the_zips_grading_config(tmp_path, flavors_dir):
    from autograder import build as build_module
    from autograder.grade import load_config
    out = tmp_path / "dist"
    argv = ["--out", str(out), "--flavors-results", str(flavors_dir), "--timeout-cell", "90",
            "--timeout-total", "500", "--hidden-visibility", "visible",
            "--notebook", "rnn_dinosaurs"]
    assert build_module.main(argv) == 0
    with zipfile.ZipFile(out / "autograder.zip") as zf:
        config = json.loads(zf.read("autograder_config.json"))
    assert config == {"timeout_cell": 90.0, "timeout_call": 30.0, "timeout_total": 500.0,
                      "hidden_visibility": "visible", "notebook": "rnn_dinosaurs"}
    # what the grader reads on Gradescope (source/autograder_config.json)
    (tmp_path / "autograder_config.json").write_text(json.dumps(config))
    loaded = load_config(tmp_path / "autograder_config.json", env={})
    assert (loaded.timeout_cell, loaded.hidden_visibility) == (90.0, "visible")
    assert loaded.notebook == "rnn_dinosaurs"
    with pytest.raises(build_module.BuildError, match="timeout_call must be a positive"):
        build_module.grading_config(timeout_call=0)
    with pytest.raises(SystemExit):  # argparse refuses a visibility Gradescope does not know
        build_module.main(["--out", str(out), "--hidden-visibility", "later"])
