"""``python -m autograder build``: student and solved notebooks, public tests, Gradescope zip.

The notebooks' source is ``assignment/<key>.py`` (jupytext percent format). Directive comments in
its code cells name code that lives once, in ``solutions/``:

- ``# solution: solutions.rnn.rnn_forward``, alone in a code cell: the solved notebook gets the
  function's full source; the student gets its ``def`` line and docstring and a body of
  ``# YOUR CODE HERE`` / ``...``.
- ``# provided: solutions.rnn.softmax``, on a line of its own in any code cell: the function's full
  source, in both versions (a given helper).

- ``# include-results: flavors``, alone in a code cell: replaced, in both versions, by the markdown
  cells of ``solutions.flavors.render_flavors_cells`` (the experiment's table, and its plot as a
  cell attachment). Only the results reach the student, none of the experiment's code.

The flavors experiment costs about 40 s of CPU. The build keeps its results in ``<out>/flavors/``
(``table.md``, ``flavors.png`` and ``stamp.json``) and runs it again only when the stamp differs:
another seed or budget (``--quick``), or a change to the code or data it reads (the cache is
``solutions.flavors.cached_results``, which hashes the modules the experiment imports).
``--flavors-results DIR`` uses a directory written by ``python -m solutions.flavors --out-dir
DIR`` instead.

Cells tagged ``skip-grading`` only demonstrate (training runs, plots); the build also tags them
``otter_ignore``, the tag stock otter's grader skips.

Output (``--out``, default ``dist``):

    student/   <key>.ipynb, tests/<key>/<fn>.py (public tests only; one folder per notebook, so
               that a notebook's ``grader.check_all()`` runs its own), data/ (what they read)
    solved/    the same layout with the solved notebooks (for instructors and the project's tests)
    flavors/   the flavors experiment's results, reused by the next build
    autograder.zip
               setup.sh, run_autograder, requirements.txt   Gradescope: our grader (grade.py)
               autograder/, solutions/                      the packages, source only
               otter_config.json, tests/<fn>.py, files/     what stock ``otter run -a`` needs
               data/                                         the data files, for our grader
               .autograder_secret                            the hidden inputs' secret
               autograder_config.json                        time limits, hidden-test visibility
                                                             (``--timeout-*``,
                                                             ``--hidden-visibility``)
    autograder_secret.txt
               the same secret, for the TA (never give it to students): to regrade locally with
               the zip's hidden inputs, ``AUTOGRADER_SECRET=$(cat dist/autograder_secret.txt)``

Hidden cases build their inputs from a secret (``autograder.secret``): ``--secret S`` (or the
environment variable ``AUTOGRADER_SECRET``) fixes it, e.g. to rebuild a zip that regrades exactly
like an earlier one; otherwise every build makes a fresh random one, so that a table of hidden
inputs and answers leaked from one build is useless against the next.

The zip holds the packages' source files only: no caches, no hidden files (``.OTTER_LOG``), and
in a git checkout only the files git tracks, so that a build from a fresh clone gives the same zip.
The zip's ``tests/<fn>.py`` are otter exception-format test files wrapping every case (public
and hidden) of ``autograder.checks.<key>.CASES``, so that stock otter scores a submission like our
grader.

A line ``# ruff: noqa: ...`` in the source (the directives leave names undefined for the linter)
is dropped from the notebooks.
"""

from __future__ import annotations

import argparse
import ast
import base64
import copy
import importlib
import inspect
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat

from autograder import secret as autograder_secret

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT_DIR = ROOT / "assignment"
DATA_DIR = ROOT / "data"
GRADESCOPE_DIR = Path(__file__).resolve().parent / "gradescope"

SKIP_TAG = "skip-grading"
SECRET_COPY = "autograder_secret.txt"  # the TA's copy of the zip's secret, beside the zip
OTTER_IGNORE_TAG = "otter_ignore"  # otter.execute.preprocessor.IGNORE_CELL_TAG in otter 7
STUB_BODY = ("# YOUR CODE HERE", "...")

LINT_PRAGMA = re.compile(r"^#\s*ruff:\s*noqa")
DIRECTIVE = re.compile(r"^#\s*(solution|provided):\s*([A-Za-z_][\w.]*)\s*$")
INCLUDE = re.compile(r"^#\s*include-results:\s*([\w-]+)\s*$")
EMBED = re.compile(r"^#\s*embed-files:\s*([\w-]+)\s*$", re.MULTILINE)
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


def include_name(cell):
    """The name of an ``# include-results: <name>`` code cell (nothing else in it), or None."""
    if cell.cell_type != "code":
        return None
    m = INCLUDE.match(cell.source.strip())
    return m.group(1) if m else None


def included_names(source_path):
    """The names of the ``# include-results:`` cells of one notebook source, in order."""
    nb = jupytext.read(Path(source_path))
    return [name for name in map(include_name, nb.cells) if name]


def build_notebooks(source_path, included=None):
    """Read one ``assignment/<key>.py`` and make its student and solved notebooks.

    Arguments:
    source_path -- the notebook's jupytext source
    included -- {name: list of nbformat cells} for its ``# include-results: <name>`` cells

    Returns:
    Notebooks
    """
    source_path = Path(source_path)
    included = included or {}
    nb = jupytext.read(source_path)
    student, solved, graded = [], [], []
    for cell in nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if SKIP_TAG in tags and OTTER_IGNORE_TAG not in tags:
            tags.append(OTTER_IGNORE_TAG)
        metadata = {"tags": tags} if tags else {}
        name = include_name(cell)
        if name:
            if name not in included:
                raise BuildError(f"{source_path.name}: no results to include for {name!r}")
            student.extend(copy.deepcopy(c) for c in included[name])
            solved.extend(copy.deepcopy(c) for c in included[name])
        elif cell.cell_type == "code":
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
    tests_dir = f'tests_dir="tests/{source_path.stem}"'
    if graded and tests_dir not in text:
        raise BuildError(f"{source_path.name}: otter.Notebook must be given {tests_dir}, where "
                         "the build writes the notebook's public tests")
    data_files = sorted(set(DATA_REFERENCE.findall(text)))
    for cell in student + solved:
        if cell.cell_type == "code" and EMBED.search(cell.source):
            cell.source = EMBED.sub(lambda m: embed_source(m.group(1), data_files), cell.source)
            cell.metadata["jupyter"] = {"source_hidden": True}  # JupyterLab: collapsed
            cell.metadata["cellView"] = "form"  # Colab: the "# @title" line shows, not the code
    return Notebooks(
        key=source_path.stem,
        student=_finish(nb, student),
        solved=_finish(nb, solved),
        graded=graded,
        data_files=data_files,
    )


def check_registry(nbs):
    """BuildError unless the notebook's graded cells are the registry's functions, in order.

    The registry (``autograder.notebooks``, derived from each reference module's ``GRADED``) is
    what the grader grades; a ``# solution:`` cell it does not know, or a graded function with no
    cell, would be graded as missing in every submission.
    """
    from autograder.notebooks import NOTEBOOKS

    if nbs.key not in NOTEBOOKS:
        raise BuildError(f"assignment/{nbs.key}.py is no notebook of autograder.notebooks "
                         f"(known: {', '.join(NOTEBOOKS)})")
    expected = list(NOTEBOOKS[nbs.key]["functions"])
    if nbs.graded != expected:
        raise BuildError(f"assignment/{nbs.key}.py defines the graded functions {nbs.graded} "
                         f"(its '# solution:' cells), but the registry grades {expected}: "
                         "change the reference modules' GRADED or the notebook source")


def embedded_files(key, data_files):
    """{relative path: text} of what notebook ``key`` needs beside it: public tests and data."""
    files = {f"tests/{key}/{fn}.py": text for fn, text in public_tests(key).items()}
    for name in data_files:
        files[f"data/{name}"] = (DATA_DIR / name).read_text(encoding="utf-8")
    return files


def embed_source(key, data_files, width=96):
    """The code that replaces ``# embed-files: <key>``: restore_files and its payload.

    The payload is base64 of zlib-compressed JSON (about 25 KB for notebook 1), so that a student
    who has only the ``.ipynb`` (Colab) gets the public tests and the names by running the cell.
    """
    raw = json.dumps(embedded_files(key, data_files), sort_keys=True).encode()
    payload = base64.b64encode(zlib.compress(raw, 9)).decode("ascii")
    lines = [payload[i:i + width] for i in range(0, len(payload), width)]
    call = "restore_files(\n" + "\n".join(f'    "{line}"' for line in lines) + "\n)"
    return full_source("autograder.student_cells.restore_files") + "\n\n\n" + call


# ---------------------------------------------------------------- included results


def included_cells(names, out, flavors_dir=None, seed=0, quick=False, log=None):
    """{name: cells} for the ``# include-results:`` names the notebooks use.

    Arguments:
    names -- the names used (only "flavors" exists)
    out -- the build's output directory; the flavors results are kept in ``out/flavors``
    flavors_dir -- a directory of ``python -m solutions.flavors --out-dir DIR`` to use instead
    seed, quick -- the experiment's settings when it is run
    log -- called with one line of text saying where the results came from
    """
    log = log or (lambda _: None)
    unknown = sorted(set(names) - {"flavors"})
    if unknown:
        raise BuildError(f"unknown # include-results: {', '.join(unknown)} (known: flavors)")
    if not names:
        return {}
    from solutions import flavors

    if flavors_dir is not None:
        flavors_dir = Path(flavors_dir)
        if not flavors.has_results(flavors_dir):
            raise BuildError(f"--flavors-results {flavors_dir}: needs "
                             f"{' and '.join(flavors.RESULT_FILES)} (python -m solutions.flavors "
                             "--out-dir DIR writes them)")
        log(f"flavors results: from {flavors_dir}")
    else:
        budget = "--quick" if quick else "full"
        target = Path(out) / "flavors"
        if not flavors.is_current(target, seed, quick):
            log(f"flavors results: running the experiment ({budget}, seed {seed}; about 40 s, "
                "a few with --quick; --flavors-results DIR reuses a run)...")
        flavors_dir, seconds = flavors.cached_results(target, seed=seed, quick=quick)
        if seconds is None:
            log(f"flavors results: reused {flavors_dir} ({budget}, seed {seed}; stamp matches)")
        else:
            log(f"flavors results: ran the experiment ({budget}, seed {seed}) in {seconds:.1f} s, "
                f"kept in {flavors_dir}")
    return {"flavors": flavors.render_flavors_cells(results_dir=flavors_dir)}


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


def tracked_files(root=ROOT):
    """Paths (relative, posix) that git tracks under ``root``, or None outside a git checkout."""
    git = shutil.which("git")
    if git is None or not (Path(root) / ".git").exists():
        return None
    proc = subprocess.run([git, "-C", str(root), "ls-files", "-z"], capture_output=True)
    if proc.returncode != 0:
        return None
    return set(proc.stdout.decode("utf-8", "surrogateescape").split("\0")) - {""}


def _package_files(package_dir, tracked=None):
    """A package's source files for the zip.

    Leaves out caches and compiled files, hidden files (``.OTTER_LOG``, ``.ipynb_checkpoints``),
    and, when ``tracked`` (from ``tracked_files``) is given, every file git does not track, so that
    the zip is the same from a fresh clone.

    Returns:
    (files, untracked) -- files: list of (path, arcname); untracked: arcnames left out for not
                          being tracked
    """
    files, untracked = [], []
    for path in sorted(Path(package_dir).rglob("*")):
        rel = path.relative_to(Path(package_dir).parent)
        if path.is_dir() or path.suffix in (".pyc", ".pyo"):
            continue
        if any(part == "__pycache__" or part.startswith(".") for part in rel.parts):
            continue
        if rel.parts[:2] == ("autograder", "gradescope"):
            continue  # setup.sh and run_autograder go to the zip's top level instead
        if tracked is not None and rel.as_posix() not in tracked:
            untracked.append(rel.as_posix())
            continue
        files.append((path, rel.as_posix()))
    return files, untracked


def _zip_add(zf, arcname, data, executable=False, private=False):
    info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    mode = 0o600 if private else 0o755 if executable else 0o644
    info.external_attr = (stat.S_IFREG | mode) << 16
    zf.writestr(info, data)


OTTER_CONFIG = {
    "lang": "python",
    "pdf": False,
    "show_stdout": False,
    "show_hidden": False,
}


def grading_config(**settings):
    """The zip's ``autograder_config.json`` (a dict): the grader's defaults, then ``settings``.

    settings -- ``timeout_cell``, ``timeout_call``, ``timeout_total`` (seconds),
                ``hidden_visibility``, ``notebook`` (the one notebook the zip grades); None keeps
                the default. Raises BuildError on a bad value.
    """
    from autograder.grade import GradeConfig

    try:
        config = GradeConfig(**{k: v for k, v in settings.items() if v is not None})
    except (TypeError, ValueError) as e:
        raise BuildError(f"bad grading setting: {e}") from e
    return {key: getattr(config, key) for key in CONFIG_KEYS}


# "notebook": on Gradescope each notebook is its own assignment, and the grader gives the other
# one 0 with a sentence (autograder.notebooks.submission_problem); None grades either.
CONFIG_KEYS = ("timeout_cell", "timeout_call", "timeout_total", "hidden_visibility", "notebook")
CONFIG_FILE = "autograder_config.json"  # on Gradescope: /autograder/source/autograder_config.json


def write_zip(path, built, data_files, secret=None, config=None):
    """The Gradescope autograder zip (see the module docstring for its layout).

    secret -- the hidden inputs' secret written into the zip (None: a fresh random one)
    config -- the grading settings written as ``autograder_config.json`` (None: the defaults)

    Returns:
    (names, untracked) -- the zip's entry names, sorted; the package files left out because git
                          does not track them
    """
    entries = {}
    tracked = tracked_files()
    untracked = []
    for name in ("setup.sh", "run_autograder"):
        entries[name] = ((GRADESCOPE_DIR / name).read_bytes(), True)
    entries["requirements.txt"] = ((GRADESCOPE_DIR / "requirements.txt").read_bytes(), False)
    entries["otter_config.json"] = (json.dumps(OTTER_CONFIG, indent=2).encode() + b"\n", False)
    config = grading_config() if config is None else config
    entries[CONFIG_FILE] = (json.dumps(config, indent=2).encode() + b"\n", False)
    secret = autograder_secret.check_secret(secret or autograder_secret.new_secret())
    entries[autograder_secret.SECRET_FILE_NAME] = ((secret + "\n").encode(), "secret")
    for package in ("autograder", "solutions"):
        files, left_out = _package_files(ROOT / package, tracked)
        untracked.extend(left_out)
        for src, arc in files:
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
            data, kind = entries[arcname]
            _zip_add(zf, arcname, data, executable=kind is True, private=kind == "secret")
    return sorted(entries), untracked


def build(out="dist", assignment_dir=ASSIGNMENT_DIR, flavors_dir=None, seed=0, quick=False,
          log=None, secret=None, grading=None):
    """Build everything into ``out``; returns the list of Notebooks built.

    Arguments:
    out -- the output directory
    assignment_dir -- where the notebook sources (``*.py``) are
    flavors_dir -- results of ``python -m solutions.flavors --out-dir DIR`` to include; None
                   runs the experiment into ``out/flavors`` unless the results there are current
    seed, quick -- the flavors experiment's settings (quick: a short smoke-test run)
    log -- called with lines of progress text (default: silent)
    secret -- the hidden inputs' secret; None: ``AUTOGRADER_SECRET`` when set, else a fresh
              random one. Written into the zip and to ``out/autograder_secret.txt``.
    grading -- settings for :func:`grading_config` (time limits, hidden tests' visibility),
               written into the zip's ``autograder_config.json``
    """
    log = log or (lambda _: None)
    config = grading_config(**(grading or {}))
    started = time.perf_counter()
    out = Path(out)
    try:
        if secret is not None:
            secret, secret_source = autograder_secret.check_secret(secret), "--secret"
        elif os.environ.get(autograder_secret.SECRET_ENV):
            secret = autograder_secret.check_secret(os.environ[autograder_secret.SECRET_ENV])
            secret_source = f"the environment variable {autograder_secret.SECRET_ENV}"
        else:
            secret, secret_source = autograder_secret.new_secret(), "new, random"
    except autograder_secret.SecretError as e:
        raise BuildError(f"unusable secret: {e}") from e
    sources = sorted(Path(assignment_dir).glob("*.py"))
    if not sources:
        raise BuildError(f"no notebook sources (*.py) in {assignment_dir}")
    names = sorted({name for p in sources for name in included_names(p)})
    included = included_cells(names, out, flavors_dir=flavors_dir, seed=seed, quick=quick, log=log)
    built = [build_notebooks(p, included) for p in sources]
    for nbs in built:
        check_registry(nbs)
    data_files = sorted({name for nbs in built for name in nbs.data_files})
    for sub in ("student", "solved"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    for nbs in built:
        tests = public_tests(nbs.key)
        for sub, nb in (("student", nbs.student), ("solved", nbs.solved)):
            _write_notebook(nb, out / sub / f"{nbs.key}.ipynb")
            for function, text in sorted(tests.items()):
                test_path = out / sub / "tests" / nbs.key / f"{function}.py"
                test_path.parent.mkdir(parents=True, exist_ok=True)
                test_path.write_text(text, encoding="utf-8")
    for sub in ("student", "solved"):
        _copy_data(data_files, out / sub)
    names, untracked = write_zip(out / "autograder.zip", built, data_files, secret, config)
    autograder_secret.write_secret(out / SECRET_COPY, secret)
    if untracked:
        log(f"left out of the zip, not tracked by git: {', '.join(untracked)}")
    for nbs in built:
        log(f"{nbs.key}: {len(nbs.graded)} graded functions ({', '.join(nbs.graded)})")
    log(f"hidden inputs' secret ({secret_source}): in the zip and in {out / SECRET_COPY}; keep "
        f"that file from students, and set {autograder_secret.SECRET_ENV} to its content to "
        "grade locally with the zip's hidden inputs")
    log(f"grading settings ({CONFIG_FILE} in the zip): {config['timeout_cell']:g} s per cell, "
        f"{config['timeout_call']:g} s per call, {config['timeout_total']:g} s per submission; "
        f"entries with hidden cases: {config['hidden_visibility']}")
    if config["timeout_total"] > 540:
        log(f"note: {config['timeout_total']:g} s per submission is close to or above "
            "Gradescope's default 10-minute limit; raise that in the assignment's autograder "
            "settings too")
    size = (out / "autograder.zip").stat().st_size
    n_tests = len(list((out / "student" / "tests").glob("*/*.py")))
    log(f"wrote {out / 'student'}/ and {out / 'solved'}/ ({len(built)} notebooks, {n_tests} public "
        f"test files, data/{', data/'.join(data_files)}) and {out / 'autograder.zip'} "
        f"({len(names)} files, {size / 1024:.0f} KiB) in {time.perf_counter() - started:.1f} s")
    return built


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m autograder build",
        description="Build the student and solved notebooks, their tests and the Gradescope zip.",
    )
    parser.add_argument("--out", default="dist", help="output directory (default: dist)")
    results = parser.add_mutually_exclusive_group()
    results.add_argument(
        "--flavors-results",
        metavar="DIR",
        help="include the flavors results of `python -m solutions.flavors --out-dir DIR` instead "
        "of running the experiment (default: run it into OUT/flavors, reused while current)",
    )
    results.add_argument(
        "--quick",
        action="store_true",
        help="run the flavors experiment with a short smoke-test budget (a few seconds)",
    )
    parser.add_argument(
        "--secret",
        metavar="S",
        help="the secret the hidden cases' inputs are made from (default: $AUTOGRADER_SECRET, "
        "else a fresh random one per build); give an earlier build's to regrade reproducibly",
    )
    from autograder.grade import VISIBILITIES

    limits = parser.add_argument_group(
        "grading settings", f"written into the zip's {CONFIG_FILE}, which the autograder reads "
        "on Gradescope (nobody edits the zip by hand)")
    limits.add_argument("--timeout-cell", type=float, metavar="S",
                        help="seconds per notebook cell (default 60)")
    limits.add_argument("--timeout-call", type=float, metavar="S",
                        help="seconds per call of a graded function (default 30)")
    limits.add_argument("--timeout-total", type=float, metavar="S",
                        help="seconds per submission (default 300; keep it below the "
                             "assignment's Gradescope limit, 10 minutes by default)")
    limits.add_argument("--hidden-visibility", choices=VISIBILITIES,
                        help="when students see the entries that include hidden cases "
                             "(default after_published; public cases are always visible at once)")
    limits.add_argument("--notebook", metavar="KEY",
                        help="the notebook this zip grades, e.g. rnn_dinosaurs (one Gradescope "
                             "assignment per notebook): a submission of the other one gets 0 "
                             "and a sentence saying so (default: either)")
    args = parser.parse_args(argv)
    grading = {"timeout_cell": args.timeout_cell, "timeout_call": args.timeout_call,
               "timeout_total": args.timeout_total, "hidden_visibility": args.hidden_visibility,
               "notebook": args.notebook}
    try:
        build(args.out, flavors_dir=args.flavors_results, quick=args.quick, log=print,
              secret=args.secret, grading=grading)
    except BuildError as e:
        print(f"build failed: {e}", file=sys.stderr)
        return 1
    return 0
