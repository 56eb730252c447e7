"""Run every catalog entry through its notebook's checks, stock mode, and print the outcomes.

    python tests/helpers/run_catalog.py [--jobs N]     (with the project root on PYTHONPATH)

Prints one JSON object: {notebook key: {entry name: {"function", "kind", "message", "score",
"max", "failures": [failure messages]}}}, in the catalog's order. Needs only what the Gradescope
image installs (NumPy, SciPy, otter), no pytest: tests/test_gradescope_flow.py runs it in the
Python 3.10 + NumPy 1.26 environment, so that the catalog's verdicts are checked there too.
``--jobs N`` runs the entries in N forked worker processes (each entry whole in one of them, as
with one job; only the order of the work changes), so that a 2-core machine runs two at once.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import multiprocessing
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


@functools.cache
def _runner(key):
    checks = importlib.import_module(notebooks.NOTEBOOKS[key]["checks"])
    return checks, CaseRunner(checks.CASES, namespace_maker(key))


def _all_entries():
    return [(key, entry) for key in notebooks.NOTEBOOKS for entry in load_catalog(notebook=key)]


_ENTRIES = []  # filled before the workers fork: they find the entries here by index


def _outcome(index):
    key, entry = _ENTRIES[index]
    checks, runner = _runner(key)
    outcome = runner.run_all(runner.load_entry(entry), entry.function)
    return {
        "function": entry.function, "kind": entry.kind, "message": entry.message,
        "score": runner.score(outcome, entry.function),
        "max": checks.POINTS[entry.function],
        "failures": [f"{type(e).__name__}: {e}" for e in outcome.values() if e],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    jobs = parser.parse_args(argv).jobs
    _ENTRIES[:] = _all_entries()
    indices = range(len(_ENTRIES))
    if jobs > 1:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            outcomes = pool.map(_outcome, indices, chunksize=1)
    else:
        outcomes = [_outcome(i) for i in indices]
    report = {key: {} for key in notebooks.NOTEBOOKS}
    for (key, entry), outcome in zip(_ENTRIES, outcomes, strict=True):
        report[key][entry.name] = outcome
    print(json.dumps(report))


if __name__ == "__main__":
    main()
