"""The solved notebook runs top to bottom, demonstrations included, fast, and passes its checks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.notebooks import NOTEBOOKS
from solutions.rnn import GRADED

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from notebook_outputs import execute, text_of  # noqa: E402

TIME_LIMIT = 120.0  # seconds for the whole notebook, training and plots included


@pytest.fixture(scope="module")
def solved_dir(dist):
    return dist / "solved"


def assert_check_all_runs_only(nb, graded):
    """The notebook's grader.check_all() ran its own public tests (not the other notebook's)."""
    [check_all] = [c for c in nb.cells if "\ngrader.check_all()" in "\n" + c.source]
    output = text_of(check_all)
    reported = {line.split()[0] for line in output.splitlines() if " results:" in line}
    assert reported == set(graded), output
    assert output.count("All test cases passed!") == len(graded) and "failed" not in output


def assert_runs_and_passes_its_checks(nb, work, graded, what):
    """nb runs in work within TIME_LIMIT, and each grader.check cell (one per graded function)
    and grader.check_all() report that every public test passed."""
    seconds = execute(nb, work, TIME_LIMIT)  # raises CellExecutionError on any error
    assert seconds < TIME_LIMIT, f"{what} took {seconds:.0f} s"
    checks = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check("):
            checks[cell.source.split('"')[1]] = text_of(cell)
    assert sorted(checks) == sorted(graded)
    for name, output in checks.items():
        assert f"{name} results: All test cases passed!" in output, output
    assert_check_all_runs_only(nb, graded)


def test_solved_notebook_runs_fast_and_passes_its_public_tests(solved_dir, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(solved_dir, work)
    nb = nbformat.read(work / "rnn_dinosaurs.ipynb", as_version=4)
    assert_runs_and_passes_its_checks(nb, work, GRADED, "the solved notebook")
    everything = "\n".join(text_of(c) for c in nb.cells)
    # Training printed names and got well below a uniform guess (log 27 = 3.30 nats per letter).
    epochs = [line for line in everything.splitlines() if line.startswith("epoch")]
    assert len(epochs) >= 3
    final_loss = float(epochs[-1].split("loss/letter")[1].split()[0])
    assert final_loss < 2.0
    # The gradient check of the (reference) bptt reports agreement everywhere.
    assert everything.count("relative error") == 6 and "CHECK THIS ONE" not in everything
    # The export cell wrote the submission zip, without LaTeX.
    assert list(work.glob("rnn_dinosaurs*.zip"))


def test_graded_cells_do_not_depend_on_skipped_ones(solved_dir, tmp_path):
    """What the grader runs (every cell not tagged skip-grading) runs on its own."""
    work = tmp_path / "run"
    shutil.copytree(solved_dir, work)
    nb = nbformat.read(work / "rnn_dinosaurs.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if "skip-grading" not in c.metadata.get("tags", [])]
    execute(nb, work, TIME_LIMIT)
    outputs = "\n".join(text_of(c) for c in nb.cells)
    assert outputs.count("All test cases passed!") == len(GRADED)


NOTEBOOK_2 = "rnn_bidirectional_deep"


def test_solved_notebook_2_runs_fast_and_passes_its_public_tests(solved_dir, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(solved_dir, work)
    nb = nbformat.read(work / f"{NOTEBOOK_2}.ipynb", as_version=4)
    assert_runs_and_passes_its_checks(nb, work, NOTEBOOKS[NOTEBOOK_2]["functions"],
                                      "the solved notebook 2")
    everything = "\n".join(text_of(c) for c in nb.cells)
    # The demonstrations: the last input moves every backward state, only the last forward one.
    forward = next(line for line in everything.splitlines() if line.startswith("forward  changed"))
    moved = [float(v) for v in forward.split(":")[1].split()]
    assert moved[-1] > 0 and all(v == 0 for v in moved[:-1])
    assert "layer 2: V (4, 3), states (4, 2, 7)" in everything
    assert list(work.glob(f"{NOTEBOOK_2}*.zip"))
