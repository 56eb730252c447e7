"""The whole Gradescope flow, from a fresh Python 3.10 virtual environment, as Gradescope runs it.

Gradescope (Ubuntu 22.04, python3.10) unpacks autograder.zip into /autograder/source, runs setup.sh
once as root, then for each submission puts it into /autograder/submission and runs run_autograder,
which must write /autograder/results/results.json. Here the root is a temporary directory
(``AUTOGRADER_ROOT``), and setup.sh installs requirements.txt into a virtual environment of
python3.10 (``PYTHON=<venv>/bin/python``) instead of the system's python3; that environment comes
first on PATH when run_autograder runs. So this proves that the zip is self-contained and that
Python 3.10 + NumPy 1.26 + otter-grader 7.0.0 (the pins) grade both notebooks.

Installing the pins from PyPI takes a while, so the environment is kept between runs in
``~/.cache/rnn-dinosaurs/`` (``RNN_DINOSAURS_CACHE`` to move it), in a directory named by a hash of
requirements.txt and the Python version. setup.sh still runs on every test run (pip finds
everything installed in a few seconds). Without python3.10 (or its venv module) the test skips.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder.checks import rnn_bidirectional_deep as checks_2
from autograder.checks import rnn_dinosaurs as checks_1
from autograder.notebooks import NOTEBOOKS

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from gradescope_box import unpack_autograder  # noqa: E402

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "autograder" / "gradescope" / "requirements.txt"
SCHEMA = json.loads((ROOT / "autograder" / "results_schema.json").read_text(encoding="utf-8"))
CACHE = Path(os.environ.get("RNN_DINOSAURS_CACHE", Path.home() / ".cache" / "rnn-dinosaurs"))
PYENV_310 = "/root/.pyenv/versions/3.10.13/bin/python3.10"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
READY = ".setup-done.json"  # written after the first setup.sh succeeded in a new environment
SETUP_TIMEOUT = 1200  # seconds: a cold install downloads ~100 packages
GRADE_TIMEOUT = 300
CATALOG_TIMEOUT = 1200

GRADED_1 = NOTEBOOKS["rnn_dinosaurs"]["functions"]
GRADED_2 = NOTEBOOKS["rnn_bidirectional_deep"]["functions"]

# clip that changes the arrays it is given: right values, but the caller's gradients change.
CLIP_IN_PLACE = '''def clip(gradients, max_value):
    """Clip in place (a bug: the caller's arrays change)."""
    for value in gradients.values():
        np.clip(value, -max_value, max_value, out=value)
    return gradients'''


def find_python310():
    """The real path of a Python 3.10 interpreter that can make virtual environments, or None."""
    for candidate in (shutil.which("python3.10"), PYENV_310):
        if not candidate or not os.access(candidate, os.X_OK):
            continue
        proc = subprocess.run(
            [candidate, "-c", "import sys, venv, ensurepip; "
             "print(sys.version_info[:2] == (3, 10)); print(sys.executable)"],
            capture_output=True, text=True, timeout=60,
        )
        lines = proc.stdout.split()
        if proc.returncode == 0 and lines[:1] == ["True"]:
            return lines[1]
    return None


def clean_env(venv, **extra):
    """Gradescope-like environment: system PATH with the venv first, no project settings."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{SYSTEM_PATH}", VIRTUAL_ENV=str(venv), **extra)
    return env


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory):
    """A python3.10 venv into which the zip's setup.sh has just installed (cached between runs)."""
    python = find_python310()
    if python is None:
        pytest.skip(f"no python3.10 with venv/ensurepip (looked on PATH and at {PYENV_310})")
    version = subprocess.run([python, "--version"], capture_output=True, text=True).stdout
    key = hashlib.sha256(REQUIREMENTS.read_bytes() + version.encode()).hexdigest()[:16]
    path = CACHE / f"gradescope-venv-py310-{key}"
    CACHE.mkdir(parents=True, exist_ok=True)
    source = unpack_autograder(dist / "autograder.zip",
                               tmp_path_factory.mktemp("setup")) / "source"
    with open(CACHE / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run building the same environment
        cold = not (path / READY).is_file()
        started = time.perf_counter()
        if cold:
            shutil.rmtree(path, ignore_errors=True)  # left half-made by an interrupted run
            subprocess.run([python, "-m", "venv", str(path)], check=True, timeout=300)
        # Exactly what Gradescope runs, as root; PYTHON picks the interpreter to install into.
        proc = subprocess.run(
            ["bash", str(source / "setup.sh")],
            env=clean_env(path, PYTHON=str(path / "bin" / "python")),
            capture_output=True, text=True, timeout=SETUP_TIMEOUT,
        )
        seconds = time.perf_counter() - started
        assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
        if cold:
            (path / READY).write_text(json.dumps({"cold_setup_seconds": round(seconds, 1),
                                                  "python": version.strip()}) + "\n")
    print(f"\nsetup.sh into {path} ({'cold' if cold else 'warm'}): {seconds:.1f} s")
    return path


@pytest.fixture(scope="module")
def graded(dist, venv, tmp_path_factory):
    """{submission label: (results dict, run_autograder's output)}, each in its own root."""
    nb1 = nbformat.read(dist / "solved" / "rnn_dinosaurs.ipynb", as_version=4)
    for cell in nb1.cells:
        if cell.source.startswith("def clip("):
            cell.source = CLIP_IN_PLACE
    submissions = {
        "solved_1": ("rnn_dinosaurs.ipynb", (dist / "solved" / "rnn_dinosaurs.ipynb").read_bytes()),
        "solved_2": ("rnn_bidirectional_deep.ipynb",
                     (dist / "solved" / "rnn_bidirectional_deep.ipynb").read_bytes()),
        "buggy_clip": ("rnn_dinosaurs.ipynb", nbformat.writes(nb1).encode()),
        "broken": ("rnn_dinosaurs.ipynb", b'{"cells": [ this is not JSON'),
    }
    runs = {}
    # All at once, as Gradescope's containers would: each mostly waits for its student process.
    for label, (name, data) in submissions.items():
        root = unpack_autograder(dist / "autograder.zip", tmp_path_factory.mktemp(label))
        (root / "submission" / name).write_bytes(data)
        env = clean_env(venv, AUTOGRADER_ROOT=str(root))
        assert shutil.which("python3", path=env["PATH"]) == str(venv / "bin" / "python3")
        proc = subprocess.Popen([str(root / "source" / "run_autograder")], env=env,
                                cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs[label] = (root, proc)
    out = {}
    for label, (root, proc) in runs.items():
        log = proc.communicate(timeout=GRADE_TIMEOUT)[0].decode(errors="replace")
        assert proc.returncode == 0, log[-3000:]
        results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
        out[label] = (results, log)
    return out


def test_the_venv_is_gradescopes_combination(venv):
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-c",
         "import sys, numpy, otter; print(sys.version_info[:2], numpy.__version__, "
         "otter.__version__)"],
        capture_output=True, text=True, check=True,
    )
    assert proc.stdout.split("\n")[0] == "(3, 10) 1.26.4 7.0.0"


@pytest.mark.parametrize("label", ["solved_1", "solved_2", "buggy_clip", "broken"])
def test_results_follow_gradescopes_schema(graded, label):
    results, _ = graded[label]
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(results)


@pytest.mark.parametrize("label, cases, functions", [
    ("solved_1", checks_1.CASES, GRADED_1),
    ("solved_2", checks_2.CASES, GRADED_2),
])
def test_solved_notebooks_get_full_marks(graded, label, cases, functions):
    results, log = graded[label]
    full = {fn: sum(c.points for c in cases if c.function == fn) for fn in functions}
    assert [t["name"] for t in results["tests"]] == list(functions)
    assert {t["name"]: (t["score"], t["max_score"]) for t in results["tests"]} == {
        fn: (total, total) for fn, total in full.items()
    }
    assert results["score"] == sum(full.values()) > 0
    assert f"{results['score']:g}/{sum(full.values()):g}" in log


def test_a_buggy_clip_gets_partial_credit_and_feedback(graded):
    results, _ = graded["buggy_clip"]
    tests = {t["name"]: t for t in results["tests"]}
    full = {fn: sum(c.points for c in checks_1.CASES if c.function == fn) for fn in GRADED_1}
    clip = tests["clip"]
    assert 0 < clip["score"] < clip["max_score"] == full["clip"]
    assert "clip" in clip["output"] and "inputs_untouched" in clip["output"]
    for fn in GRADED_1:
        if fn != "clip":
            assert tests[fn]["score"] == tests[fn]["max_score"] == full[fn], fn
    assert 0 < results["score"] < sum(full.values())


def test_a_broken_file_scores_zero_with_a_message(graded):
    results, _ = graded["broken"]
    assert results["score"] == 0
    [entry] = results["tests"]
    assert entry["name"] == "submission" and entry["score"] == 0
    assert "rnn_dinosaurs.ipynb is not valid JSON" in entry["output"]


def test_the_catalog_gets_the_same_verdicts_on_python310(venv):
    """Every catalog entry through its checks (tests/helpers/run_catalog.py) in the Python 3.10 +
    NumPy 1.26 environment: a bug loses points with its cause named, a correct alternative gets
    full marks, as on the development Python."""
    proc = subprocess.run(
        [str(venv / "bin" / "python"), str(ROOT / "tests" / "helpers" / "run_catalog.py"),
         "--jobs", "2"],
        env=clean_env(venv, PYTHONPATH=str(ROOT)), capture_output=True, text=True,
        # A guard against a hang, not a speed claim: ~100 entries, each bug's diagnosis probes
        # the long bptt cases, on a 2-core machine that CI may share.
        timeout=CATALOG_TIMEOUT, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    assert set(report) == set(NOTEBOOKS)
    for key, entries in report.items():
        assert entries, f"no catalog entries for {key}"
        for name, outcome in entries.items():
            failures = " | ".join(outcome["failures"])
            if outcome["kind"] == "correct":
                assert outcome["score"] == outcome["max"], f"{key}/{name}: {failures}"
            else:
                assert outcome["score"] < outcome["max"], f"{key}/{name} got full marks"
                if outcome["message"]:
                    assert outcome["message"] in failures, f"{key}/{name}: {failures}"
