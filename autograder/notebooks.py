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


def stub_functions(nb, functions) -> list:
    """The graded functions whose cell still holds the stub as handed out (body only ``...``).

    A function's body counts as the stub when, after its docstring, it holds nothing but ``...``
    or ``pass`` (comments are not code). Cells that do not parse are not stubs.
    """
    import ast

    stubs = []
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        name = defined_function(cell_source(cell))
        if name not in functions or name in stubs:
            continue
        try:
            tree = ast.parse(cell_source(cell))
        except SyntaxError:
            continue
        fn = next((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name),
                  None)
        if fn is None:
            continue
        body = fn.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            body = body[1:]
        if all(isinstance(b, ast.Pass) or (isinstance(b, ast.Expr)
               and isinstance(b.value, ast.Constant) and b.value.value is Ellipsis)
               for b in body):
            stubs.append(name)
    return stubs


def submission_problem(nb, key, expected=None):
    """A sentence saying the student submitted the wrong file, or None.

    Arguments:
    nb -- the submitted notebook (a dict), identified as ``key``
    key -- what ``identify(nb)`` says it is
    expected -- the notebook this assignment grades (the zip's ``autograder_config.json`` key
                ``"notebook"``), or None when either notebook may be submitted
    """
    if expected is not None and key != expected:
        defined = ", ".join(sorted(defined_functions(nb) & set(NOTEBOOKS[key]["functions"])))
        return (f"this is the notebook {key}.ipynb (it defines {defined}), but this assignment "
                f"grades {expected}.ipynb: did you submit the right file? Each of the two "
                "notebooks has its own Gradescope assignment.")
    functions = NOTEBOOKS[key]["functions"]
    if set(stub_functions(nb, functions)) == set(functions):
        return (f"this is the blank notebook as handed out: did you submit the right file? "
                f"Every graded function ({', '.join(functions)}) still has the body `...` of "
                "the stub. If you worked in a copy, submit that copy, saved after your last "
                "changes.")
    return None
