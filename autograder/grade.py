"""The grading core: one submission -> results.json; a batch -> results + grades.csv.

Entry points:

- ``python -m autograder grade SUBMISSION... --out DIR [--jobs N] [--timeout-cell S]
  [--timeout-call S] [--timeout-total S] [--hidden-visibility V] [--data-dir DIR] [--config FILE]``
  -> ``main(argv)``: ``DIR/<submission>/results.json`` per submission (``autograder.submissions``
  finds and names them: files, folders, Gradescope exports), ``DIR/grades.csv``, a summary table
  on stdout. Exit status 0 whatever the scores, 2 for a usage error only.
- Gradescope's ``run_autograder`` -> ``gradescope_main()``: the one submission in
  ``$AUTOGRADER_ROOT/submission`` (default root /autograder) ->
  ``$AUTOGRADER_ROOT/results/results.json``.

Both call ``grade_submission``. A submission is a ``.ipynb`` or otter's exported ``.zip`` (the one
notebook inside is graded; ``.OTTER_LOG`` and anything else in it is never opened). Whatever is
wrong with it (missing, empty, too large, not UTF-8, not JSON, not a notebook, nbformat < 4, no
graded function, several notebooks, a .py file) gives a results.json with score 0 and one test entry
named ``submission`` saying exactly what was wrong.

The student's code runs in a child process (``autograder.isolation.runner``); the checks run
here, on plain data. results.json is written last, after the child's whole process tree is
gone, into a directory the child never learns about.

Time limits (defaults fit Gradescope's default 10-minute limit with room): 60 s per cell, 30 s per
call, 300 s for the whole submission. Set them, lowest to highest precedence, in a JSON config file
(``--config``; on Gradescope ``source/autograder_config.json``) with keys ``timeout_cell``,
``timeout_call``, ``timeout_total``, ``hidden_visibility``, ``data_dir``; in environment variables
``AUTOGRADER_TIMEOUT_CELL``, ``AUTOGRADER_TIMEOUT_CALL``, ``AUTOGRADER_TIMEOUT_TOTAL``,
``AUTOGRADER_HIDDEN_VISIBILITY``; on the command line.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib
import json
import logging
import os
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

from autograder import batch, notebooks, phases, secret, submissions, tracebacks, written
from autograder.bounds import bound_results
from autograder.isolation import sandbox as isolation_sandbox
from autograder.isolation.outcomes import CaseOutcome, CaseResult, CellOutcome
from autograder.isolation.runner import (
    GraderError,
    StudentError,
    StudentFailure,
    StudentProcess,
    StudentTimeout,
    cells_from_notebook,
)

log = logging.getLogger("autograder.grade")

MAX_SUBMISSION_BYTES = 50 * 1024 * 1024
STDOUT_CAP = 10_000  # characters of the notebook's own output shown in results.json
MAX_PROBLEMS_LISTED = 50  # cells with problems listed in the output (the rest are counted)
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
INTERNAL_ERROR = ("internal grader error: the grader itself failed on this test, which is not your "
                  "fault; please tell the course staff")


# The batch watchdog's view: out_dir -> the StudentProcess grading into it; out_dirs it ended.
_ACTIVE: dict = {}
_CANCELLED: set = set()


class SubmissionError(ValueError):
    """What is wrong with a submission, in a sentence for the student."""


@dataclasses.dataclass
class GradeConfig:
    """Time limits (seconds) and settings of one grading run."""

    timeout_cell: float = 60.0
    timeout_call: float = 30.0
    timeout_total: float = 300.0
    hidden_visibility: str = "after_published"
    data_dir: str | None = str(DEFAULT_DATA_DIR) if DEFAULT_DATA_DIR.is_dir() else None
    # None: autograder.isolation.sandbox when it exists; False: a plain subprocess (tests,
    # debugging).
    sandbox: bool | None = None
    # The notebook this assignment grades ("rnn_dinosaurs", ...); None: either (a TA's batch).
    notebook: str | None = None
    # Files and folders the child must not read beside the results (other submissions of a
    # batch, Gradescope's submission_metadata.json): closed while it runs where no mount hides
    # them.
    hidden_paths: tuple = ()

    def __post_init__(self):
        for name in ("timeout_cell", "timeout_call", "timeout_total"):
            value = float(getattr(self, name))
            if not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value}")
            setattr(self, name, value)
        if self.hidden_visibility not in VISIBILITIES:
            raise ValueError(f"hidden_visibility must be one of {', '.join(VISIBILITIES)}")
        if self.notebook is not None and self.notebook not in notebooks.NOTEBOOKS:
            raise ValueError(f"notebook must be one of {', '.join(notebooks.NOTEBOOKS)}")


ENV_KEYS = {
    "timeout_cell": "AUTOGRADER_TIMEOUT_CELL",
    "timeout_call": "AUTOGRADER_TIMEOUT_CALL",
    "timeout_total": "AUTOGRADER_TIMEOUT_TOTAL",
    "hidden_visibility": "AUTOGRADER_HIDDEN_VISIBILITY",
}


def load_config(path=None, env=None, **overrides) -> GradeConfig:
    """Defaults, then the JSON file ``path``, then environment variables, then ``overrides``.

    Raises ValueError (with a readable message) on an unreadable file or a bad value.
    """
    env = os.environ if env is None else env
    values = {}
    if path is not None:
        try:
            loaded = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read config file {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ValueError(f"config file {path} must hold a JSON object")
        known = {f.name for f in dataclasses.fields(GradeConfig)}
        unknown = sorted(set(loaded) - known)
        if unknown:
            raise ValueError(f"config file {path}: unknown keys {unknown}")
        values.update(loaded)
    for key, var in ENV_KEYS.items():
        if env.get(var):
            values[key] = env[var]
    values.update({k: v for k, v in overrides.items() if v is not None})
    return GradeConfig(**values)


# ----------------------------------------------------------------------------------------------
# reading a submission


def parse_notebook(data: bytes, name: str) -> dict:
    """The notebook in ``data`` (the bytes of file ``name``), or SubmissionError saying why not."""
    if not data.strip():
        raise SubmissionError(f"{name} is empty: there is nothing to grade. Save the notebook "
                              "in Jupyter and submit the saved .ipynb file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubmissionError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at position {exc.start}), "
            "so it is not a Jupyter notebook file. Submit the .ipynb file that Jupyter saved."
        ) from exc
    try:
        nb = json.loads(text)
    except RecursionError as exc:
        raise SubmissionError(f"{name} is not a valid notebook (JSON nested too deeply).") from exc
    except json.JSONDecodeError as exc:
        stripped = text.rstrip()
        # A notebook ends with "}"; an error at the very end or a missing "}" means a cut-off file.
        truncated = exc.pos >= len(stripped) - 1 or not stripped.endswith("}")
        why = "it looks cut off (truncated)" if truncated else "it is corrupted"
        raise SubmissionError(
            f"{name} is not valid JSON ({exc.msg}; line {exc.lineno}, column {exc.colno}): "
            f"{why}. Open it in Jupyter, save it, and submit the saved .ipynb file again.") from exc
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise SubmissionError(f"{name} is JSON but not a Jupyter notebook (it has no list of "
                              "\"cells\"). Submit the homework's .ipynb file.")
    version = nb.get("nbformat")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SubmissionError(f"{name} is not a valid Jupyter notebook: it has no nbformat "
                              "version number.")
    if version < 4:
        raise SubmissionError(
            f"{name} uses the old notebook format {version}; the grader reads format 4. Open it in "
            "a current Jupyter and save it (or run `jupyter nbconvert --to notebook "
            "--nbformat 4`), then submit again.")
    if version > 4:
        raise SubmissionError(f"{name} uses notebook format {version}, which the grader does not "
                              "know; save it as format 4.")
    for number, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            raise SubmissionError(f"{name} is not a valid notebook: cell {number} has no valid "
                                  "cell_type.")
        source = cell.get("source")
        if not (isinstance(source, str) or (isinstance(source, list)
                                            and all(isinstance(s, str) for s in source))):
            raise SubmissionError(f"{name} is not a valid notebook: cell {number} has no source "
                                  "text.")
        if not isinstance(cell.get("metadata", {}), dict):
            raise SubmissionError(f"{name} is not a valid notebook: cell {number} has invalid "
                                  "metadata.")
    return nb


def _too_large(name, size):
    return SubmissionError(
        f"{name} is too large ({size / 2**20:.1f} MB; the limit is "
        f"{MAX_SUBMISSION_BYTES // 2**20} MB). Clear the outputs (Kernel > Restart & Clear "
        "Output), save, and submit again.")


def _notebook_from_zip(path: Path):
    """(bytes, name) of the single notebook in otter's exported zip. Nothing else is read."""
    try:
        with zipfile.ZipFile(path) as zf:
            candidates = []
            for info in zf.infolist():
                parts = info.filename.replace("\\", "/").split("/")
                if info.is_dir() or not parts[-1].lower().endswith(".ipynb"):
                    continue
                if any(p.startswith(".") or p == "__MACOSX" for p in parts):
                    continue  # .ipynb_checkpoints/, macOS resource forks, hidden files
                candidates.append(info)
            if not candidates:
                raise SubmissionError(f"the zip file {path.name} contains no notebook (.ipynb). "
                                      "Submit the zip that otter exported, or the .ipynb itself.")
            if len(candidates) > 1:
                listed = ", ".join(i.filename for i in candidates[:5])
                raise SubmissionError(f"the zip file {path.name} contains several notebooks "
                                      f"({listed}); it must contain exactly one.")
            info = candidates[0]
            name = f"{path.name}:{info.filename}"
            if info.flag_bits & 0x1:
                raise SubmissionError(f"{name} is encrypted; submit a zip without a password.")
            if info.file_size > MAX_SUBMISSION_BYTES:
                raise _too_large(name, info.file_size)
            with zf.open(info) as f:
                data = f.read(MAX_SUBMISSION_BYTES + 1)  # the size field may lie
            if len(data) > MAX_SUBMISSION_BYTES:
                raise _too_large(name, len(data))
            return data, name
    except SubmissionError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError,
            ValueError) as exc:
        raise SubmissionError(f"{path.name} is not a valid zip file, or it is damaged ({exc}). "
                              "Export it again from the notebook, or submit the .ipynb.") from exc


def load_submission(path) -> dict:
    """The notebook (a dict) of a .ipynb or otter .zip submission; SubmissionError if unusable."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"submission not found: {path}")
    if not path.is_file():
        raise SubmissionError(f"{path.name} is not a file; submit the .ipynb notebook.")
    suffix = path.suffix.lower()
    if suffix == ".zip":
        data, name = _notebook_from_zip(path)
    elif suffix == ".ipynb":
        size = path.stat().st_size
        if size > MAX_SUBMISSION_BYTES:
            raise _too_large(path.name, size)
        data, name = path.read_bytes(), path.name
    elif suffix == ".py":
        raise SubmissionError(
            f"{path.name} is a Python file; the grader needs the notebook itself. Submit the "
            ".ipynb file (or the zip that the notebook's last cell exports), not a .py export.")
    else:
        raise SubmissionError(
            f"{path.name}: unsupported file type {suffix or '(no extension)'!r}. Submit the "
            ".ipynb notebook or the zip that the notebook's last cell exports.")
    return parse_notebook(data, name)


# ----------------------------------------------------------------------------------------------
# grading


def _case_line(case, passed, message):
    earned = case.points if passed else 0
    hidden = " [hidden]" if case.hidden else ""
    line = f"{'PASS' if passed else 'FAIL'} {case.name}{hidden} ({earned:g}/{case.points:g})"
    return f"{line}: {message}" if message else line


def _why_undefined(name, nb, student):
    """A sentence on why a graded function is missing from the student's namespace, or None."""
    if name in student.defined:
        return None
    reports = {r.index: r for r in student.cell_reports()}
    for index, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") == "code" and \
                notebooks.defined_function(notebooks.cell_source(cell)) == name:
            report = reports.get(index)
            if report is not None and report.outcome not in (CellOutcome.OK,
                                                             CellOutcome.NOT_RUN):
                return (f"{name} is not defined because its cell did not run to the end: "
                        f"{tracebacks.describe_cell_report(report, nb)}")
    return f"{name} is not defined: no cell of the notebook that ran defines it"


def run_case(case, student, nb, check_failed, failures=None) -> CaseResult:
    """The outcome of one case, run against the student's process (unpacks as passed, reason);
    ``failures`` (a dict), when given, gets case -> the CheckFailed or StudentFailure that failed
    it (autograder.phases reads a gate case's)."""
    failures = {} if failures is None else failures
    try:
        case.run(student.function(case.function))
        return CaseResult(CaseOutcome.PASSED)
    except check_failed as exc:
        failures[case] = exc
        return CaseResult(CaseOutcome.FAILED, str(exc))
    except StudentError as exc:
        if exc.exc_type == "NameError" and case.function not in student.defined:
            return CaseResult(CaseOutcome.UNDEFINED,
                              _why_undefined(case.function, nb, student) or str(exc))
        return CaseResult(CaseOutcome.RAISED, tracebacks.explain(
            case.function, exc.exc_type, exc.error_message, exc.where, nb))
    except StudentTimeout as exc:
        failures[case] = exc
        return CaseResult(CaseOutcome.TIMEOUT, str(exc))
    except StudentFailure as exc:
        failures[case] = exc
        return CaseResult(CaseOutcome.CRASH, str(exc))
    except Exception:  # noqa: BLE001 - a bug in a check must cost one case, never the batch
        log.exception("internal grader error in case %s.%s", case.function, case.name)
        return CaseResult(CaseOutcome.INTERNAL_ERROR, INTERNAL_ERROR)


def _load_cases(key):
    """(cases, CheckFailed) of notebook ``key``."""
    module = notebooks.checks_module(key)
    check_failed = importlib.import_module("autograder.checks").CheckFailed
    return list(module.CASES), check_failed


def _entries(key, outcomes, config):
    """Gradescope test entries, one per graded function, from [(case, passed, message)]."""
    order = list(notebooks.NOTEBOOKS[key]["functions"])
    order += [c.function for c, _, _ in outcomes if c.function not in order]
    tests = []
    for function in order:
        mine = [(c, p, m) for c, p, m in outcomes if c.function == function]
        if not mine:
            continue
        score = float(sum(c.points for c, p, _ in mine if p))
        max_score = float(sum(c.points for c, _, _ in mine))
        hidden = any(c.hidden for c, _, _ in mine)
        tests.append({
            "name": function,
            "score": score,
            "max_score": max_score,
            "status": "passed" if score == max_score else "failed",
            "output": "\n".join(_case_line(c, p, m) for c, p, m in mine)[:50_000],
            "visibility": config.hidden_visibility if hidden else "visible",
        })
    return tests


def _summary_output(key, tests, outcomes, student, config, written_text="", nb=None):
    """The top-level output, visible at once: public cases, notebook problems, written answers
    (``autograder.written``: what graders read on Gradescope), notebook output."""
    public = [(c, p, m) for c, p, m in outcomes if not c.hidden]
    hidden_later = (any(c.hidden for c, _, _ in outcomes)
                    and config.hidden_visibility != "visible")
    if hidden_later:
        # The total would tell, before grades are published, how many hidden points passed: a
        # channel for probing the hidden cases. Only the public cases' points are shown.
        got = sum(c.points for c, p, _ in public if p)
        of = sum(c.points for c, _, _ in public)
        head = f"Public tests: {got:g} / {of:g} points (hidden tests are not counted here)"
    else:
        score = sum(t["score"] for t in tests)
        max_score = sum(t["max_score"] for t in tests)
        head = f"Autograder score: {score:g} / {max_score:g}"
    lines = [f"Notebook: {key}.ipynb", head, ""]
    if public:
        lines.append("Public tests:")
        lines += [f"  {c.function}: {_case_line(c, p, m)}" for c, p, m in public]
    if hidden_later:
        lines.append("Hidden tests: their results and your total appear when grades are "
                     "published.")
    problems = [r for r in student.cell_reports() if r.problem]
    if problems:
        lines += ["", "Problems while running your notebook:"]
        lines += [f"  {tracebacks.describe_cell_report(r, nb or {})[:500]}"
                  for r in problems[:MAX_PROBLEMS_LISTED]]
        if len(problems) > MAX_PROBLEMS_LISTED:
            lines.append(f"  ... and {len(problems) - MAX_PROBLEMS_LISTED} more cells with "
                         "problems (not listed)")
    if student.budget_exhausted:
        lines.append(f"  The submission used up its total time budget of "
                     f"{config.timeout_total:g} s.")
    if written_text:
        lines += ["", written_text]
    text = student.notebook_output
    if text.strip():
        if len(text) > STDOUT_CAP:
            text = text[:STDOUT_CAP] + f"\n[... {len(text) - STDOUT_CAP} more characters]"
        # Quoted line by line: a notebook printing "Autograder score: 60 / 60" or "All tests
        # passed" must not pass for the grader's own text.
        lines += ["", "Output of your notebook (each line quoted with '| '):"]
        lines += [f"| {line}" for line in text.splitlines()]
    return "\n".join(lines)


def _error_results(message, name, key=None):
    return {
        "score": 0.0,
        "output": message,
        "stdout_visibility": "hidden",
        "tests": [{"name": "submission", "score": 0.0, "max_score": 0.0, "status": "failed",
                   "output": message, "visibility": "visible"}],
        "extra_data": {"submission": name, "notebook": key, "error": message},
    }


def _wrong_file_results(message, name, key):
    """Results for a submission of the wrong file: every question of ``key`` at 0, and why."""
    cases, _ = _load_cases(key)
    tests = []
    for function in notebooks.NOTEBOOKS[key]["functions"]:
        max_score = float(sum(c.points for c in cases if c.function == function))
        tests.append({"name": function, "score": 0.0, "max_score": max_score,
                      "status": "failed", "output": message, "visibility": "visible"})
    return {"score": 0.0, "output": message, "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"submission": name, "notebook": key, "error": message}}


def _grade_notebook(nb, key, name, config, out_dir):
    cases, check_failed = _load_cases(key)
    module_names = notebooks.NOTEBOOKS[key]["references"]

    def oracle(function):
        if function not in module_names:
            raise KeyError(f"{function} has no reference")
        return notebooks.reference_function(key, function)

    def make_student():
        student = StudentProcess(cells_from_notebook(nb), oracle=oracle,
                                 timeout_cell=config.timeout_cell,
                                 timeout_call=config.timeout_call,
                                 timeout_total=config.timeout_total, data_dir=config.data_dir,
                                 hidden_paths=[out_dir, *config.hidden_paths],
                                 sandbox=config.sandbox)
        _ACTIVE[str(out_dir)] = student
        return student

    # Public cases in a child of their own, then hidden ones in a fresh child (autograder.phases).
    try:
        done = phases.run_phases(cases, make_student, lambda case, student, failures: run_case(
            case, student, nb, check_failed, failures))
    finally:
        _ACTIVE.pop(str(out_dir), None)
    outcomes = done.outcomes
    # Here both children's whole process trees are gone (StudentProcess.close).
    tests = _entries(key, outcomes, config)
    return {
        "score": float(sum(t["score"] for t in tests)),
        # What is visible at once comes from the public child only (autograder.phases).
        "output": _summary_output(key, tests, done.measured, done.public, config,
                                  written.gradescope_text(nb, key), nb=nb),
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"submission": name, "notebook": key, "error": None,
                       "skipped_cells": {str(k): v for k, v in done.public.skipped.items()},
                       "restarts": done.restarts},
    }


def _write_results(results, out_dir: Path, force=False):
    if str(out_dir) in _CANCELLED and not force:
        return  # the batch watchdog ended this submission and wrote its results
    bound_results(results)  # never larger than bounds.MAX_RESULTS_BYTES
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / ".results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8")
    os.replace(tmp, out_dir / "results.json")


def grade_submission(path, out_dir, config=None) -> dict:
    """Grade one submission; writes ``out_dir/results.json`` (Gradescope's schema) and returns it.

    Never raises for anything about the submission or the checks: bad inputs and grader bugs
    become a results.json with a message.
    """
    config = config or GradeConfig()
    path, out_dir = Path(path), Path(out_dir)
    started = time.monotonic()
    out_dir.mkdir(parents=True, exist_ok=True)  # exists (and is hidden) before the child starts
    (out_dir / "results.json").unlink(missing_ok=True)  # never leave a stale one behind
    key = None
    try:
        nb = load_submission(path)
        try:
            key = notebooks.identify(nb)
        except notebooks.NotebookError as exc:
            raise SubmissionError(f"{path.name}: {exc}") from exc
        problem = notebooks.submission_problem(nb, key, config.notebook)
        if problem:  # the wrong file: zero in each question of the assignment, saying why
            key = config.notebook or key
            results = _wrong_file_results(f"{path.name}: {problem}", path.name, key)
        else:
            results = _grade_notebook(nb, key, path.name, config, out_dir)
    except SubmissionError as exc:
        results = _error_results(str(exc), path.name, key)
    except GraderError as exc:
        log.error("grading %s failed: %s", path, exc)
        results = _error_results(f"{INTERNAL_ERROR} ({exc})", path.name, key)
    except Exception:  # noqa: BLE001 - one bad submission never stops a batch
        log.exception("internal grader error while grading %s", path)
        results = _error_results(INTERNAL_ERROR, path.name, key)
    results["execution_time"] = round(time.monotonic() - started, 2)
    _write_results(results, out_dir)
    return results


# ----------------------------------------------------------------------------------------------
# the command line


def _row(sub, results):
    extra = results.get("extra_data", {})
    key = extra.get("notebook")
    graded = [t for t in results.get("tests", []) if t["name"] != "submission"]
    max_score = sum(t["max_score"] for t in results.get("tests", []))
    return {
        "submission": sub.label,
        "name": sub.name,
        "email": sub.email,
        "sid": sub.sid,
        "out_name": sub.out_name,
        "notebook": key or "",
        "score": f"{results.get('score', 0.0):g}",
        "max_score": f"{max_score:g}" if key else "",
        "functions": {t["name"]: t["score"] for t in graded},
        "lost": [f"{t['name']} {t['score']:g}/{t['max_score']:g}" for t in graded
                 if t["score"] < t["max_score"]],
        "error": extra.get("error") or "",
    }


CSV_HEAD = ["submission", "name", "email", "sid", "notebook", "score", "max_score"]


def write_grades_csv(path, rows):
    """grades.csv: CSV_HEAD, one column per graded function, error (see CONTRACT.md)."""
    keys = {r["notebook"] for r in rows if r["notebook"]}
    functions = [f for key, entry in notebooks.NOTEBOOKS.items() if key in keys
                 for f in entry["functions"]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*CSV_HEAD, *functions, "error"])
        for r in rows:
            scores = [f"{r['functions'][fn]:g}" if fn in r["functions"] else ""
                      for fn in functions]
            writer.writerow([*(r[c] for c in CSV_HEAD), *scores,
                             " ".join(r["error"].split())])


def _summary_table(rows, width=None):
    """The table printed after a batch: nothing cut; the last column wraps to the terminal."""
    import shutil
    import textwrap

    width = width or shutil.get_terminal_size((120, 24)).columns

    def who(r):
        return f"{r['submission']} ({r['name']})" if r["name"] else r["submission"]

    first = max([len(who(r)) for r in rows] + [len("submission")])
    head = f"{'submission':<{first}}  {'notebook':<22}  {'score':>7}  "
    rest = max(width - len(head), 40)
    lines = [head + "points lost in / error"]
    for r in rows:
        score = f"{r['score']}/{r['max_score']}" if r["max_score"] else r["score"]
        # A TA sees at a glance which questions lost points; results.json says why.
        error = " ".join(r["error"].split()) or ", ".join(r["lost"])
        wrapped = textwrap.wrap(error, rest, break_on_hyphens=False) or [""]
        lines.append(f"{who(r):<{first}}  {r['notebook']:<22}  {score:>7}  {wrapped[0]}")
        lines += [" " * len(head) + more for more in wrapped[1:]]
    return "\n".join(lines)


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m autograder grade",
        description="Grade notebooks exactly as the Gradescope autograder does.")
    parser.add_argument("submissions", nargs="+", metavar="SUBMISSION",
                        help=".ipynb files, otter's exported .zip files, or folders of them "
                             "(a Gradescope \"Export Submissions\" folder is read with its "
                             "submission_metadata.yml)")
    parser.add_argument("--out", required=True, metavar="DIR",
                        help="writes DIR/<submission>/results.json, DIR/grades.csv, "
                             "DIR/written_answers.html and DIR/report.html")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="grade N submissions at a time (default 1)")
    parser.add_argument("--timeout-cell", type=float, metavar="S", help="seconds per cell (60)")
    parser.add_argument("--timeout-call", type=float, metavar="S",
                        help="seconds per call of a graded function (30)")
    parser.add_argument("--timeout-total", type=float, metavar="S",
                        help="seconds for a whole submission (300)")
    parser.add_argument("--hidden-visibility", choices=VISIBILITIES,
                        help="Gradescope visibility of entries with hidden cases "
                             "(default after_published)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="copied to data/ beside the notebook (default: the project's data/)")
    parser.add_argument("--config", metavar="FILE", help="JSON file of the settings above")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def main(argv=None) -> int:
    """``python -m autograder grade``; returns the exit status (0, or 2 for a usage error)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: 2 for a usage error, 0 for --help
        return int(exc.code or 0)
    if args.jobs < 1:
        parser.print_usage(sys.stderr)
        print("error: --jobs must be at least 1", file=sys.stderr)
        return 2
    try:
        config = load_config(args.config, timeout_cell=args.timeout_cell,
                             timeout_call=args.timeout_call, timeout_total=args.timeout_total,
                             hidden_visibility=args.hidden_visibility, data_dir=args.data_dir)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if config.data_dir is not None and not Path(config.data_dir).is_dir():
        print(f"error: data directory {config.data_dir} does not exist", file=sys.stderr)
        return 2
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: cannot create {out}: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        subs = submissions.discover(args.submissions)
    except submissions.UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        secret.load_secret()  # once, before any submission: else each would be an internal error
    except secret.SecretError as exc:
        print(f"error: the hidden-input secret: {exc}", file=sys.stderr)
        return 2
    results = [None] * len(subs)
    config = dataclasses.replace(config, hidden_paths=(*config.hidden_paths,
                                                       *_batch_hidden_paths(subs, out)))
    print(isolation_line(config), file=sys.stderr, flush=True)

    from tqdm import tqdm

    bar = tqdm(total=len(subs), unit="submission", disable=args.no_progress or None,
               file=sys.stderr)
    lock = threading.Lock()

    def finish(i, result):
        with lock:
            results[i] = result
            bar.update(1)

    def one(task):
        i, sub = task
        try:
            if sub.path is None:
                result = _error_results(sub.error, sub.label)
                result["execution_time"] = 0.0
                _write_results(result, out / sub.out_name)
                return result
            return grade_submission(sub.path, out / sub.out_name, config)
        except Exception:  # noqa: BLE001 - e.g. out/<name> not writable: note it, go on
            log.exception("could not grade %s", sub.label)
            return _error_results(INTERNAL_ERROR, sub.label)

    def stop(i):
        _CANCELLED.add(str(out / subs[i].out_name))  # a late finisher must not overwrite
        student = _ACTIVE.get(str(out / subs[i].out_name))
        if student is not None:
            student.kill_from_outside()

    def stopped(i, why):
        log.error("%s: %s", subs[i].label, why)
        result = _error_results(f"{INTERNAL_ERROR} ({why})", subs[i].label)
        result["execution_time"] = round(watchdog, 2)
        try:
            _write_results(result, out / subs[i].out_name, force=True)
        except OSError:
            log.exception("could not write the results of %s", subs[i].label)
        finish(i, result)

    # The watchdog: a submission's whole grading (notebook runs, restarts, every call, the
    # reference's answers) far past its total budget means the grader itself is stuck.
    watchdog = 2 * config.timeout_total + 60
    try:
        batch.run(list(enumerate(subs)), jobs=args.jobs, limit=watchdog, grade_one=one,
                  on_done=lambda i, r: finish(i, r or _error_results(INTERNAL_ERROR,
                                                                     subs[i].label)),
                  on_stopped=stopped, stop=stop)
    finally:
        bar.close()
        for i, sub in enumerate(subs):  # grades.csv is written whatever happened
            if results[i] is None:
                results[i] = _error_results(INTERNAL_ERROR, sub.label)
    rows = [_row(s, r) for s, r in zip(subs, results, strict=True)]
    write_grades_csv(out / "grades.csv", rows)
    _write_pages(out, rows, results, [_notebook_or_none(s) for s in subs])
    print(_summary_table(rows))
    print(f"\nresults: {out}/<submission>/results.json, grades: {out / 'grades.csv'}, "
          f"written answers: {out / 'written_answers.html'}, report: {out / 'report.html'}")
    return 0


def _write_pages(out, rows, results, nbs):
    """written_answers.html and report.html; a failure here is logged, never loses the grades."""
    from autograder import report

    try:
        (out / "written_answers.html").write_text(
            written.page(list(zip(rows, nbs, strict=True))), encoding="utf-8")
    except Exception:  # noqa: BLE001 - grades.csv and every results.json are written already
        log.exception("could not write %s", out / "written_answers.html")
    try:
        report.write(out, rows, results, nbs)
    except Exception:  # noqa: BLE001
        log.exception("could not write %s", out / "report.html")


def _notebook_or_none(sub):
    """The notebook of a submission for the batch's pages (None if it cannot be read)."""
    if sub.path is None:
        return None
    try:
        return load_submission(sub.path)
    except SubmissionError:
        return None


def isolation_line(config) -> str:
    """The one line ``grade`` and ``run_autograder`` print on stderr: the mode, what it protects."""
    which = "none" if config.sandbox is False else isolation_sandbox.mode()
    return f"autograder isolation: {isolation_sandbox.describe_mode(which)}"


def _batch_hidden_paths(subs, out):
    """What a batch's child must not read: every submission, metadata files beside them, out."""
    hidden = {str(out)}
    for sub in subs:
        if sub.path is None:
            continue
        hidden.add(str(sub.path))
        for folder in (sub.path.parent, sub.path.parent.parent):
            for name in ("submission_metadata.yml", "submission_metadata.json"):
                if (folder / name).is_file():
                    hidden.add(str(folder / name))
    return tuple(sorted(hidden))


def find_submission(directory: Path) -> Path:
    """The one file to grade in Gradescope's submission directory; SubmissionError if unclear."""
    if not directory.is_dir():
        raise SubmissionError("no submission was found (the submission directory is missing).")

    def visible_files(d):
        return sorted(p for p in d.iterdir() if p.is_file() and not p.name.startswith("."))

    files = visible_files(directory)
    if not files:  # a student who uploaded a folder: look one level down
        for sub in sorted(p for p in directory.iterdir() if p.is_dir()
                          and not p.name.startswith(".") and p.name != "__MACOSX"):
            files += visible_files(sub)
    notebooks_ = [p for p in files if p.suffix.lower() == ".ipynb"]
    if len(notebooks_) == 1:
        return notebooks_[0]
    if len(notebooks_) > 1:
        raise SubmissionError("the submission contains several notebooks ("
                              + ", ".join(p.name for p in notebooks_[:5])
                              + "); submit exactly one .ipynb (or otter's zip).")
    zips = [p for p in files if p.suffix.lower() == ".zip"]
    if len(zips) == 1:
        return zips[0]
    if len(files) == 1:
        return files[0]  # grade_submission says what is wrong with it
    if not files:
        raise SubmissionError("the submission is empty: upload the .ipynb notebook.")
    raise SubmissionError("no notebook (.ipynb) found in the submission (files: "
                          + ", ".join(p.name for p in files[:5]) + "); upload the .ipynb.")


def gradescope_main() -> int:
    """Gradescope's run_autograder: grade $AUTOGRADER_ROOT/submission into results/results.json."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    root = Path(os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    results_dir = root / "results"
    config_file = root / "source" / "autograder_config.json"
    data_dir = root / "source" / "data"
    try:
        config = load_config(config_file if config_file.is_file() else None,
                             data_dir=str(data_dir) if data_dir.is_dir() else None)
    except ValueError as exc:
        log.error("bad autograder configuration, using defaults: %s", exc)
        config = GradeConfig()
    # Closed to the child while it runs (where no mount hides them): everything of Gradescope's,
    # the earlier submissions' results in submission_metadata.json first.
    config = dataclasses.replace(config, hidden_paths=(
        *config.hidden_paths, str(root / "submission_metadata.json"), str(root)))
    print(isolation_line(config), file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        submission = find_submission(root / "submission")
    except SubmissionError as exc:
        results = _error_results(str(exc), "submission")
        results["execution_time"] = round(time.monotonic() - started, 2)
        _write_results(results, results_dir)
    else:
        results = grade_submission(submission, results_dir, config)
    total = sum(t["max_score"] for t in results["tests"])
    print(f"graded {results['extra_data'].get('submission')}: {results['score']:g}/{total:g}"
          + (f" ({results['extra_data']['error']})" if results["extra_data"].get("error") else ""))
    return 0
