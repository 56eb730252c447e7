"""Errors located in the student's code: the cell and line as JupyterLab shows them, no paths.

``autograder.tracebacks`` names a cell by the execution count saved in the notebook ("[12]", what
JupyterLab shows beside the cell and IPython's tracebacks print), by its position among the code
cells (from 1) and its first line; the line by its number within the cell and its text. The child
reports only the innermost frame of the student's own cells, never a library's or the grader's.
"""

from __future__ import annotations

import inspect
import re

import nbformat
import pytest

import solutions.rnn as ref
from autograder import grade, tracebacks
from autograder.isolation.outcomes import CellOutcome
from autograder.isolation.runner import CellReport

FAST = dict(timeout_cell=10, timeout_call=5, timeout_total=120, sandbox=False)

SAMPLE_2D_P = inspect.getsource(ref.sample).replace(
    "idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))",
    "idx = int(rng.choice(yhat.shape[0], p=yhat))")
HELPER = ("def draw(rng, yhat):\n    # the helper of another cell\n"
          "    return rng.choice(len(yhat), p=yhat)\n")
SAMPLE_WITH_HELPER = inspect.getsource(ref.sample).replace(
    "idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))", "idx = int(draw(rng, yhat))")


def _notebook(sample_source, extra=(), counts=True):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Dinosaur names")]
    sources = ["import numpy as np", inspect.getsource(ref.softmax), *extra]
    sources += [inspect.getsource(getattr(ref, name)) for name in ref.GRADED if name != "sample"]
    sources.append(sample_source)
    for i, source in enumerate(sources):
        nb.cells.append(nbformat.v4.new_code_cell(source))
        nb.cells.append(nbformat.v4.new_markdown_cell("Some text."))
        if counts:
            nb.cells[-2].execution_count = 20 + 3 * i  # as a student's run order leaves them
    return nb


def _sample_output(tmp_path, nb):
    path = tmp_path / "sub.ipynb"
    nbformat.write(nb, str(path))
    results = grade.grade_submission(path, tmp_path / "out", grade.GradeConfig(**FAST))
    return {t["name"]: t for t in results["tests"]}["sample"]["output"], results


def _no_paths(text):
    assert "site-packages" not in text and ".pyx" not in text and "numpy/" not in text
    assert "autograder/" not in text and "/work/" not in text and "/tmp/" not in text
    assert not re.search(r"\(\S*/\S*, line \d+\)", text), text


def _line_of(source, text):
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def test_a_raising_function_names_its_cell_and_line_not_numpy(tmp_path):
    nb = _notebook(SAMPLE_2D_P)
    output, results = _sample_output(tmp_path, nb)
    line = _line_of(SAMPLE_2D_P, "p=yhat))")
    count = nb.cells[-2].execution_count
    n_code = sum(c.cell_type == "code" for c in nb.cells)
    assert results["tests"][-1]["score"] < results["tests"][-1]["max_score"]
    assert "sample raised ValueError: p must be 1-dimensional" in output
    assert (f"(in cell [{count}] (the {n_code}th code cell from the top, starting "
            f"`def sample(parameters, char_to_ix, rng, max_length=50):`; [{count}] is the number "
            f"JupyterLab shows beside it), line {line}: "
            "`idx = int(rng.choice(yhat.shape[0], p=yhat))`)") in output
    _no_paths(output)


def test_the_innermost_frame_of_the_students_code_counts(tmp_path):
    nb = _notebook(SAMPLE_WITH_HELPER, extra=[HELPER], counts=False)
    output, _ = _sample_output(tmp_path, nb)
    # The helper's cell (the 3rd code cell), not sample's and not numpy's.
    assert ("sample raised ValueError: p must be 1-dimensional (in the 3rd code cell from the "
            "top, starting `def draw(rng, yhat):`, line 3: "
            "`return rng.choice(len(yhat), p=yhat)`)") in output
    _no_paths(output)


def test_a_cell_that_fails_to_compile_is_located(tmp_path):
    broken = "def bptt(X, Y, H, Y_hat, h0, parameters)\n    return {}"
    nb = _notebook(inspect.getsource(ref.sample))
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("def bptt("))
    cell.source = broken
    path = tmp_path / "sub.ipynb"
    nbformat.write(nb, str(path))
    results = grade.grade_submission(path, tmp_path / "out", grade.GradeConfig(**FAST))
    output = {t["name"]: t for t in results["tests"]}["bptt"]["output"]
    assert ("bptt is not defined because its cell did not run to the end: "
            f"cell [{cell.execution_count}]") in output
    assert ("raised SyntaxError: expected ':' (at line 1: "
            "`def bptt(X, Y, H, Y_hat, h0, parameters)`)") in output
    assert "<cell" not in output
    assert f"cell [{cell.execution_count}]" in results["output"]
    _no_paths(output + results["output"])


@pytest.mark.parametrize("where", ["", "numpy/random/_generator.pyx, line 882", "cell x, line 2",
                                   "cell 99, line 1"])
def test_unknown_or_foreign_locations_are_never_shown_as_paths(where):
    nb = _notebook(inspect.getsource(ref.sample))
    text = tracebacks.explain("sample", "ValueError", "bad", where, nb)
    assert text.startswith("sample raised ValueError: bad")
    assert ".pyx" not in text
    if where == "cell 99, line 1":
        assert text.endswith("(in cell 100 of the notebook, line 1)")
    else:
        assert text == "sample raised ValueError: bad"


def test_labels():
    nb = _notebook(inspect.getsource(ref.sample), counts=False)
    assert tracebacks.cell_label(nb, 1).startswith("the 1st code cell from the top, starting "
                                                   "`import numpy as np`")
    assert tracebacks.cell_label(nb, 0) == "cell 1 of the notebook"  # markdown: by position
    report = CellReport(1, "import numpy as np", outcome=CellOutcome.TIMEOUT)
    assert tracebacks.describe_cell_report(report, nb).endswith(": timeout")
    assert [tracebacks._ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
