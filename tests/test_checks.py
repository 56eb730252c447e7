"""The checks of notebook 1 (autograder.checks.rnn_dinosaurs) against the catalog.

Every case runs on real Python functions here (stock mode, no proxy): each catalog entry is executed
like a notebook cell, in a namespace holding np, softmax and the reference's other graded functions.
A bug must lose points in its own function's cases, a correct alternative and the reference must
pass every case, the stub (body ``...``) must score 0 with nothing raised but CheckFailed. The
public test files must agree with the public cases and hold no solution code and no hidden case.
"""

from __future__ import annotations

import inspect
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import (
    CheckFailed,
    expect_array,
    expect_tuple,
    repeat,
    using_reference,
)
from autograder.checks import rnn_dinosaurs as checks
from autograder.checks.public import render_public_tests
from solutions import rnn as ref

sys.path.insert(0, str(Path(__file__).resolve().parent / "catalog"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from catalog import load_catalog  # noqa: E402
from checks_support import (  # noqa: E402
    CaseRunner,
    assert_stub_fails_helpfully,
    failed,
    write_public_tests,
)

POINTS = {"rnn_cell_forward": 10, "rnn_forward": 10, "bptt": 20, "clip": 5, "sample": 15}
BUGS = load_catalog("bug")
CORRECT = load_catalog("correct")


def cell_namespace(function):
    """What a notebook cell defining ``function`` sees: np, softmax, the other graded functions."""
    namespace = {"np": np, "softmax": ref.softmax}
    namespace.update({name: getattr(ref, name) for name in ref.GRADED if name != function})
    return namespace


RUNNER = CaseRunner(checks.CASES, cell_namespace)
cases_of, load_entry, run_all, score = (RUNNER.cases_of, RUNNER.load_entry, RUNNER.run_all,
                                        RUNNER.score)
public_check = RUNNER.public_check


# ------------------------------------------------------------------ structure


def test_cases_structure():
    assert set(POINTS) == set(ref.GRADED)
    RUNNER.assert_structure(POINTS, min_hidden=4)


def test_catalog_size():
    assert len(BUGS) >= 28 and len(CORRECT) >= 5
    assert {entry.function for entry in BUGS} == set(ref.GRADED)
    assert {entry.function for entry in CORRECT} == set(ref.GRADED)


# ------------------------------------------------------------------ the reference, the stub


@pytest.mark.parametrize("function", ref.GRADED)
def test_reference_passes_every_case_quickly(function):
    start = time.perf_counter()
    outcome = run_all(getattr(ref, function), function)
    elapsed = time.perf_counter() - start
    assert failed(outcome) == {}
    assert elapsed < 3.0, f"{function}'s cases took {elapsed:.1f} s"


@pytest.mark.parametrize("function", ref.GRADED)
def test_stub_scores_zero_with_helpful_messages(function):
    assert_stub_fails_helpfully(RUNNER.stub_outcome(function, getattr(ref, function)), function)


@pytest.mark.parametrize("returned, words", [
    ((np.zeros((3, 2)),), "1 values"),
    ([np.zeros((3, 2)), np.zeros((5, 2)), 0], "3 values"),
    ("text", "str"),
    (np.zeros((3, 2)), "array of shape (3, 2)"),
])
def test_wrong_return_types_fail_with_a_message(returned, words):
    def rnn_cell_forward(x_t, h_prev, parameters):
        return returned

    for case in cases_of("rnn_cell_forward"):
        with pytest.raises(CheckFailed, match=re.escape(words)):
            case.run(rnn_cell_forward)


# ------------------------------------------------------------------ the catalog


@pytest.mark.parametrize("entry", BUGS, ids=[e.name for e in BUGS])
def test_bug_loses_points(entry):
    RUNNER.assert_bug_loses_points(entry, POINTS[entry.function])


@pytest.mark.parametrize("entry", CORRECT, ids=[e.name for e in CORRECT])
def test_correct_alternative_passes(entry):
    assert failed(run_all(load_entry(entry), entry.function)) == {}


def test_a_bug_in_rnn_cell_forward_is_not_charged_to_rnn_forward_with_a_proxy():
    # A stand-in for autograder.isolation.runner's proxy: with_reference swaps the reference
    # into the student's namespace, as the real proxy does across the process boundary.
    buggy_cell = load_entry(next(e for e in BUGS if e.name == "cell_missing_beta1"))

    class Proxy:
        def __init__(self, fn, globals_):
            self.fn, self.globals_ = fn, globals_

        def __call__(self, *args, **kwargs):
            return self.fn(*args, **kwargs)

        def with_reference(self, *names):
            namespace = dict(self.globals_)
            namespace.update({name: getattr(ref, name) for name in names})
            exec(inspect.getsource(ref.rnn_forward), namespace)
            return namespace["rnn_forward"]

        def repeat(self, n, *args, **kwargs):
            return [self.fn(*args, **kwargs) for _ in range(n)]

    namespace = cell_namespace("rnn_forward")
    namespace["rnn_cell_forward"] = buggy_cell
    exec(inspect.getsource(ref.rnn_forward), namespace)
    student_forward = namespace["rnn_forward"]
    assert score(run_all(student_forward, "rnn_forward"), "rnn_forward") < POINTS["rnn_forward"]
    proxy = Proxy(student_forward, namespace)
    assert score(run_all(proxy, "rnn_forward"), "rnn_forward") == POINTS["rnn_forward"]
    assert repeat(proxy, 2, np.zeros((3, 1, 1)), np.zeros((5, 1)),
                  checks.build_inputs(0, 3, 5, 4, 1, 1)["parameters"])[1][0].shape == (5, 1, 1)
    assert using_reference(student_forward, "rnn_cell_forward") is student_forward


# ------------------------------------------------------------------ message helpers


def test_expect_array_names_transposes_scales_and_sizes():
    expected = np.arange(1.0, 7.0).reshape(2, 3)
    with pytest.raises(CheckFailed, match="looks transposed"):
        expect_array(expected.T, expected, "dV", "bptt", "m=2", "cause")
    with pytest.raises(CheckFailed, match=r"0\.5 times .*averaged over the batch"):
        expect_array(expected / 2, expected, "dV", "bptt", "m=2", "cause",
                     scale_hints=[(0.5, "averaged over the batch")])
    with pytest.raises(CheckFailed, match=r"differs from the reference by 16.7% .*m=2; cause\."):
        bad = expected.copy()
        bad[1, 2] += 1.0
        expect_array(bad, expected, "dV", "bptt", "m=2", "cause")
    with pytest.raises(CheckFailed, match="keepdims"):
        expect_array(np.ones(3), np.ones((3, 1)), "dbeta1", "bptt", "m=2", "cause")
    with pytest.raises(CheckFailed, match="NaN"):
        expect_array(np.full((2, 3), np.nan), expected, "dV", "bptt", "m=2", "cause")
    # Rounding differences far above float64's are still equal.
    expect_array(expected * (1 + 1e-9), expected, "dV", "bptt", "m=2", "cause")
    with pytest.raises(CheckFailed, match="forget the return"):
        expect_tuple(None, ("H", "Y_hat"), "rnn_forward", "m=2")


# ------------------------------------------------------------------ public test files

PUBLIC = render_public_tests("rnn_dinosaurs")


@pytest.fixture(scope="module")
def public_dir(tmp_path_factory):
    return write_public_tests(tmp_path_factory.mktemp("tests"), PUBLIC)


@pytest.fixture(autouse=True)
def _otter_log_elsewhere(tmp_path, monkeypatch):
    # otter.Notebook.check appends to .OTTER_LOG in the working directory: keep the repo clean.
    monkeypatch.chdir(tmp_path)


def test_public_files_format():
    assert set(PUBLIC) == set(ref.GRADED)
    RUNNER.assert_public_format(PUBLIC)


def test_public_files_hold_no_solution_and_no_hidden_case():
    solution_lines = set()
    for function in ref.GRADED:
        source = inspect.getsource(getattr(ref, function))
        body = source.split('"""')[-1]
        solution_lines.update(line.strip() for line in body.splitlines() if len(line.strip()) > 20)
    hidden = {c.name for c in checks.CASES if c.hidden}
    for text in PUBLIC.values():
        assert "np.tanh" not in text and "rng.choice(" not in text
        assert not re.search(r"^\s*(from|import) (solutions|autograder)", text, re.M)
        assert "PRIVATE" not in text and str(checks._PRIVATE_SEED) not in text
        assert not [line for line in solution_lines if line in text]
        assert not [name for name in hidden if re.search(rf"\b{name}\b", text) and "_" in name]


def test_public_files_pass_the_reference(public_dir):
    for function in ref.GRADED:
        result = public_check(public_dir, function, getattr(ref, function))
        assert result.passed_all, repr(result)


def test_public_files_report_a_missing_function(public_dir):
    result = public_check(public_dir, "bptt", None)
    assert not result.passed_all and "bptt is not defined" in repr(result)


@pytest.mark.parametrize("entry", BUGS + CORRECT, ids=[e.name for e in BUGS + CORRECT])
def test_public_file_agrees_with_public_cases(public_dir, entry):
    RUNNER.assert_public_file_agrees(public_dir, entry)


def test_public_files_are_reproducible():
    assert render_public_tests("rnn_dinosaurs") == PUBLIC


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sample_test_passes_the_reference_whatever_the_draws(seed):
    # The verdict of a correct sample must not hinge on the particular seed of the draws.
    inputs = dict(checks._SAMPLE, seed=seed)
    checks.check_first_step(ref.sample, inputs, checks._first_step_expected(inputs))


def test_a_right_clip_of_nonnegative_gradients_is_not_taken_for_a_one_sided_clip():
    """Where no value is negative, clipping into [0, max_value] and the right clip agree: only a
    wrong answer may be diagnosed as one-sided (hidden inputs vary with the secret, so such an
    array turns up, and the reference itself failed before)."""
    import numpy as np

    from autograder.checks import CheckFailed
    from autograder.checks.rnn_dinosaurs import check_clip
    from solutions.rnn import clip as reference_clip

    gradients = {"dV": np.array([[0.2, 3.0], [1.0, 0.0]]), "dbeta2": np.array([[0.7], [0.1]])}
    expected = reference_clip(gradients, 0.5)
    properties = ("values", "keys")
    check_clip(reference_clip, gradients, 0.5, expected, properties, "n_x=2")

    def one_sided(grads, max_value):
        return {k: np.clip(v, 0.0, max_value) for k, v in grads.items()}

    mixed = {"dV": np.array([[-0.2, 3.0], [-1.0, 0.0]])}
    with pytest.raises(CheckFailed, match=r"\[0, max_value\]"):
        check_clip(one_sided, mixed, 0.5, reference_clip(mixed, 0.5), properties, "n_x=2")


def test_bptt_diagnosis_of_the_largest_case_fits_the_graders_memory():
    """What the known bptt mistakes compute on linear_time's sizes (T=128, n_h=96) is a few arrays
    per parameter: it once split the gradient into a T x T table (1.2 GB for dU), which a wrong
    bptt made the grader allocate inside Gradescope's 768 MB container."""
    import tracemalloc

    rng = np.random.default_rng(0)
    n_x, n_h, m, T = 27, 96, 16, 128
    X = np.eye(n_x)[:, rng.integers(0, n_x, (m, T))]
    Y = np.eye(n_x)[:, rng.integers(0, n_x, (m, T))]
    parameters = {"V": 0.1 * rng.normal(size=(n_h, n_x)), "U": 0.1 * rng.normal(size=(n_h, n_h)),
                  "W": 0.1 * rng.normal(size=(n_x, n_h)), "beta1": np.zeros((n_h, 1)),
                  "beta2": np.zeros((n_x, 1))}
    h0 = np.zeros((n_h, m))
    H, Y_hat = ref.rnn_forward(X, h0, parameters)
    tracemalloc.start()
    try:
        alternatives = checks._bptt_alternatives(X, Y, H, Y_hat, h0, parameters)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # T - 1 truncations of 4 keys and 2 single steps: the diagnosis is all there...
    assert sum("truncated after" in cause for _, cause in alternatives["dU"]) == T - 2
    # ...and its peak is about the kept values (T-1 truncated dU of 74 kB each, ~40 MB in all).
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MiB"
