"""Where in the student's notebook an error happened, said as the student sees the notebook.

The child (``autograder.isolation.child``) reports an exception's location as the innermost frame
of the student's own code, ``"cell N, line L"``: N is the cell's index in the notebook's list of
cells (markdown included, from 0; the grader's own numbering), L the line within the cell's source
(from 1). It never sends a frame of a library or of the grader, so no path reaches the student.
This module turns that into words the student can find in JupyterLab:

- **which cell**: JupyterLab numbers no cell by its position; what it shows beside a code cell is
  its execution count, ``[12]``, the same number IPython's own tracebacks print (``Cell In[12],
  line 4``). So a cell is named by the execution count saved in the submitted notebook when it has
  one, and always also by its position among the code cells, counted from 1 from the top (counts
  are missing when outputs were cleared, and change on every run), and by its first line;
- **which line**: the line number within the cell (JupyterLab's line numbers, from 1), and the
  line's text, read from the submitted notebook.

``explain(error, nb)`` is the sentence for a graded function that raised; ``cell_label(nb, index)``
names a cell for other messages (e.g. a cell that failed while the notebook ran).
"""

from __future__ import annotations

import re

_WHERE = re.compile(r"^cell (\d+), line (\d+)$")
LINE_CHARS = 120  # of the failing line's text, quoted


def _cells(nb):
    cells = nb.get("cells", []) if isinstance(nb, dict) else getattr(nb, "cells", [])
    return list(cells)


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def parse_where(where):
    """(cell index, line) from the child's ``"cell N, line L"``, or None for anything else."""
    match = _WHERE.match(str(where or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def cell_label(nb, index):
    """How the student finds cell ``index`` (its position in ``nb["cells"]``), e.g.
    ``cell [12] (the 5th code cell from the top, starting `def sample(`)``."""
    cells = _cells(nb)
    if not 0 <= index < len(cells) or cells[index].get("cell_type") != "code":
        return f"cell {index + 1} of the notebook"
    position = sum(1 for cell in cells[: index + 1] if cell.get("cell_type") == "code")
    first = next((line.strip() for line in _source(cells[index]).splitlines() if line.strip()),
                 "")
    start = f", starting `{first[:60]}`" if first else ""
    count = cells[index].get("execution_count")
    place = f"the {_ordinal(position)} code cell from the top{start}"
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return f"cell [{count}] ({place}; [{count}] is the number JupyterLab shows beside it)"
    return place


def locate(nb, where):
    """``"cell [12] (...), line 4: `text of line 4`"`` for the child's where, or "" if unknown."""
    parsed = parse_where(where)
    if parsed is None:
        return ""
    index, line = parsed
    text = ""
    cells = _cells(nb)
    if 0 <= index < len(cells):
        lines = _source(cells[index]).splitlines()
        if 1 <= line <= len(lines):
            text = lines[line - 1].strip()
    quoted = f": `{text[:LINE_CHARS]}`" if text else ""
    return f"{cell_label(nb, index)}, line {line}{quoted}"


def explain(function, exc_type, message, where, nb):
    """The sentence for a graded function that raised: what, and where in the student's code."""
    head = f"{function} raised {exc_type}"
    if message:
        head += f": {message}"
    place = locate(nb, where)
    return f"{head} (in {place})" if place else head


def _ordinal(n):
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def describe_cell_report(report, nb):
    """A cell's outcome while the notebook ran (an ``isolation.runner.CellReport``), in the words
    of ``cell_label`` and ``locate``: e.g. ``cell [3] (...) raised NameError: ... (at line 2:
    `x = y`)``."""
    head = cell_label(nb, report.index)
    if report.status == "error" and report.error:
        error = report.error
        what = f"{error.get('type')}: {error.get('message')}" if error.get("message") else \
            str(error.get("type"))
        parsed = parse_where(error.get("where"))
        at = ""
        if parsed is not None and parsed[0] == report.index:
            at = locate(nb, error.get("where"))
            at = f" (at line {at.rpartition(', line ')[2]})" if at else ""
        elif parsed is not None:
            at = f" (in {locate(nb, error.get('where'))})"
        return f"{head} raised {what}{at}"
    return f"{head}: {report.status}"
