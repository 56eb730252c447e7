"""The catalog through the real grading pipeline: notebooks in, results.json out, one batch.

For each notebook, the solved notebook (made by ``autograder.build.build_notebooks`` from
``assignment/<key>.py``) is copied once per catalog entry, with the entry's function cell replaced
by the entry's definition. All of them, plus the solved and the untouched student notebooks, are
graded in ONE ``python -m autograder grade --jobs 2`` call (``grade.main``), with the sandbox the
machine allows, exactly as a TA would. Then:

- a bug loses points in its own question and in no other (a bug in rnn_cell_forward must not cost
  sample anything: the checks answer inner calls with the reference), and some failure message of
  its question contains the catalog's ``message`` when it has one;
- a correct alternative, and the solved notebook, get full marks on every question;
- the untouched student notebook gets zero on every question.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import grade, notebooks

sys.path.insert(0, str(Path(__file__).parent / "catalog"))
from catalog import load_catalog  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = tuple(notebooks.NOTEBOOKS)


def _missing(key):
    """Why notebook ``key`` cannot be tested yet (its source, checks or catalog), or None."""
    if not (ROOT / "assignment" / f"{key}.py").is_file():
        return f"assignment/{key}.py does not exist yet"
    try:
        importlib.import_module(notebooks.NOTEBOOKS[key]["checks"])
    except ImportError as exc:
        return f"the checks of {key} cannot be imported yet ({exc})"
    if not load_catalog(notebook=key):
        return f"tests/catalog/{key}/ holds no entries yet"
    return None


def _entries(key):
    try:
        return load_catalog(notebook=key)
    except (OSError, ValueError):
        return []


def _params():
    params = []
    for key in KEYS:
        entries = _entries(key)
        if not entries:
            params.append(pytest.param(key, None, id=f"{key}-no-catalog",
                                       marks=pytest.mark.skip(reason=f"no catalog for {key}")))
        params += [pytest.param(key, e, id=f"{key}-{e.name}") for e in entries]
    return params


def _solved_and_student(key):
    """The (solved, student) notebooks of ``key``, as the build makes them."""
    from autograder.build import build_notebooks, included_names

    source = ROOT / "assignment" / f"{key}.py"
    # Included results (the flavors experiment's table) are markdown: nothing to grade there.
    included = {name: [] for name in included_names(source)}
    built = build_notebooks(source, included)
    return built.solved, built.student


def _with_entry(solved, entry):
    nb = nbformat.from_dict(json.loads(json.dumps(solved)))
    cells = [c for c in nb.cells if c.cell_type == "code"
             and notebooks.defined_function(c.source) == entry.function]
    assert len(cells) == 1, f"the solved notebook has no single cell defining {entry.function}"
    cells[0].source = entry.definition
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """{key: {"solved" | "student" | entry name: results.json as a dict}}, one batch for all."""
    tmp = tmp_path_factory.mktemp("catalog-pipeline")
    paths, names = [], []
    for key in KEYS:
        if _missing(key):
            continue
        solved, student = _solved_and_student(key)
        folder = tmp / "submissions" / key
        folder.mkdir(parents=True)
        made = {"solved": solved, "student": student}
        made.update((e.name, _with_entry(solved, e)) for e in load_catalog(notebook=key))
        for name, nb in made.items():
            path = folder / f"{key}--{name}.ipynb"
            nbformat.write(nb, path)
            paths.append(path)
            names.append((key, name))
    out = tmp / "results"
    assert grade.main([*map(str, paths), "--out", str(out), "--jobs", "2", "--no-progress"]) == 0
    results = {}
    for (key, name), path in zip(names, paths, strict=True):
        results.setdefault(key, {})[name] = json.loads(
            (out / path.stem / "results.json").read_text())
    return results


def _questions(results):
    """{question: (score, max_score, output)} of one results.json."""
    return {t["name"]: (t["score"], t["max_score"], t["output"]) for t in results["tests"]}


def _results(graded, key, name):
    missing = _missing(key)
    if missing:
        pytest.skip(missing)
    return graded[key][name]


@pytest.mark.parametrize("key", KEYS)
def test_solved_notebook_gets_full_marks(graded, key):
    questions = _questions(_results(graded, key, "solved"))
    assert sorted(questions) == sorted(notebooks.NOTEBOOKS[key]["functions"])
    for name, (score, max_score, output) in questions.items():
        assert max_score > 0 and score == max_score, f"{name}: {output}"


@pytest.mark.parametrize("key", KEYS)
def test_untouched_student_notebook_gets_zero_everywhere(graded, key):
    questions = _questions(_results(graded, key, "student"))
    assert sorted(questions) == sorted(notebooks.NOTEBOOKS[key]["functions"])
    for name, (score, max_score, output) in questions.items():
        assert max_score > 0 and score == 0, f"{name}: {output}"


@pytest.mark.parametrize(("key", "entry"), _params())
def test_catalog_entry_is_graded_in_its_own_question_only(graded, key, entry):
    questions = _questions(_results(graded, key, entry.name))
    assert sorted(questions) == sorted(notebooks.NOTEBOOKS[key]["functions"])
    for name, (score, max_score, output) in questions.items():
        if entry.kind == "bug" and name == entry.function:
            assert score < max_score, f"{entry.name} ({entry.description}) got full marks"
            if entry.message:
                assert entry.message in output, (
                    f"{entry.name}: no failure message mentions {entry.message!r}:\n{output}")
        else:
            assert score == max_score, (
                f"{entry.name} ({entry.kind}: {entry.description}) lost points in {name}:\n"
                f"{output}")
