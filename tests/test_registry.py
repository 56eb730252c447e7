"""The notebook registry: every list of graded names derives from the reference modules' GRADED.

``autograder.notebooks.REFERENCE_MODULES`` names the reference modules of each notebook; their
``GRADED`` tuples are the only place the graded names are written. The registry, the checks, the
build (the notebook source's ``# solution:`` cells), the public tests, the catalog and the README
must all agree with them.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
import sys
from pathlib import Path

import pytest

from autograder import build, notebooks
from autograder.checks.public import render_public_tests

sys.path.insert(0, str(Path(__file__).resolve().parent / "catalog"))
from catalog import load_catalog  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = tuple(notebooks.NOTEBOOKS)


def _graded(key):
    return tuple(name for module in notebooks.REFERENCE_MODULES[key]
                 for name in importlib.import_module(module).GRADED)


@pytest.mark.parametrize("key", KEYS)
def test_registry_is_the_reference_modules_graded_tuples(key):
    entry = notebooks.NOTEBOOKS[key]
    assert entry["functions"] == _graded(key)
    for name in entry["functions"]:
        module = importlib.import_module(entry["references"][name])
        assert callable(getattr(module, name))
        assert notebooks.reference_function(key, name) is getattr(module, name)


@pytest.mark.parametrize("key", KEYS)
def test_checks_grade_exactly_the_registry(key):
    module = notebooks.checks_module(key)
    assert tuple(module.GRADED) == notebooks.NOTEBOOKS[key]["functions"]
    assert {case.function for case in module.CASES} == set(module.GRADED)
    assert set(module.POINTS) == set(module.GRADED)
    assert {public.case.function for public in module.PUBLIC} == set(module.GRADED)


@pytest.mark.parametrize("key", KEYS)
def test_public_tests_are_one_file_per_graded_function(key):
    assert set(render_public_tests(key)) == set(notebooks.NOTEBOOKS[key]["functions"])


@pytest.mark.parametrize("key", KEYS)
def test_notebook_source_defines_the_registry_functions_in_order(key):
    built = build.build_notebooks(ROOT / "assignment" / f"{key}.py",
                                  {name: [] for name in build.included_names(
                                      ROOT / "assignment" / f"{key}.py")})
    assert tuple(built.graded) == notebooks.NOTEBOOKS[key]["functions"]
    build.check_registry(built)  # does not raise


def test_build_refuses_a_notebook_source_the_registry_does_not_grade():
    built = build.build_notebooks(ROOT / "assignment" / "rnn_dinosaurs.py", {
        name: [] for name in build.included_names(ROOT / "assignment" / "rnn_dinosaurs.py")})
    with pytest.raises(build.BuildError, match="registry grades"):
        build.check_registry(dataclasses.replace(built, graded=built.graded[:-1]))
    with pytest.raises(build.BuildError, match="no notebook of autograder.notebooks"):
        build.check_registry(dataclasses.replace(built, key="other"))


@pytest.mark.parametrize("key", KEYS)
def test_catalog_covers_every_graded_function(key):
    for kind in ("bug", "correct"):
        assert {e.function for e in load_catalog(kind, notebook=key)} == \
            set(notebooks.NOTEBOOKS[key]["functions"])


def test_readme_lists_each_notebooks_graded_functions():
    readme = (ROOT / "README.md").read_text()
    for key, entry in notebooks.NOTEBOOKS.items():
        line = re.search(rf"^- `{key}\.ipynb`:(.*?)(?=^- |^$)", readme, re.M | re.S)
        assert line, f"README has no '- `{key}.ipynb`: ...' item"
        named = re.findall(r"`(\w+)`", line.group(1))
        assert [n for n in named if n in entry["functions"] or n.endswith("_forward")
                or n in ("bptt", "clip", "sample")] == list(entry["functions"])
