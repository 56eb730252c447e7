"""The registry: which notebooks exist, what they grade, where their references and checks live.

``NOTEBOOKS[key]`` holds, for the notebook ``<key>.ipynb``:

- ``"functions"``: the graded functions, in the order the notebook defines (and results list) them;
- ``"references"``: for each graded function, the module of ``solutions`` holding its reference;
- ``"checks"``: the module of ``autograder.checks`` holding its cases (``CASES``).

``identify(nb)`` tells the notebooks apart by which graded functions a submission defines.
"""

from __future__ import annotations

import importlib

# The one place that says which reference modules make up which notebook. Each module's
# ``GRADED`` tuple lists its graded functions, in the order the notebook defines them; everything
# else (the registry below, the checks' points, the build's check of the notebook source, the
# public tests, grades.csv's columns, the tests) is derived from those tuples.
REFERENCE_MODULES = {
    "rnn_dinosaurs": ("solutions.rnn",),
    "rnn_bidirectional_deep": ("solutions.bidirectional", "solutions.deep"),
}


def _entry(key, modules):
    references = {}
    for module in modules:
        for name in importlib.import_module(module).GRADED:
            references[name] = module
    return {"functions": tuple(references), "references": references,
            "checks": f"autograder.checks.{key}"}


NOTEBOOKS = {key: _entry(key, modules) for key, modules in REFERENCE_MODULES.items()}


class NotebookError(ValueError):
    """A notebook this registry cannot grade (e.g. it defines no graded function)."""


def cell_source(cell) -> str:
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def defined_function(source: str):
    """The name ``f`` if the cell's first line that is not blank or a comment is ``def f(``."""
    for line in source.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith("def ") and "(" in line:
            return line[4:line.index("(")].strip() or None
        return None
    return None


def defined_functions(nb) -> set:
    """Names of the functions that the notebook's code cells define at their start."""
    names = set()
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            name = defined_function(cell_source(cell))
            if name:
                names.add(name)
    return names


def identify(nb) -> str:
    """The key of NOTEBOOKS that a notebook (a dict, as read from .ipynb JSON) belongs to.

    The notebook defining the most of a registry entry's graded functions wins (ties: registry
    order). Raises NotebookError("no graded function found ...") if it defines none.
    """
    defined = defined_functions(nb)
    best, best_count = None, 0
    for key, entry in NOTEBOOKS.items():
        count = len(defined.intersection(entry["functions"]))
        if count > best_count:
            best, best_count = key, count
    if best is None:
        expected = ", ".join(f for entry in NOTEBOOKS.values() for f in entry["functions"])
        raise NotebookError(
            "no graded function found: the notebook has no code cell starting with "
            f"`def <name>(` for any of {expected}. Did you submit the homework notebook?"
        )
    return best


def reference_function(key: str, name: str):
    """The reference implementation of graded function ``name`` of notebook ``key``."""
    module = importlib.import_module(NOTEBOOKS[key]["references"][name])
    return getattr(module, name)


def checks_module(key: str):
    """The checks module of notebook ``key`` (exposes ``CASES``)."""
    return importlib.import_module(NOTEBOOKS[key]["checks"])
