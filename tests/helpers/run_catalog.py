"""Run every catalog entry through its notebook's checks, stock mode, and print the outcomes.

    python tests/helpers/run_catalog.py     (with the project root on PYTHONPATH)

Prints one JSON object: {notebook key: {entry name: {"function", "kind", "message", "score",
"max", "failures": [failure messages]}}}. Needs only what the Gradescope image installs (NumPy,
SciPy, otter), no pytest: tests/test_gradescope_flow.py runs it in the Python 3.10 + NumPy 1.26
environment, so that the catalog's verdicts are checked there too.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "catalog"))
sys.path.insert(0, str(HERE))

import numpy as np  # noqa: E402
from catalog import load_catalog  # noqa: E402
from checks_support import CaseRunner  # noqa: E402

from autograder import notebooks  # noqa: E402
from solutions.layers import rnn_step  # noqa: E402
from solutions.rnn import softmax  # noqa: E402


def namespace_maker(key):
    """What a notebook cell defining a function sees: np, the given helpers, the other graded
    functions (the reference's)."""
    given = {"np": np, "softmax": softmax, "rnn_step": rnn_step}

    def cell_namespace(function):
        namespace = dict(given)
        for name in notebooks.NOTEBOOKS[key]["functions"]:
            if name != function:
                namespace[name] = notebooks.reference_function(key, name)
        return namespace
    return cell_namespace


def main():
    report = {}
    for key in notebooks.NOTEBOOKS:
        checks = importlib.import_module(notebooks.NOTEBOOKS[key]["checks"])
        runner = CaseRunner(checks.CASES, namespace_maker(key))
        report[key] = {}
        for entry in load_catalog(notebook=key):
            outcome = runner.run_all(runner.load_entry(entry), entry.function)
            report[key][entry.name] = {
                "function": entry.function, "kind": entry.kind, "message": entry.message,
                "score": runner.score(outcome, entry.function),
                "max": checks.POINTS[entry.function],
                "failures": [f"{type(e).__name__}: {e}" for e in outcome.values() if e],
            }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
