"""The checks of notebook 2 (autograder.checks.rnn_bidirectional_deep) against its catalog.

Every case runs on real Python functions here (stock mode, no proxy): each catalog entry is executed
like a notebook cell, in a namespace holding np, rnn_step and the reference's other graded function.
A bug must lose points in its own function's cases and in no other; a correct alternative and the
reference must pass every case; the stub (body ``...``) must score 0 with nothing raised but
CheckFailed. The public test files must agree with the public cases, pass the reference and hold no
solution code and no hidden case.
"""

from __future__ import annotations

import inspect
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks import rnn_bidirectional_deep as checks
from autograder.checks.public import render_public_tests
from solutions import bidirectional, deep
from solutions.layers import rnn_step

sys.path.insert(0, str(Path(__file__).resolve().parent / "catalog"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from catalog import load_catalog  # noqa: E402
from checks_support import (  # noqa: E402
    CaseRunner,
    assert_stub_fails_helpfully,
    failed,
    write_public_tests,
)

NOTEBOOK = "rnn_bidirectional_deep"
REFERENCE = {"birnn_forward": bidirectional.birnn_forward,
             "deep_rnn_forward": deep.deep_rnn_forward}
POINTS = {"birnn_forward": 10, "deep_rnn_forward": 10}
BUGS = load_catalog("bug", notebook=NOTEBOOK)
CORRECT = load_catalog("correct", notebook=NOTEBOOK)


def cell_namespace(function):
    """What a notebook cell defining ``function`` sees: np, rnn_step, the other graded function."""
    namespace = {"np": np, "rnn_step": rnn_step}
    namespace.update({name: fn for name, fn in REFERENCE.items() if name != function})
    return namespace


RUNNER = CaseRunner(checks.CASES, cell_namespace)
cases_of, load_entry, run_all, score = (RUNNER.cases_of, RUNNER.load_entry, RUNNER.run_all,
                                        RUNNER.score)
public_check = RUNNER.public_check


# ------------------------------------------------------------------ structure


def test_cases_structure():
    assert set(POINTS) == set(REFERENCE) == set(checks.GRADED) and POINTS == checks.POINTS
    RUNNER.assert_structure(POINTS, min_hidden=6)


def test_catalog_size():
    assert len(BUGS) >= 12 and len(CORRECT) >= 3
    assert {entry.function for entry in BUGS} == set(REFERENCE)
    assert {entry.function for entry in CORRECT} == set(REFERENCE)


# ------------------------------------------------------------------ the reference, the stub


@pytest.mark.parametrize("function", sorted(REFERENCE))
def test_reference_passes_every_case_quickly(function):
    start = time.perf_counter()
    outcome = run_all(REFERENCE[function], function)
    elapsed = time.perf_counter() - start
    assert failed(outcome) == {}
    assert elapsed < 2.0, f"{function}'s cases took {elapsed:.1f} s"


@pytest.mark.parametrize("function", sorted(REFERENCE))
def test_stub_scores_zero_with_helpful_messages(function):
    assert_stub_fails_helpfully(RUNNER.stub_outcome(function, REFERENCE[function]), function)


def test_inputs_differ_where_bugs_hide():
    # Directions and layers must differ, or sharing one h0 or one set of weights passes.
    bi = checks.build_bi_inputs(1, 4, 3, 2, 3)
    assert not np.allclose(bi["h0_f"], bi["h0_b"])
    assert not np.allclose(bi["params_f"]["U"], bi["params_b"]["U"])
    stack = checks.build_deep_inputs(1, 4, (3, 5), 2, 3)
    assert [layer["V"].shape for layer in stack["layers"]] == [(3, 4), (5, 3)]
    assert [h0.shape for h0 in stack["h0s"]] == [(3, 2), (5, 2)]


# ------------------------------------------------------------------ the catalog


@pytest.mark.parametrize("entry", BUGS, ids=[e.name for e in BUGS])
def test_bug_loses_points_in_its_own_function_only(entry):
    RUNNER.assert_bug_loses_points(entry, POINTS[entry.function])
    # The other graded function, the reference's, still passes every one of its cases.
    for other, fn in REFERENCE.items():
        if other != entry.function:
            assert score(run_all(fn, other), other) == POINTS[other]


@pytest.mark.parametrize("entry", CORRECT, ids=[e.name for e in CORRECT])
def test_correct_alternative_passes(entry):
    assert failed(run_all(load_entry(entry), entry.function)) == {}


@pytest.mark.parametrize("name, words", [
    ("bi_backward_left_reversed", "H[n_h:, :, t] matches the reference at T-1-t"),
    ("bi_halves_swapped", "halves are swapped"),
    ("bi_shared_params", "uses params_f"),
    ("deep_every_layer_reads_X", "reads the inputs X"),
    ("deep_h0_of_layer0_everywhere", "starts from h0s[0]"),
])
def test_messages_name_the_mistake_and_the_inputs(name, words):
    entry = next(e for e in BUGS if e.name == name)
    messages = [str(e) for e in run_all(load_entry(entry), entry.function).values()
                if isinstance(e, CheckFailed)]
    assert any(words in m for m in messages), messages
    assert all("on inputs n_x=" in m and "% (max abs error" in m for m in messages
               if "differs from the reference" in m)


# ------------------------------------------------------------------ public test files

PUBLIC = render_public_tests(NOTEBOOK)


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory):
    return write_public_tests(tmp_path_factory.mktemp("tests"), PUBLIC)


def test_public_files_format():
    assert set(PUBLIC) == set(REFERENCE)
    RUNNER.assert_public_format(PUBLIC)


def test_public_files_hold_no_solution_and_no_hidden_case():
    solution_lines = set()
    for fn in (*REFERENCE.values(), rnn_step):
        body = inspect.getsource(fn).split('"""')[-1]
        solution_lines.update(line.strip() for line in body.splitlines() if len(line.strip()) > 20)
    hidden = {c.name for c in checks.CASES if c.hidden}
    for text in PUBLIC.values():
        # rnn_step appears in messages only, never called: the files compute nothing themselves.
        assert "np.tanh" not in text and not re.search(r"^[^\"'#]*\brnn_step\(", text, re.M)
        assert not re.search(r"^\s*(from|import) (solutions|autograder)", text, re.M)
        assert "PRIVATE" not in text and str(checks._PRIVATE_SEED) not in text
        assert not [line for line in solution_lines if line in text]
        assert not [name for name in hidden if re.search(rf"\b{name}\b", text)]
        compile(text, "public", "exec")


def test_public_files_pass_the_reference(public_dir):
    for function, fn in REFERENCE.items():
        result = public_check(public_dir, function, fn)
        assert result.passed_all, repr(result)


@pytest.mark.parametrize("entry", BUGS + CORRECT, ids=[e.name for e in BUGS + CORRECT])
def test_public_file_agrees_with_public_cases(public_dir, entry):
    RUNNER.assert_public_file_agrees(public_dir, entry)


def test_public_files_are_reproducible():
    assert render_public_tests(NOTEBOOK) == PUBLIC
