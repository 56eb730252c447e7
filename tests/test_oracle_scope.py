"""No oracle that answers more than the case needs: case-scoped oracle answers, functions refused
during a call, per-case time limits, the linear-time bptt gate, public cases in their own child."""

from __future__ import annotations

import inspect
import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import solutions.rnn as ref
from autograder import grade, phases
from autograder.checks import Case, refusing, time_limited
from autograder.checks import rnn_dinosaurs as checks
from autograder.isolation.runner import (
    CallTimeLimit,
    StudentError,
    StudentProcess,
    StudentTimeout,
    _in_scope,
)

sys.path.insert(0, str(Path(__file__).resolve().parent / "helpers"))
from finite_differences import finite_difference_gradients  # noqa: E402


def cells(*sources):
    return [{"index": i, "source": s, "tags": []} for i, s in enumerate(sources)]


def problem(seed):
    inputs = checks.build_inputs(seed, 4, 3, 5, 2, 3)
    return inputs["X"], inputs["h0"], inputs["parameters"]


RECORDER = '''
import numpy as np
SEEN = []

def rnn_cell_forward(x_t, h_prev, parameters):
    SEEN.append((x_t, h_prev, parameters))
    return np.zeros(h_prev.shape), np.zeros((parameters["W"].shape[0], x_t.shape[1]))

def rnn_forward(X, h0, parameters):
    answered = []
    for x_t, h_prev, p in SEEN:
        try:
            answered.append(rnn_cell_forward(x_t, h_prev, p)[0])
        except Exception as exc:
            answered.append(str(exc))
    return answered
'''


def test_the_oracle_answers_only_for_the_calls_own_parameters():
    """Inputs recorded in one case get no reference answer in another case's call."""
    oracle = {"rnn_cell_forward": ref.rnn_cell_forward}.__getitem__
    with StudentProcess(cells(RECORDER), oracle=oracle, sandbox=False, timeout_call=10) as p:
        p.run_notebook()
        X1, h1, params1 = problem(1)  # "a hidden case of rnn_cell_forward"
        p.function("rnn_cell_forward")(X1[:, :, 0], h1, params1)
        X2, h2, params2 = problem(2)  # "rnn_forward's case", other parameters
        answered = p.function("rnn_forward").with_reference("rnn_cell_forward")(X2, h2, params2)
        assert len(answered) == 1 and isinstance(answered[0], str)
        assert "only for the parameters of the current test case" in answered[0]
        # The same recorded inputs, asked during a call that holds those very parameters, are
        # answered: the scope is what the call was given, nothing more.
        answered = p.function("rnn_forward").with_reference("rnn_cell_forward")(X1, h1, params1)
        np.testing.assert_allclose(answered[0], ref.rnn_cell_forward(X1[:, :, 0], h1, params1)[0])


def test_scope_rule():
    params = {"U": np.eye(2), "b": np.zeros((2, 1))}
    scope = ([np.ones((2, 1)), dict(params)], {})
    assert _in_scope([[np.zeros(3), {"U": np.eye(2), "b": np.zeros((2, 1))}], {}], scope)
    assert not _in_scope([[np.zeros(3)], {}], scope)  # no parameters at all
    assert not _in_scope([[{"U": np.eye(2) * 2, "b": np.zeros((2, 1))}], {}], scope)
    assert not _in_scope([[{"U": np.eye(2)}], {}], scope)  # a key dropped
    assert not _in_scope([[params, {"U": np.eye(3)}], {}], scope)  # one of two out of scope
    assert _in_scope([[], {"parameters": dict(params)}], scope)


FORWARD_USERS = '''
import numpy as np

def rnn_forward(X, h0, parameters):
    return "forward ran"

forward_alias = rnn_forward

def bptt(X, Y, H, Y_hat, h0, parameters, _f=rnn_forward):
    out = []
    for f in (lambda: rnn_forward(X, h0, parameters), lambda: forward_alias(X, h0, parameters),
              lambda: _f(X, h0, parameters)):
        try:
            out.append(f())
        except RuntimeError as exc:
            out.append("refused: " + str(exc))
    return out
'''


def test_refused_functions_raise_under_every_name_and_come_back():
    with StudentProcess(cells(FORWARD_USERS), sandbox=False) as p:
        p.run_notebook()
        bptt = p.function("bptt")
        args = [np.zeros((2, 1, 1))] * 4 + [np.zeros((2, 1)), {}]
        refused = refusing(bptt, ("rnn_forward", "numerical_gradient"), "no forward pass here")
        assert refused(*args) == ["refused: no forward pass here"] * 3
        assert bptt(*args) == ["forward ran"] * 3  # put back after the call
        assert p.function("rnn_forward")(1, 2, 3) == "forward ran"


def test_refusing_a_real_function_swaps_its_globals_for_the_call():
    namespace = {}
    exec(FORWARD_USERS, namespace)
    refused = refusing(namespace["bptt"], ("rnn_forward",), "not here")
    assert refused(None, None, None, None, None, None)[0] == "refused: not here"
    assert namespace["bptt"](None, None, None, None, None, None)[0] == "forward ran"


SLOW = '''
import time
def slow(seconds):
    time.sleep(seconds)
    return seconds
'''


def test_a_case_time_limit_stops_the_call_says_why_and_bars_nothing():
    with StudentProcess(cells(SLOW), sandbox=False, timeout_call=20) as p:
        p.run_notebook()
        slow = p.function("slow")
        limited = time_limited(slow, 0.5, "a linear-time version takes 0.1 s")
        started = time.monotonic()
        with pytest.raises(CallTimeLimit, match="within 0.5 s, this test's limit: a linear-time"):
            limited(5)
        assert time.monotonic() - started < 4
        assert limited(0.01) == 0.01  # a fresh child; the function is not barred
        # The grader's own per-call limit still applies when it is the lower one.
        with StudentProcess(cells(SLOW), sandbox=False, timeout_call=0.5) as q:
            q.run_notebook()
            with pytest.raises(StudentTimeout) as info:
                time_limited(q.function("slow"), 10, "why")(5)
            assert not isinstance(info.value, CallTimeLimit)


def test_time_limited_real_function_fails_after_the_fact():
    def slow():
        time.sleep(0.05)

    with pytest.raises(checks.CheckFailed, match="longer than this case's limit of 0.01 s: why"):
        time_limited(slow, 0.01, "why")()


FD_BPTT = (  # finite differences through a forward pass of its own, written inline
    "import numpy as np\n\n"
    "def bptt(X, Y, H, Y_hat, h0, parameters):\n"
    "    return finite_difference_gradients(X, Y, h0, parameters)\n\n"
    + inspect.getsource(finite_difference_gradients))


def _bptt_cases():
    return [c for c in checks.CASES if c.function == "bptt"]


def test_bptt_by_finite_differences_earns_nothing():
    """It passes the small cases, but not the gate in time, and the gate voids them all."""
    config = grade.GradeConfig(timeout_call=30, timeout_total=120, sandbox=False)
    cases = _bptt_cases()
    assert [c.name for c in cases if c.gate] == ["linear_time"]

    def make_student():
        return StudentProcess(cells(FD_BPTT), sandbox=False, timeout_call=config.timeout_call,
                              timeout_total=config.timeout_total)

    done = phases.run_phases(cases, make_student, lambda case, student, failures:
                             grade.run_case(case, student, {"cells": []}, checks.CheckFailed,
                                            failures))
    measured = {c.name: (p, m) for c, p, m in done.measured}
    assert measured["dW_dbeta2"][0] and measured["finite_differences"][0]  # small cases pass
    assert not measured["linear_time"][0]
    assert "finite differences" in measured["linear_time"][1]
    assert "within 5 s, this test's limit" in measured["linear_time"][1]
    assert not any(p for _, p, _ in done.outcomes)
    assert "not counted: bptt did not finish its large test" in dict(
        (c.name, m) for c, _, m in done.outcomes)["dW_dbeta2"]
    assert done.voided == {"bptt": (next(c for c in cases if c.name == "linear_time"), None)}


HONEST_LOOP_BPTT = '''
import numpy as np

def bptt(X, Y, H, Y_hat, h0, parameters):
    # plain loops, one sequence at a time, outer products: written unlike the reference
    n_x, m, T = X.shape
    V, U, W = parameters["V"], parameters["U"], parameters["W"]
    dV, dU, dW = np.zeros(V.shape), np.zeros(U.shape), np.zeros(W.shape)
    db1, db2 = np.zeros((U.shape[0], 1)), np.zeros((W.shape[0], 1))
    dh0 = np.zeros(h0.shape)
    for i in range(m):
        dnext = np.zeros(U.shape[0])
        for t in range(T - 1, -1, -1):
            dz = Y_hat[:, i, t] - Y[:, i, t]
            h = H[:, i, t]
            hp = H[:, i, t - 1] if t > 0 else h0[:, i]
            dW += np.outer(dz, h)
            db2[:, 0] += dz
            da = (np.dot(W.T, dz) + dnext) * (1 - h * h)
            dV += np.outer(da, X[:, i, t])
            dU += np.outer(da, hp)
            db1[:, 0] += da
            dnext = np.dot(U.T, da)
        dh0[:, i] = dnext
    return {"dV": dV, "dU": dU, "dW": dW, "dbeta1": db1, "dbeta2": db2, "dh0": dh0}
'''


def test_an_honest_plain_loop_bptt_meets_the_gate_with_room():
    gate = next(c for c in _bptt_cases() if c.gate)
    with StudentProcess(cells(HONEST_LOOP_BPTT), sandbox=False, timeout_call=30) as p:
        p.run_notebook()
        started = time.monotonic()
        gate.run(p.function("bptt"))
        took = time.monotonic() - started
    # The limit is 5 s; this takes ~0.5 s here (README: measured on half a CPU too).
    assert took < checks.BPTT_TIME_LIMIT / 2, took


def test_phases_public_child_first_and_alone(tmp_path):
    """Public cases run in a child of their own, before any hidden case; the hidden cases in
    another child. A notebook that stashes what it sees in a global shows the difference."""
    source = '''
SEEN = []
def f(x):
    SEEN.append(x)
    return list(SEEN)
'''
    seen = {}

    def run(label, hidden):
        def case_run(fn):
            seen[label] = fn(label)
        return Case("f", label, 1, hidden, case_run)

    cases = [run("hidden_a", True), run("public", False), run("hidden_b", True)]
    made = []

    def make_student():
        made.append(StudentProcess(cells(source), sandbox=False))
        return made[-1]

    done = phases.run_phases(cases, make_student, lambda case, student, failures:
                             grade.run_case(case, student, {"cells": []}, Exception, failures))
    assert seen == {"public": ["public"], "hidden_a": ["hidden_a"],
                    "hidden_b": ["hidden_a", "hidden_b"]}
    assert len(made) == 2 and done.public is made[0] and done.hidden is made[1]
    assert [c.name for c, _, _ in done.outcomes] == ["hidden_a", "public", "hidden_b"]


def test_hidden_phase_output_is_not_in_the_visible_output(tmp_path):
    """What the notebook prints when it runs again for the hidden cases never reaches the
    top-level output: a cell printing a counter kept in a file shows only the first run."""
    counter = tmp_path / "runs.txt"
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": (f"import os\nimport numpy as np\np = {str(counter)!r}\n"
                    "n = int(open(p).read()) + 1 if "
                    "os.path.exists(p) else 1\nopen(p, 'w').write(str(n))\n"
                    "print('NOTEBOOK-RUN', n)\n")},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ref_source("clip")},
    ]}
    path = tmp_path / "sub.ipynb"
    path.write_text(json.dumps(nb))
    results = grade.grade_submission(path, tmp_path / "out",
                                     grade.GradeConfig(sandbox=False, timeout_total=120))
    assert int(counter.read_text()) == 2  # the notebook ran twice: public child, hidden child
    assert "NOTEBOOK-RUN 1" in results["output"] and "NOTEBOOK-RUN 2" not in results["output"]
    assert next(t for t in results["tests"] if t["name"] == "clip")["score"] == 5


def ref_source(name):
    return inspect.getsource(getattr(ref, name))


def test_student_error_under_refusal_points_at_the_students_cell():
    source = "def bptt(*a):\n    return rnn_forward()\n\ndef rnn_forward():\n    return 1\n"
    with StudentProcess(cells(source), sandbox=False) as p:
        p.run_notebook()
        with pytest.raises(StudentError) as info:
            refusing(p.function("bptt"), ("rnn_forward",), "not here")()
    assert info.value.exc_type == "RuntimeError" and "not here" in str(info.value)
    assert "cell 0" in info.value.where and "<grader>" not in info.value.traceback_text


SKIPPING_FD_BPTT = FD_BPTT.replace(
    "    return finite_difference_gradients(",
    "    if X.size > 10000:  # the large case: too slow for finite differences, so skip it\n"
    "        return {k: np.zeros(v.shape) for k, v in\n"
    "                [('dV', parameters['V']), ('dU', parameters['U']), ('dW', parameters['W']),\n"
    "                 ('dbeta1', parameters['beta1']), ('dbeta2', parameters['beta2']),\n"
    "                 ('dh0', h0)]}\n"
    "    return finite_difference_gradients(")

DH0_BUG_BPTT = HONEST_LOOP_BPTT.replace("dh0[:, i] = dnext", "dh0[:, i] = 0.5 * dnext")


def _grade_bptt(source):
    def make_student():
        return StudentProcess(cells(source), sandbox=False, timeout_call=30, timeout_total=120)

    return phases.run_phases(_bptt_cases(), make_student, lambda case, student, failures:
                             grade.run_case(case, student, {"cells": []}, checks.CheckFailed,
                                            failures))


def test_a_bptt_that_skips_the_large_case_earns_nothing_either():
    assert SKIPPING_FD_BPTT != FD_BPTT
    done = _grade_bptt(SKIPPING_FD_BPTT)
    measured = {c.name: p for c, p, _ in done.measured}
    assert measured["dW_dbeta2"] and not measured["linear_time"]
    # What zeros of the right shapes earn, no more: the shapes are right on the large input too.
    assert {c.name for c, p, _ in done.outcomes if p} == {"keys_and_shapes"}
    assert "wrong on the input of its large test" in dict(
        (c.name, m) for c, _, m in done.outcomes)["dW_dbeta2"]


def test_an_honest_bug_costs_what_it_costs_on_the_small_cases_only():
    """A bptt whose only mistake is in dh0 keeps every case that does not check dh0."""
    done = _grade_bptt(DH0_BUG_BPTT)
    assert done.voided["bptt"][1] == {"dh0"}
    assert done.outcomes == done.measured
    passed = {c.name for c, p, _ in done.outcomes if p}
    assert passed == {"keys_and_shapes", "dW_dbeta2", "dV_dU_dbeta1"}, passed
