"""Stock ``otter run -a dist/autograder.zip`` scores a submission exactly as our grader does."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.checks import rnn_bidirectional_deep as checks_2
from autograder.checks import rnn_dinosaurs as checks
from autograder.notebooks import NOTEBOOKS
from solutions.rnn import GRADED

NOTEBOOK_2 = "rnn_bidirectional_deep"
GRADED_2 = NOTEBOOKS[NOTEBOOK_2]["functions"]

OTTER = Path(sys.executable).parent / "otter"
if not OTTER.exists():
    OTTER = shutil.which("otter")

pytestmark = pytest.mark.skipif(OTTER is None, reason="the otter CLI is not installed")

# clip that changes the arrays it is given: passes the values cases, fails "inputs_untouched".
CLIP_IN_PLACE = '''def clip(gradients, max_value):
    """Clip in place (a bug: the caller's arrays change)."""
    for value in gradients.values():
        np.clip(value, -max_value, max_value, out=value)
    return gradients'''


def submissions(dist, folder):
    """The solved notebook 1, a copy with a buggy clip, the solved notebook 2; their paths."""
    folder.mkdir()
    solved = folder / "solved" / "rnn_dinosaurs.ipynb"
    buggy = folder / "buggy" / "rnn_dinosaurs.ipynb"
    solved_2 = folder / "solved_2" / f"{NOTEBOOK_2}.ipynb"
    nb = nbformat.read(dist / "solved" / "rnn_dinosaurs.ipynb", as_version=4)
    solved.parent.mkdir()
    nbformat.write(nb, solved)
    for cell in nb.cells:
        if cell.source.startswith("def clip("):
            cell.source = CLIP_IN_PLACE
    buggy.parent.mkdir()
    nbformat.write(nb, buggy)
    solved_2.parent.mkdir()
    shutil.copy(dist / "solved" / f"{NOTEBOOK_2}.ipynb", solved_2)
    return solved, buggy, solved_2


def scores(results_json, graded=GRADED):
    results = json.loads(Path(results_json).read_text())
    tests = results["tests"]
    return {t["name"]: (t["score"], t["max_score"]) for t in tests if t["name"] in graded}


def full_marks(cases, graded):
    return {fn: (sum(c.points for c in cases if c.function == fn),) * 2 for fn in graded}


def test_stock_otter_gives_our_scores(dist, tmp_path):
    solved, buggy, solved_2 = submissions(dist, tmp_path / "subs")
    # The otter runs at once (each mostly waits for its kernel), then our grader on all three.
    runs = []
    for sub in (solved, buggy, solved_2):
        out = sub.parent / "otter"
        out.mkdir()
        cmd = [str(OTTER), "run", "-a", str(dist / "autograder.zip"), "-o", str(out), str(sub)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        runs.append((out, proc))
    otter_scores = []
    for (out, proc), graded in zip(runs, (GRADED, GRADED, GRADED_2), strict=True):
        log = proc.communicate(timeout=300)[0].decode(errors="replace")
        assert proc.returncode == 0, log[-3000:]
        otter_scores.append(scores(out / "results.json", graded))

    full = {fn: sum(c.points for c in checks.CASES if c.function == fn) for fn in GRADED}
    assert otter_scores[0] == {fn: (total, total) for fn, total in full.items()}
    # Full marks overall: the other notebook's questions, if any, are worth 0 here.
    results = json.loads((solved.parent / "otter" / "results.json").read_text())
    scored = [t for t in results["tests"] if "max_score" in t]
    assert sum(t["score"] for t in scored) == sum(t["max_score"] for t in scored)
    assert sum(t["max_score"] for t in scored) == sum(full.values())
    # Notebook 2: full marks for its two questions, notebook 1's worth nothing.
    assert otter_scores[2] == full_marks(checks_2.CASES, GRADED_2)
    results = json.loads((solved_2.parent / "otter" / "results.json").read_text())
    scored = [t for t in results["tests"] if "max_score" in t]
    assert sum(t["score"] for t in scored) == sum(t["max_score"] for t in scored)
    assert sum(t["max_score"] for t in scored) == sum(m for _, m in otter_scores[2].values())
    assert 0 < otter_scores[1]["clip"][0] < full["clip"]  # partial credit: values right, inputs not
    assert {k: v for k, v in otter_scores[1].items() if k != "clip"} == {
        k: v for k, v in otter_scores[0].items() if k != "clip"
    }

    try:
        from autograder.grade import main as grade_main
    except ImportError as e:  # pragma: no cover - while autograder.grade is being written
        pytest.skip(f"autograder.grade is not available yet: {e}")
    ours = tmp_path / "ours"
    subs = [str(solved), str(buggy), str(solved_2)]
    assert grade_main([*subs, "--out", str(ours), "--jobs", "2"]) == 0
    # Equal stems are told apart by their folders' names (autograder.submissions).
    assert scores(ours / "solved__rnn_dinosaurs" / "results.json") == otter_scores[0]
    assert scores(ours / "buggy__rnn_dinosaurs" / "results.json") == otter_scores[1]
    ours_2 = json.loads((ours / NOTEBOOK_2 / "results.json").read_text())
    assert {t["name"]: (t["score"], t["max_score"]) for t in ours_2["tests"]} == otter_scores[2]
