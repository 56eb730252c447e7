"""``python -m autograder build``: student and solved notebooks, public tests, Gradescope zip.

The notebooks' source is ``assignment/<key>.py`` (jupytext percent format). Directive comments in
its code cells name code that lives once, in ``solutions/``:

- ``# solution: solutions.rnn.rnn_forward``, alone in a code cell: the solved notebook gets the
  function's full source; the student gets its ``def`` line and docstring and a body of
  ``# YOUR CODE HERE`` / ``...``.
- ``# provided: solutions.rnn.softmax``, on a line of its own in any code cell: the function's full
  source, in both versions (a given helper).

Cells tagged ``skip-grading`` only demonstrate (training runs, plots); the build also tags them
``otter_ignore``, the tag stock otter's grader skips.

Output (``--out``, default ``dist``):

    student/   <key>.ipynb, tests/<fn>.py (public tests only), data/ (what the notebooks read)
    solved/    the same layout with the solved notebooks (for instructors and the project's tests)
    autograder.zip
               setup.sh, run_autograder, requirements.txt   Gradescope: our grader (grade.py)
               autograder/, solutions/                      the packages, source only
               otter_config.json, tests/<fn>.py, files/     what stock ``otter run -a`` needs
               data/                                         the data files, for our grader

The zip's ``tests/<fn>.py`` are otter exception-format test files wrapping every case (public
and hidden) of ``autograder.checks.<key>.CASES``, so that stock otter scores a submission like our
grader.

A line ``# ruff: noqa: ...`` in the source (the directives leave names undefined for the linter)
is dropped from the notebooks.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import inspect
import json
import re
import shutil
import stat
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT_DIR = ROOT / "assignment"
DATA_DIR = ROOT / "data"
GRADESCOPE_DIR = Path(__file__).resolve().parent / "gradescope"

SKIP_TAG = "skip-grading"
OTTER_IGNORE_TAG = "otter_ignore"  # otter.execute.preprocessor.IGNORE_CELL_TAG in otter 7
STUB_BODY = ("# YOUR CODE HERE", "...")

LINT_PRAGMA = re.compile(r"^#\s*ruff:\s*noqa")
DIRECTIVE = re.compile(r"^#\s*(solution|provided):\s*([A-Za-z_][\w.]*)\s*$")
# Data files a notebook reads are named in its source as data/<file>.
DATA_REFERENCE = re.compile(r"""["'](?:\./)?data/([\w.-]+)["']""")
# Fixed timestamp for zip entries, so that two builds of the same tree give the same bytes.
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"}


class BuildError(Exception):
    """A problem with the assignment source (bad directive, missing file), for the instructor."""


@dataclass
class Notebooks:
    """One assignment notebook built two ways, and the graded functions it defines, in order."""

    key: str
    student: nbformat.NotebookNode
    solved: nbformat.NotebookNode
    graded: list[str]
    data_files: list[str]


# ---------------------------------------------------------------- directives


def resolve(dotted):
    """The function (or class) named by a dotted path such as ``solutions.rnn.softmax``."""
    module_name, _, attr = dotted.rpartition(".")
    if not module_name:
        raise BuildError(f"directive target {dotted!r} is not of the form module.function")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise BuildError(f"cannot import {module_name} for directive {dotted!r}: {e}") from e
    try:
        return getattr(module, attr)
    except AttributeError:
        raise BuildError(f"{module_name} has no {attr!r} (directive {dotted!r})") from None


def full_source(dotted):
    """The named function's or class's ``inspect.getsource``, without a trailing newline.

    A constant (a str, number, tuple, ... such as ``solutions.data.VOCAB``) becomes the assignment
    ``NAME = <repr>``, so that provided code can rely on the module constants it reads.
    """
    obj = resolve(dotted)
    if inspect.isfunction(obj) or inspect.isclass(obj):
        return inspect.getsource(obj).rstrip("\n")
    if isinstance(obj, (str, int, float, bool, tuple, frozenset)) or obj is None:
        return f"{dotted.rpartition('.')[2]} = {obj!r}"
    raise BuildError(f"directive target {dotted!r} is neither a function, a class nor a constant")


def stub_source(source):
    """The student's version of a function: its ``def`` line(s) and docstring, then an empty body.

    Arguments:
    source -- the full source of one top-level function, starting with ``def``

    Returns:
    stub -- the lines up to the end of the docstring (or of the signature when there is no
            docstring), followed by ``# YOUR CODE HERE`` and ``...`` at the body's indentation
    """
    tree = ast.parse(source)
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        raise BuildError("a # solution: directive must name a plain function")
    fn = tree.body[0]
    first = fn.body[0]
    has_docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    lines = source.splitlines()
    head = lines[: first.end_lineno] if has_docstring else lines[: first.lineno - 1]
    indent = " " * first.col_offset
    return "\n".join(head + [indent + line for line in STUB_BODY])


def expand_cell(source, solved):
    """Replace the directives of one code cell.

    Returns:
    (source, graded) -- the new cell source, and the name of the graded function the cell
                        defines (from a ``# solution:`` directive) or None
    """
    lines = [line for line in source.splitlines() if not LINT_PRAGMA.match(line)]
    directives = [DIRECTIVE.match(line.strip()) for line in lines]
    solutions = [m for m in directives if m and m.group(1) == "solution"]
    if solutions:
        # The grader finds a graded function by its cell beginning `def <name>(`: nothing else
        # may share the cell.
        if len(lines) != 1:
            raise BuildError(f"'{lines[0]}...': a # solution: directive must be alone in its cell")
        dotted = solutions[0].group(2)
        text = full_source(dotted)
        return (text if solved else stub_source(text)), dotted.rpartition(".")[2]
    out = []
    for line, m in zip(lines, directives, strict=True):
        out.append(full_source(m.group(2)) if m else line)
    return "\n".join(out), None


# ---------------------------------------------------------------- notebooks


def _finish(nb, cells):
    """A clean nbformat v4 notebook: python3 kernel, no outputs, deterministic cell ids."""
    out = nbformat.v4.new_notebook()
    out.metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    for i, cell in enumerate(cells):
        cell.id = f"cell-{i:03d}"
    out.cells = cells
    nbformat.validate(out)
    return out


def build_notebooks(source_path):
    """Read one ``assignment/<key>.py`` and make its student and solved notebooks.

    Returns:
    Notebooks
    """
    source_path = Path(source_path)
    nb = jupytext.read(source_path)
    student, solved, graded = [], [], []
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if SKIP_TAG in tags and OTTER_IGNORE_TAG not in tags:
            tags.append(OTTER_IGNORE_TAG)
        metadata = {"tags": tags} if tags else {}
        if cell.cell_type == "code":
            text_solved, name = expand_cell(cell.source, solved=True)
            text_student, _ = expand_cell(cell.source, solved=False)
            if name:
                graded.append(name)
            student.append(nbformat.v4.new_code_cell(text_student, metadata=dict(metadata)))
            solved.append(nbformat.v4.new_code_cell(text_solved, metadata=dict(metadata)))
        elif cell.cell_type == "markdown":
            student.append(nbformat.v4.new_markdown_cell(cell.source, metadata=dict(metadata)))
            solved.append(nbformat.v4.new_markdown_cell(cell.source, metadata=dict(metadata)))
        else:
            student.append(nbformat.v4.new_raw_cell(cell.source, metadata=dict(metadata)))
            solved.append(nbformat.v4.new_raw_cell(cell.source, metadata=dict(metadata)))
    text = source_path.read_text(encoding="utf-8")
    data_files = sorted(set(DATA_REFERENCE.findall(text)))
    return Notebooks(
        key=source_path.stem,
        student=_finish(nb, student),
        solved=_finish(nb, solved),
        graded=graded,
        data_files=data_files,
    )


# ---------------------------------------------------------------- tests


def public_tests(key):
    """``{function name: otter test file text}`` of the public cases, for the student."""
    try:
        from autograder.checks.public import render_public_tests
    except ImportError as e:
        raise BuildError(f"autograder.checks.public is not available: {e}") from e
    return render_public_tests(key)


def cases(key):
    """The checks of one notebook: ``autograder.checks.<key>.CASES``."""
    try:
        module = importlib.import_module(f"autograder.checks.{key}")
    except ImportError as e:
        raise BuildError(f"autograder.checks.{key} is not available: {e}") from e
    return list(module.CASES)


def _identifier(name):
    """A Python identifier made from a case name (``values m=1`` -> ``values_m_1``)."""
    ident = re.sub(r"\W", "_", name)
    return ident if ident.isidentifier() and not ident[0].isdigit() else f"case_{ident}"


def otter_test_file(key, function, function_cases, notebook_functions):
    """The text of one otter exception-format test file that wraps every case of one function.

    Each test case looks the Case up by name in ``autograder.checks.<key>.CASES`` and runs it on the
    student's function, so the points, the pass/fail and the message are our grader's.

    The zip grades either notebook. A test file of the *other* notebook (none of this notebook's
    functions defined in the kernel) shows up as a single 0-point case, so that stock otter's total
    for a submission is the total of its own notebook's questions.

    Arguments:
    key -- the notebook's key, e.g. "rnn_dinosaurs"
    function -- the graded function's name (the question's name)
    function_cases -- its Case objects (function, name, points, hidden, run)
    notebook_functions -- all graded functions of the notebook
    """
    header = f'''\
"""Otter test file for {function} (notebook {key}), made by `python -m autograder build`.

Each case runs the matching case of autograder.checks.{key}.CASES on the student's function.
"""

import os
import sys

# Otter runs this file in the student's kernel, in <autograder dir>/submission; the autograder
# and solutions packages are in <autograder dir>/source.
_source = os.path.abspath(os.path.join(os.getcwd(), "..", "source"))
if os.path.isdir(os.path.join(_source, "autograder")) and _source not in sys.path:
    sys.path.insert(0, _source)

import __main__  # noqa: E402  (the kernel's namespace: the student's notebook)

from otter.test_files import test_case  # noqa: E402

OK_FORMAT = False
name = {function!r}
_NOTEBOOK_FUNCTIONS = {tuple(notebook_functions)!r}


def _run(case_name, fn):
    from autograder.checks import {key} as checks

    for case in checks.CASES:
        if case.function == name and case.name == case_name:
            return case.run(fn)
    raise LookupError(f"no case {{case_name!r}} for {{name}} in autograder.checks.{key}")


if not any(callable(getattr(__main__, f, None)) for f in _NOTEBOOK_FUNCTIONS):

    @test_case(name="not_in_this_notebook", points=0, hidden=False)
    def not_in_this_notebook():
        """This question belongs to the other notebook."""

else:
'''
    body = []
    for case in function_cases:
        ident = _identifier(case.name)
        body.append(
            f"    @test_case(name={case.name!r}, points={case.points!r}, hidden={case.hidden!r})\n"
            f"    def {ident}({function}):\n"
            f"        _run({case.name!r}, {function})\n"
        )
    return header + "\n".join(body)


# ---------------------------------------------------------------- output


def _write_notebook(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        nbformat.write(nb, f, version=4)


def _copy_data(names, dest):
    for name in names:
        src = DATA_DIR / name
        if not src.is_file():
            raise BuildError(f"the notebooks read data/{name}, which is missing from {DATA_DIR}")
        (dest / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest / "data" / name)


def _package_files(package_dir):
    """(path, arcname) of a package's source files: no caches, no compiled files."""
    out = []
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir.parent)
        if path.is_dir() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.parts[:2] == ("autograder", "gradescope"):
            continue  # setup.sh and run_autograder go to the zip's top level instead
        out.append((path, rel.as_posix()))
    return out


def _zip_add(zf, arcname, data, executable=False):
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    zf.writestr(info, data)


OTTER_CONFIG = {
    "lang": "python",
    "pdf": False,
    "show_stdout": False,
    "show_hidden": False,
}


def write_zip(path, built, data_files):
    """The Gradescope autograder zip (see the module docstring for its layout)."""
    entries = {}
    for name in ("setup.sh", "run_autograder"):
        entries[name] = ((GRADESCOPE_DIR / name).read_bytes(), True)
    entries["requirements.txt"] = ((GRADESCOPE_DIR / "requirements.txt").read_bytes(), False)
    entries["otter_config.json"] = (json.dumps(OTTER_CONFIG, indent=2).encode() + b"\n", False)
    for package in ("autograder", "solutions"):
        for src, arc in _package_files(ROOT / package):
            entries[arc] = (src.read_bytes(), False)
    for nbs in built:
        by_function = {}
        for case in cases(nbs.key):
            by_function.setdefault(case.function, []).append(case)
        missing = [f for f in nbs.graded if f not in by_function]
        if missing:
            raise BuildError(f"autograder.checks.{nbs.key} has no cases for {missing}")
        for function in nbs.graded:
            text = otter_test_file(nbs.key, function, by_function[function], nbs.graded)
            entries[f"tests/{function}.py"] = (text.encode(), False)
    for name in data_files:
        data = (DATA_DIR / name).read_bytes()
        entries[f"data/{name}"] = (data, False)
        # Otter copies files/ into the submission directory, where the notebook runs.
        entries[f"files/data/{name}"] = (data, False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for arcname in sorted(entries):
            data, executable = entries[arcname]
            _zip_add(zf, arcname, data, executable)


def build(out="dist", assignment_dir=ASSIGNMENT_DIR):
    """Build everything into ``out``; returns the list of Notebooks built."""
    out = Path(out)
    sources = sorted(Path(assignment_dir).glob("*.py"))
    if not sources:
        raise BuildError(f"no notebook sources (*.py) in {assignment_dir}")
    built = [build_notebooks(p) for p in sources]
    data_files = sorted({name for nbs in built for name in nbs.data_files})
    for sub in ("student", "solved"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    for nbs in built:
        tests = public_tests(nbs.key)
        for sub, nb in (("student", nbs.student), ("solved", nbs.solved)):
            _write_notebook(nb, out / sub / f"{nbs.key}.ipynb")
            for function, text in sorted(tests.items()):
                test_path = out / sub / "tests" / f"{function}.py"
                test_path.parent.mkdir(parents=True, exist_ok=True)
                test_path.write_text(text, encoding="utf-8")
    for sub in ("student", "solved"):
        _copy_data(data_files, out / sub)
    write_zip(out / "autograder.zip", built, data_files)
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m autograder build",
        description="Build the student and solved notebooks, their tests and the Gradescope zip.",
    )
    parser.add_argument("--out", default="dist", help="output directory (default: dist)")
    args = parser.parse_args(argv)
    try:
        built = build(args.out)
    except BuildError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    out = Path(args.out)
    for nbs in built:
        print(f"{nbs.key}: {len(nbs.graded)} graded functions ({', '.join(nbs.graded)})")
    print(f"wrote {out / 'student'}, {out / 'solved'} and {out / 'autograder.zip'}")
    return 0
