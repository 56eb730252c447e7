"""The checks: hidden and public test cases of each graded function, one module per notebook.

``autograder.checks.<notebook key>.CASES`` is a list of :class:`Case`, made with a
:class:`CaseList` (``PUBLIC``: the public cases, as :class:`PublicCase`), and ``GRADED`` the
notebook's graded functions as ``autograder.notebooks`` lists them. ``case.run(fn)`` calls the
function under test and raises :class:`CheckFailed` with a message written for the student (which
function, which property, on which input shapes, how far off, the likely cause); returning normally
is a pass. ``fn`` is the student's real function (stock otter, in the student's kernel) or a proxy
from ``autograder.isolation.runner`` (our grader); :func:`using_reference` and :func:`repeat`
make the two read the same.

The comparison helpers below (``CheckFailed``, ``describe``, ``expect_*``, ``chi_square``, ...) use
nothing but NumPy, because ``autograder.checks.public`` copies their source into the students'
public test files, where neither ``autograder`` nor ``solutions`` exists.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


class CheckFailed(AssertionError):
    """A property of a graded function does not hold; the message is meant for the student."""


@dataclass(frozen=True)
class Case:
    """One test case of one graded function.

    function -- the graded function's name, e.g. "rnn_forward" (the question's name)
    name -- the case's name, a Python identifier, unique within the function
    points -- what passing it is worth
    hidden -- False for the cases students also get in their public test file
    run -- run(fn) calls fn (the function under test) and raises CheckFailed on failure
    gate -- run wraps fn with :func:`time_limited`; when the function runs past that limit, none
            of the function's cases count (e.g. bptt by finite differences is quick on small
            inputs and passes them, but cannot meet a large case's limit); when it raises
            GateFailed instead, the function's passed cases that cover one of the properties it
            got wrong do not count (a bptt that skips the large case gains nothing either)
    covers -- the properties the case checks (e.g. bptt's gradient keys), for a gate
    """

    function: str
    name: str
    points: float
    hidden: bool
    run: Callable[[Any], None]
    gate: bool = False
    covers: tuple = ()


@dataclass(frozen=True)
class PublicCase:
    """How ``autograder.checks.public`` renders one public case into a student's test file.

    The test runs ``check(fn, build(**build_kwargs), <expected frozen as literals>, properties)``;
    ``case.run`` runs the same call with ``expected()`` computed from the reference, so the two
    agree by construction. ``helpers`` are further functions whose source the file must carry.
    """

    case: Case
    check: Callable
    build: Callable
    build_kwargs: dict
    expected: Callable[[], dict]
    properties: tuple
    helpers: tuple = field(default=())


class CaseList:
    """The cases of one notebook's checks module, in the order they are added.

    A module keeps ``CASES = cases.all`` and ``PUBLIC = cases.public`` and adds its cases with
    ``cases.add(...)`` (hidden) and ``cases.add_public(...)`` (public, rendered into the students'
    test file, run by the grader with the same call).
    """

    def __init__(self):
        self.all: list[Case] = []
        self.public: list[PublicCase] = []

    def add(self, function, name, points, run, hidden=True, gate=False, covers=()):
        """A case: run(fn) raises CheckFailed on failure (gate, covers: see Case)."""
        self.all.append(Case(function=function, name=name, points=points, hidden=hidden, run=run,
                             gate=gate, covers=tuple(covers)))

    def add_public(self, function, name, points, check, build, build_kwargs, expected, properties,
                   helpers=(), covers=()):
        """A public case: ``check(fn, build(**build_kwargs), expected(), properties)``."""

        def run(fn):
            check(fn, build(**build_kwargs), expected(), properties)

        case = Case(function=function, name=name, points=points, hidden=False, run=run,
                    covers=tuple(covers))
        self.all.append(case)
        self.public.append(PublicCase(case, check, build, dict(build_kwargs), expected,
                                      tuple(properties), tuple(helpers)))

    def points(self, functions):
        """{function: the sum of its cases' points} for the graded functions given."""
        return {f: sum(c.points for c in self.all if c.function == f) for f in functions}


def using_reference(fn, *names):
    """``fn`` with the other graded functions ``names`` answered by the reference.

    With a proxy from ``autograder.isolation.runner`` (``fn.with_reference(*names)``), calls
    that the student's code makes to ``names`` are answered by the reference, so a bug in
    ``rnn_cell_forward`` is not charged again to ``rnn_forward``. A real function (stock otter) is
    returned unchanged: it calls whatever its notebook defines.
    """
    with_reference = getattr(fn, "with_reference", None)
    if callable(with_reference) and not isinstance(fn, type(using_reference)):
        return with_reference(*names)
    return fn


class GateFailed(CheckFailed):
    """A gate case (Case.gate) found the properties ``wrong`` wrong on its large input."""

    def __init__(self, message, wrong):
        super().__init__(message)
        self.wrong = tuple(wrong)


class TimeLimitExceeded(CheckFailed):
    """A real function (stock otter) ran past the limit of :func:`time_limited`."""


def time_limited(fn, seconds, why):
    """``fn`` allowed at most ``seconds`` per call; ``why`` says why to a student who exceeds it.

    A proxy (``fn.with_time_limit``) is stopped at the limit, and the grader raises its timeout
    with ``why`` in the message. A real function (stock otter, in the student's kernel) cannot be
    stopped: the call is timed, and one that took longer raises TimeLimitExceeded afterwards.
    """
    with_time_limit = getattr(fn, "with_time_limit", None)
    if callable(with_time_limit) and not isinstance(fn, type(time_limited)):
        return with_time_limit(seconds, why)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        took = time.perf_counter() - started
        if took > seconds:
            name = getattr(fn, "__name__", "the function")
            raise TimeLimitExceeded(f"{name} took {took:.1f} s, longer than this case's limit of "
                                    f"{seconds:g} s: {why}")
        return result

    return timed


def refusing(fn, names, message):
    """``fn``, during whose calls the notebook's functions ``names`` raise RuntimeError(message).

    With a proxy (``fn.refusing``) the child swaps them out for the call. With a real function
    (the student's kernel) the names in its module's globals are swapped for the call and put
    back afterwards. A name the notebook does not define is left alone.
    """
    proxy_refusing = getattr(fn, "refusing", None)
    if callable(proxy_refusing) and not isinstance(fn, type(refusing)):
        return proxy_refusing(tuple(names), message)
    namespace = getattr(fn, "__globals__", None)
    if not isinstance(namespace, dict):
        return fn

    def refused(*args, **kwargs):
        raise RuntimeError(message)

    def call(*args, **kwargs):
        saved = {name: namespace[name] for name in names if name in namespace}
        namespace.update({name: refused for name in saved})
        try:
            return fn(*args, **kwargs)
        finally:
            namespace.update(saved)

    return call


def repeat(fn, n, *args, **kwargs):
    """``[fn(*args, **kwargs) for _ in range(n)]``, in one round trip when ``fn`` is a proxy.

    The same argument objects are passed every time, so a ``numpy.random.Generator`` argument
    advances from one call to the next.
    """
    proxy_repeat = getattr(fn, "repeat", None)
    if callable(proxy_repeat) and not isinstance(fn, type(repeat)):
        return list(proxy_repeat(n, *args, **kwargs))
    return [fn(*args, **kwargs) for _ in range(n)]


# ------------------------------------------------------------------ comparison helpers
# Everything from here on is copied verbatim into the public test files: NumPy only.


def copy_parameters(parameters):
    """A deep copy of a dict of arrays, so that a function that writes into its inputs cannot
    change what the next call or the comparison sees."""
    return {key: np.array(value, copy=True) for key, value in parameters.items()}


def require_function(fn, name):
    """CheckFailed when the notebook does not define fn (otter passes None)."""
    if fn is None or not callable(fn):
        raise CheckFailed(f"{name} is not defined: run the cell that defines it, then check again.")


def likely_cause(got, alternatives, default):
    """The cause of the first alternative that got equals (up to rounding), else default.

    The diagnosis by probing: what each known mistake computes on the case's inputs is
    precomputed (from the reference, as values), and the student's value is compared with each.

    alternatives -- list of (value, cause): what a common mistake computes, and what to say
    """
    got = np.asarray(got, dtype=float)
    for value, cause in alternatives:
        value = np.asarray(value, dtype=float)
        if got.shape == value.shape and np.allclose(got, value, rtol=1e-6, atol=1e-9):
            return cause
    return default


def describe(**sizes):
    """The inputs of a case as a student reads them, e.g. "n_x=3, n_h=5, n_y=4, m=2, T=3"."""
    return ", ".join(f"{key}={value}" for key, value in sizes.items())


def type_name(value):
    """A short name of value's type for messages: "None", "list", "tuple of 3", "ndarray (5, 2)"."""
    if value is None:
        return "None"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"


def expect_tuple(result, names, function, inputs):
    """result as a tuple of len(names) values, or CheckFailed saying what came back instead.

    names -- what the values are, e.g. ("h_next", "yhat_t")
    inputs -- describe(...) of the inputs, for the message
    """
    wanted = f"a tuple ({', '.join(names)})"
    if result is None:
        raise CheckFailed(
            f"{function} returned None on inputs {inputs}; it should return {wanted}. "
            "Did you forget the return statement?"
        )
    if not isinstance(result, (tuple, list)) or isinstance(result, np.ndarray):
        raise CheckFailed(
            f"{function} returned {type_name(result)} on inputs {inputs}; "
            f"it should return {wanted}."
        )
    if len(result) != len(names):
        raise CheckFailed(
            f"{function} returned {len(result)} values on inputs {inputs}; "
            f"it should return {wanted}, {len(names)} values."
        )
    return tuple(result)


def expect_dict(result, keys, function, inputs, what="the result"):
    """result as a dict holding every key of keys, or CheckFailed naming what is missing."""
    if not isinstance(result, dict):
        hint = " Did you forget the return statement?" if result is None else ""
        raise CheckFailed(
            f"{function} returned {type_name(result)} on inputs {inputs}; {what} should be a dict "
            f"with the keys {', '.join(repr(k) for k in keys)}.{hint}"
        )
    missing = [k for k in keys if k not in result]
    if missing:
        raise CheckFailed(
            f"{function}: {what} is missing the key(s) {', '.join(repr(k) for k in missing)} "
            f"on inputs {inputs}; it has {', '.join(repr(k) for k in result) or 'no keys'}."
        )
    return result


def expect_shape(got, shape, what, function, inputs, hint=""):
    """got as a numeric ndarray of the given shape, or CheckFailed saying how it differs."""
    shape = tuple(shape)
    if got is None:
        raise CheckFailed(f"{function}: {what} is None on inputs {inputs}; expected an array.")
    if isinstance(got, (list, tuple)):
        raise CheckFailed(
            f"{function}: {what} is {type_name(got)} on inputs {inputs}; expected a NumPy array "
            f"of shape {shape} (build it with NumPy operations or np.array(...))."
        )
    if not isinstance(got, np.ndarray):
        raise CheckFailed(
            f"{function}: {what} is {type_name(got)} on inputs {inputs}; "
            f"expected a NumPy array of shape {shape}."
        )
    if got.dtype == bool or not np.issubdtype(got.dtype, np.number) or np.iscomplexobj(got):
        raise CheckFailed(
            f"{function}: {what} has dtype {got.dtype} on inputs {inputs}; expected float64."
        )
    if got.shape != shape:
        if len(shape) >= 2 and got.shape == shape[::-1]:
            why = "it looks transposed; check the order of the factors in each matrix product"
        elif got.ndim == len(shape) - 1 and got.shape == tuple(s for s in shape if s != 1):
            why = "a dimension of size 1 went missing; keep the column shape (keepdims=True)"
        elif got.size == int(np.prod(shape)):
            why = "it has the right number of elements in the wrong layout"
        else:
            why = "check which axes you sum over and the order of the factors in matrix products"
        extra = f" {hint}" if hint else ""
        raise CheckFailed(
            f"{function}: {what} has shape {got.shape} on inputs {inputs}, expected {shape}; "
            f"{why}.{extra}"
        )
    if not np.all(np.isfinite(got)):
        raise CheckFailed(
            f"{function}: {what} contains NaN or inf on inputs {inputs}; look for an overflow "
            "in np.exp or a division by zero."
        )
    return got


def expect_array(got, expected, what, function, inputs, likely_cause, rtol=1e-6, atol=1e-12,
                 scale_hints=()):
    """CheckFailed unless got is an array of expected's shape with values equal up to rounding.

    Passes when every |got - expected| <= atol + rtol * max|expected|, a tolerance far above the
    rounding differences between NumPy/BLAS versions or the order of summation (~1e-15), far below
    any real mistake.

    got -- the student's value
    expected -- the reference value, an ndarray
    what -- its name in the message, e.g. "dU" or "H[:, :, 0]"
    inputs -- describe(...) of the inputs
    likely_cause -- the advice appended when the values differ, e.g. "check the tanh derivative"
    scale_hints -- pairs (factor, cause): when got is factor * expected, cause replaces the advice
    """
    expected = np.asarray(expected, dtype=float)
    got = expect_shape(got, expected.shape, what, function, inputs)
    got = got.astype(float)
    error = np.abs(got - expected)
    size = float(np.max(np.abs(expected), initial=0.0))
    if np.all(error <= atol + rtol * size):
        return
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    relative = float(error[worst]) / size if size > 0 else float("inf")
    cause = likely_cause
    dot = float(np.sum(expected * expected))
    factor = float(np.sum(got * expected)) / dot if dot > 0 else 0.0
    residual = np.abs(got - factor * expected)
    if np.all(np.abs(got) <= atol + rtol * size):
        cause = f"it is zero everywhere; {likely_cause}"
    elif abs(factor - 1.0) > 1e-4 and np.all(residual <= atol + 1e-6 * size * abs(factor)):
        cause = f"it is {factor:.4g} times the reference value"
        for hint_factor, hint_cause in scale_hints:
            if abs(factor - hint_factor) <= 1e-6 * abs(hint_factor):
                cause = f"{cause}: {hint_cause}"
                break
    elif expected.ndim == 2 and expected.shape[0] == expected.shape[1] and np.all(
        np.abs(got - expected.T) <= atol + rtol * size
    ):
        cause = "it equals the transpose of the reference value; swap the factors of the product"
    raise CheckFailed(
        f"{function}: {what} differs from the reference by {100 * relative:.3g}% (max abs error "
        f"{float(error[worst]):.2g} at index {tuple(int(i) for i in worst)}) on inputs {inputs}; "
        f"{cause}."
    )


def values_match(got, expected, rtol=1e-6, atol=1e-12):
    """True unless got is an array of expected's shape whose values differ (expect_array's rule).

    A value of another shape or type counts as matching: expect_array's own message says what is
    wrong with it, so no diagnosis of the values is needed.
    """
    expected = np.asarray(expected, dtype=float)
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype == bool \
            or not np.issubdtype(got.dtype, np.number) or np.iscomplexobj(got):
        return True
    size = float(np.max(np.abs(expected), initial=0.0))
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.abs(got.astype(float) - expected) <= atol + rtol * size))


def expect_index_list(result, n, function, inputs, strict=False):
    """result as a list of ints in [0, n), or CheckFailed; strict also requires a Python list.

    Integers are Python ints or NumPy integer scalars (the proxy returns either as an int).
    """
    if result is None:
        raise CheckFailed(
            f"{function} returned None on inputs {inputs}; it should return a list of indices. "
            "Did you forget the return statement?"
        )
    if strict and not isinstance(result, list):
        raise CheckFailed(
            f"{function} returned {type_name(result)} on inputs {inputs}; it should return a "
            "list of ints (start from indices = [] and append each index)."
        )
    if isinstance(result, np.ndarray):
        result = result.tolist() if result.ndim == 1 else [result]
    if not isinstance(result, (list, tuple)) or len(result) == 0:
        raise CheckFailed(
            f"{function} returned {type_name(result)} on inputs {inputs}; it should return a "
            "non-empty list of ints ending with the index of '\\n'."
        )
    for value in result:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise CheckFailed(
                f"{function} returned a list holding {type_name(value)} ({value!r}) on inputs "
                f"{inputs}; every element should be an int index (convert with int(...))."
            )
        if not 0 <= value < n:
            raise CheckFailed(
                f"{function} returned the index {value} on inputs {inputs}; indices must lie in "
                f"[0, {n})."
            )
    return [int(v) for v in result]


def chi_square(counts, probabilities, min_expected=5.0):
    """Pearson's statistic of observed counts against probabilities, and its degrees of freedom.

    Cells whose expected count is below min_expected are pooled into one, so that the chi-square
    approximation holds.

    counts -- array (k,) of observed counts
    probabilities -- array (k,) summing to 1

    Returns:
    (statistic, degrees of freedom) -- floats; df is 0 when all mass is in one cell
    """
    counts = np.asarray(counts, dtype=float)
    expected = np.sum(counts) * np.asarray(probabilities, dtype=float)
    small = expected < min_expected
    obs = list(counts[~small])
    exp = list(expected[~small])
    if np.any(small):
        obs.append(float(np.sum(counts[small])))
        exp.append(float(np.sum(expected[small])))
    obs, exp = np.array(obs), np.array(exp)
    if np.any((exp == 0) & (obs > 0)):
        return float("inf"), max(len(exp) - 1, 1)
    keep = exp > 0
    statistic = float(np.sum((obs[keep] - exp[keep]) ** 2 / exp[keep]))
    return statistic, max(int(np.sum(keep)) - 1, 0)


def format_distribution(counts):
    """Empirical frequencies as a short string, e.g. "[0.05, 0.41, 0.26]"."""
    counts = np.asarray(counts, dtype=float)
    return "[" + ", ".join(f"{c:.2f}" for c in counts / max(np.sum(counts), 1.0)) + "]"
