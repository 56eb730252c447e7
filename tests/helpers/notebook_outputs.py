"""Running a notebook as Jupyter would, and reading what its cells printed.

Used by tests/test_notebook_run.py and tests/test_student_path.py. Not a package (no
``__init__.py`` under ``tests/``): import it by path.
"""

from __future__ import annotations

import time

from nbclient import NotebookClient


def execute(nb, cwd, timeout=120.0):
    """Run every cell of nb in place, in the folder cwd; the seconds it took. Raises
    nbclient's CellExecutionError on a cell's error, or its timeout past ``timeout`` a cell."""
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def text_of(cell):
    """What an executed code cell showed: its streams and its results' text/plain."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif "data" in out:
            parts.append(str(out.data.get("text/plain", "")))
    return "".join(parts)
