"""The checks of notebook 1 (``rnn_dinosaurs.ipynb``): ``CASES`` for its five graded functions.

Points: rnn_cell_forward 10, rnn_forward 10, bptt 20, clip 5, sample 15, split over cases, one per
property. Each function has one public case (``hidden=False``), built from ``PUBLIC_SEED``; its text
is rendered into the students' public test file by ``autograder.checks.public``. The hidden cases
build their inputs from ``_PRIVATE_SEED``, derived from the secret made when the zip is built
(``autograder.secret``), which never leaves the grader.

Inputs have n_x, n_h and n_y all different, nonzero biases and nonzero h0, m = 1 and m > 1, T = 1
and T > 1, so that hard-coded answers, transposed matrices and forgotten terms fail. Expected values
come from ``solutions.rnn``; ``bptt`` is fed the reference's forward pass so that a bug in the
forward pass is not charged twice, and functions that call other graded functions are run with
``using_reference``.

``sample`` is judged statistically: Pearson's chi-square test of the drawn indices against the
reference's yhat, rejecting at a false-alarm rate of ``ALPHA`` = 1e-6 per test (the critical value
is ``scipy.stats.chi2.isf(ALPHA, df)``, computed as ``scipy.special.chdtri(df, ALPHA)``), with
enough draws that argmax, uniform sampling, sampling from the wrong step, or feeding back the wrong
x fail by a wide margin.

The ``check_*`` functions and ``build_*`` below use only NumPy and the helpers of
``autograder.checks``: the public test files carry a copy of their source.
"""

from __future__ import annotations

import numpy as np
from scipy.special import chdtri

from autograder import notebooks
from autograder.checks import (
    CaseList,
    CheckFailed,
    GateFailed,
    chi_square,
    copy_parameters,
    describe,
    expect_array,
    expect_dict,
    expect_index_list,
    expect_shape,
    expect_tuple,
    format_distribution,
    likely_cause,
    refusing,
    repeat,
    time_limited,
    using_reference,
    values_match,
)
from autograder.secret import private_seed
from solutions import gradcheck
from solutions import rnn as ref

PUBLIC_SEED = 2024
_PRIVATE_SEED = private_seed("rnn_dinosaurs")  # from the build's secret
ALPHA = 1e-6
GRADIENT_KEYS = ("dV", "dU", "dW", "dbeta1", "dbeta2", "dh0")
VOCAB_SIZE = 6  # sample's vocabulary: "\n", "a".."e"


# ------------------------------------------------------------------ inputs (copied into public)


def build_inputs(seed, n_x, n_h, n_y, m, T, scale=1.0):
    """Random inputs of every graded function, from numpy.random.default_rng(seed).

    Weights and biases are uniform in [-scale, scale] (biases nonzero on purpose), X and h0 uniform
    in [-1, 1], Y one-hot with uniform random targets.

    Returns:
    dict with "parameters" (V (n_h, n_x), U (n_h, n_h), W (n_y, n_h), beta1 (n_h, 1),
    beta2 (n_y, 1)), "X" (n_x, m, T), "h0" (n_h, m), "Y" (n_y, m, T) and "sizes", a string
    """
    rng = np.random.default_rng(seed)
    parameters = {
        "V": rng.uniform(-scale, scale, (n_h, n_x)),
        "U": rng.uniform(-scale, scale, (n_h, n_h)),
        "W": rng.uniform(-scale, scale, (n_y, n_h)),
        "beta1": rng.uniform(-scale, scale, (n_h, 1)),
        "beta2": rng.uniform(-scale, scale, (n_y, 1)),
    }
    X = rng.uniform(-1.0, 1.0, (n_x, m, T))
    h0 = rng.uniform(-1.0, 1.0, (n_h, m))
    targets = np.floor(rng.uniform(0.0, n_y, (m, T))).astype(int)
    Y = (np.arange(n_y)[:, None, None] == targets[None, :, :]).astype(float)
    sizes = describe(n_x=n_x, n_h=n_h, n_y=n_y, m=m, T=T)
    return {"parameters": parameters, "X": X, "h0": h0, "Y": Y, "sizes": sizes}


def build_gradients(seed, n_x, n_h, n_y, m, spread):
    """A gradients dict with values uniform in [-spread, spread], from default_rng(seed).

    Returns:
    dict "dV" (n_h, n_x), "dU" (n_h, n_h), "dW" (n_y, n_h), "dbeta1" (n_h, 1), "dbeta2" (n_y, 1),
    "dh0" (n_h, m)
    """
    rng = np.random.default_rng(seed)
    shapes = {"dV": (n_h, n_x), "dU": (n_h, n_h), "dW": (n_y, n_h), "dbeta1": (n_h, 1),
              "dbeta2": (n_y, 1), "dh0": (n_h, m)}
    return {key: rng.uniform(-spread, spread, shape) for key, shape in shapes.items()}


# ---------------------------------------------------- property checks (copied into public)


def check_rnn_cell_forward(fn, inputs, expected, properties):
    """Call fn(x_t, h_prev, parameters) with x_t = X[:, :, 0], h_prev = h0 and check properties.

    expected -- {"h_next": (n_h, m), "yhat_t": (n_y, m)}, the reference's values
    properties -- some of "shapes", "h_next", "yhat_t", "sums"
    """
    name = "rnn_cell_forward"
    (n_y, n_h), (n_x, m) = inputs["parameters"]["W"].shape, inputs["X"].shape[:2]
    sizes = describe(n_x=n_x, n_h=n_h, n_y=n_y, m=m)
    result = fn(inputs["X"][:, :, 0].copy(), inputs["h0"].copy(),
                copy_parameters(inputs["parameters"]))
    h_next, yhat_t = expect_tuple(result, ("h_next", "yhat_t"), name, sizes)
    expect_shape(h_next, expected["h_next"].shape, "h_next", name, sizes,
                 "h_next is (n_h, m): U (n_h, n_h) multiplies h_prev, V (n_h, n_x) multiplies x_t.")
    expect_shape(yhat_t, expected["yhat_t"].shape, "yhat_t", name, sizes,
                 "yhat_t is (n_y, m): W (n_y, n_h) multiplies h_next.")
    alternatives = expected.get("alternatives", {})
    if "h_next" in properties:
        expect_array(h_next, expected["h_next"], "h_next", name, sizes, likely_cause(
            h_next, alternatives.get("h_next", ()),
            "h_next = tanh(U h_prev + V x_t + beta1); check that each term is there "
            "(beta1 included), that U multiplies h_prev and V multiplies x_t, and the tanh"))
    if "sums" in properties:
        sums = np.sum(yhat_t, axis=0)
        if np.max(np.abs(sums - 1.0)) > 1e-9:
            cause = likely_cause(yhat_t, alternatives.get("sums", ()), "the softmax normalizes "
                                 "over axis 0")
            raise CheckFailed(
                f"{name}: the columns of yhat_t sum to {np.round(sums, 4).tolist()} instead of 1 "
                f"on inputs {sizes}; {cause}: each column (one sequence of the batch) is one "
                "distribution (use the given softmax)."
            )
    if "yhat_t" in properties:
        expect_array(yhat_t, expected["yhat_t"], "yhat_t", name, sizes, likely_cause(
            yhat_t, alternatives.get("yhat_t", ()),
            "yhat_t = softmax(W h_next + beta2), with the new state h_next; check beta2 and "
            "that the softmax runs over axis 0"))


def check_rnn_forward(fn, inputs, expected, properties):
    """Call fn(X, h0, parameters) and check properties, time step by time step.

    expected -- {"H": (n_h, m, T), "Y_hat": (n_y, m, T)}, the reference's values
    properties -- some of "shapes", "H", "Y_hat"
    """
    name, sizes = "rnn_forward", inputs["sizes"]
    fn = using_reference(fn, "rnn_cell_forward")
    result = fn(inputs["X"].copy(), inputs["h0"].copy(), copy_parameters(inputs["parameters"]))
    H, Y_hat = expect_tuple(result, ("H", "Y_hat"), name, sizes)
    expect_shape(H, expected["H"].shape, "H", name, sizes, "H is (n_h, m, T).")
    expect_shape(Y_hat, expected["Y_hat"].shape, "Y_hat", name, sizes, "Y_hat is (n_y, m, T).")
    T = expected["H"].shape[2]
    alternatives = expected.get("alternatives", {})
    for t in range(T):
        if "H" in properties:
            if t == 0:
                cause = ("H[:, :, 0] is h_0 = tanh(U h0 + V x_0 + beta1), the state after reading "
                         "X[:, :, 0] (h0, the initial state, is not stored in H): start from h0 "
                         "(not zeros) and store the new state, not h0")
            else:
                cause = (f"H[:, :, {t}] is the state after reading X[:, :, {t}], computed from "
                         f"H[:, :, {t - 1}]; check that h is updated at each step and fed to the "
                         "next one")
            cause = likely_cause(H, alternatives.get("H", ()), cause)
            expect_array(H[:, :, t], expected["H"][:, :, t], f"H[:, :, {t}]", name, sizes, cause)
        if "Y_hat" in properties:
            cause = likely_cause(Y_hat, alternatives.get("Y_hat", ()),
                                 f"Y_hat[:, :, {t}] is the yhat_t of step {t}, computed from the "
                                 f"state H[:, :, {t}]; store each step's yhat_t at index t")
            expect_array(Y_hat[:, :, t], expected["Y_hat"][:, :, t], f"Y_hat[:, :, {t}]", name,
                         sizes, cause)


BPTT_CAUSES = {
    "dW": "dW sums (Y_hat_t - Y_t) h_t^T over the time steps, with h_t = H[:, :, t]",
    "dbeta2": "dbeta2 sums Y_hat_t - Y_t over the batch and the time steps "
              "(np.sum(..., axis=1, keepdims=True))",
    "dV": "dV sums da_t x_t^T with da_t = (1 - h_t**2) * dh_t; check the tanh derivative and "
          "that dh_t includes U^T da_{t+1}, the gradient coming back from step t+1",
    "dU": "dU sums da_t h_{t-1}^T (h_{t-1} is h0 at t = 0) with da_t = (1 - h_t**2) * dh_t; "
          "check the tanh derivative and that dh_t includes U^T da_{t+1} from step t+1",
    "dbeta1": "dbeta1 sums da_t = (1 - h_t**2) * dh_t over the batch and the time steps "
              "(np.sum(..., axis=1, keepdims=True))",
    "dh0": "dh0 is U^T da_0, the gradient that flows out of the first step into h0",
}


# What bptt may not call: it is given the forward pass's H and Y_hat. A bptt that ran the forward
# pass again could only be taking finite differences, which is not backpropagation.
BPTT_REFUSED = ("rnn_forward", "rnn_cell_forward", "numerical_gradient")
BPTT_REFUSED_MESSAGE = (
    "bptt must not call rnn_forward, rnn_cell_forward or numerical_gradient: it receives H and "
    "Y_hat from the forward pass and must not run it again. Compute the gradients with one "
    "backward loop over the time steps (backpropagation through time), not by finite "
    "differences")


def check_bptt(fn, inputs, expected, properties, rtol=1e-6):
    """Call fn(X, Y, H, Y_hat, h0, parameters) with the reference's forward pass; check gradients.

    While fn runs, the notebook's forward pass and numerical_gradient refuse to be called
    (BPTT_REFUSED).

    expected -- {"H", "Y_hat"}: the reference's forward pass, and the expected gradients under
                their keys ("dV" ...)
    properties -- "shapes" (every key present, with its shape) and the gradient keys whose
                  values to compare
    rtol -- the relative tolerance (looser against finite differences)
    """
    name, sizes = "bptt", inputs["sizes"]
    fn = refusing(fn, BPTT_REFUSED, BPTT_REFUSED_MESSAGE)
    result = fn(inputs["X"].copy(), inputs["Y"].copy(), expected["H"].copy(),
                expected["Y_hat"].copy(), inputs["h0"].copy(),
                copy_parameters(inputs["parameters"]))
    keys = [key for key in properties if key != "shapes"]
    gradients = expect_dict(result, GRADIENT_KEYS if "shapes" in properties else keys, name,
                            sizes, "gradients")

    def shape_hint(key, default):
        got = gradients[key]
        if (isinstance(got, np.ndarray) and got.dtype.kind == "f"
                and got.shape != expected[key].shape):
            return bptt_likely_cause(key, got, expected, default)
        return default

    if "shapes" in properties:
        for key in GRADIENT_KEYS:
            expect_shape(gradients[key], expected[key].shape, key, name, sizes,
                         shape_hint(key, f"{key} has the shape of what it differentiates."))
    m, T = inputs["X"].shape[1], inputs["X"].shape[2]
    hints = [(-1.0, "the sign is flipped; dL/dz_t = Y_hat_t - Y_t")]
    if m > 1:
        hints.append((1.0 / m, "it looks averaged over the batch; the loss is a sum over the m "
                               "sequences, not a mean"))
    if T > 1:
        hints.append((1.0 / T, "it looks averaged over time; the loss is a sum over the time "
                               "steps"))
    for key in keys:
        expect_shape(gradients[key], expected[key].shape, key, name, sizes, shape_hint(key, ""))
        cause = BPTT_CAUSES[key]
        if not values_match(gradients[key], expected[key], rtol):
            cause = bptt_likely_cause(key, gradients[key], expected, cause)
        expect_array(gradients[key], expected[key], key, name, sizes, cause, rtol=rtol,
                     scale_hints=hints)


def bptt_likely_cause(key, got, expected, default):
    """What a wrong gradient got (of the right shape) most likely comes from, else default.

    Probes the known mistakes: the true gradient clipped into [-c, c] (clipping inside bptt,
    as min-char-rnn does), then what each mistake of expected["alternatives"] computes on
    these inputs ({key: [(value, cause)]}, or a function returning that, evaluated only here).
    """
    reference = np.asarray(expected[key], dtype=float)
    c, size = float(np.max(np.abs(got))), float(np.max(np.abs(reference)))
    # (zero everywhere, expect_array says so, and only a mistake that gives zero can match)
    if got.shape == reference.shape and 1e-6 * size < c < size * (1 - 1e-9) and np.allclose(
            got, np.clip(reference, -c, c), rtol=1e-6, atol=1e-9):
        return (f"it equals the true {key} clipped into [-{c:.4g}, {c:.4g}]: it looks clipped "
                "inside bptt; return the exact gradients (clipping is clip's job, after bptt)")
    alternatives = expected.get("alternatives") or {}
    if callable(alternatives):
        alternatives = alternatives()
    return likely_cause(got, alternatives.get(key, ()), default)


def check_clip(fn, gradients, max_value, expected, properties, sizes):
    """Call fn(gradients, max_value) on a copy and check properties.

    gradients -- the dict passed in (a copy of it, kept unchanged here for the comparison)
    expected -- the reference's clipped dict
    properties -- some of "keys", "values", "untouched"
    sizes -- describe(...) of the inputs
    """
    name = "clip"
    inputs = f"{sizes}, max_value={max_value}"
    passed = copy_parameters(gradients)
    result = fn(passed, max_value)
    if "untouched" in properties:
        if sorted(passed) != sorted(gradients):
            raise CheckFailed(
                f"{name} changed the keys of the dict passed in on inputs {inputs}; build and "
                "return a new dict, leave the one passed in as it was."
            )
        for key in gradients:
            if not (isinstance(passed[key], np.ndarray) and np.array_equal(passed[key],
                                                                          gradients[key])):
                raise CheckFailed(
                    f"{name} changed gradients[{key!r}] passed in on inputs {inputs}; clip into "
                    "new arrays (not in place) and leave the inputs unchanged."
                )
    clipped = expect_dict(result, tuple(gradients), name, inputs, "the clipped gradients")
    extra = [key for key in clipped if key not in gradients]
    if "keys" in properties and extra:
        raise CheckFailed(f"{name} added the key(s) {extra} on inputs {inputs}; return the same "
                          "keys as the dict passed in.")
    # No array changed at all (though some value lies outside): np.clip's result was dropped.
    nothing_clipped = all(isinstance(clipped[key], np.ndarray)
                          and np.array_equal(clipped[key], gradients[key]) for key in gradients)
    for key in gradients:
        got = expect_shape(clipped[key], gradients[key].shape, f"clipped[{key!r}]", name, inputs,
                           "Each array keeps its shape.")
        if "values" not in properties:
            continue
        if np.any(got > max_value + 1e-12) or np.any(got < -max_value - 1e-12):
            side = "above max_value" if np.any(got > max_value + 1e-12) else "below -max_value"
            if nothing_clipped:
                raise CheckFailed(
                    f"{name}: clipped[{key!r}] has values {side} on inputs {inputs} (max |value| "
                    f"{float(np.max(np.abs(got))):.3g}): nothing was clipped, every value is the "
                    "one passed in: np.clip's result not kept. np.clip returns a new array "
                    "(unless given out=): store what it returns."
                )
            raise CheckFailed(
                f"{name}: clipped[{key!r}] has values {side} on inputs {inputs} (max |value| "
                f"{float(np.max(np.abs(got))):.3g}); clip both sides into [-max_value, max_value]."
            )
        inside = np.abs(gradients[key]) <= max_value
        # Only a wrong answer is diagnosed: where no value is negative, [0, max_value] and the
        # right clip agree.
        if (np.array_equal(got, np.clip(gradients[key], 0.0, max_value))
                and not np.allclose(got, expected[key], rtol=1e-12, atol=0.0)):
            raise CheckFailed(
                f"{name}: clipped[{key!r}] is clipped into [0, max_value] on inputs {inputs}; the "
                "lower bound is -max_value, not 0."
            )
        if not np.allclose(got[inside], gradients[key][inside], rtol=1e-12, atol=0.0):
            raise CheckFailed(
                f"{name}: clipped[{key!r}] changed values that were already within "
                f"[-max_value, max_value] on inputs {inputs}; clip element by element (np.clip), "
                "do not rescale the whole gradient."
            )
        expect_array(got, expected[key], f"clipped[{key!r}]", name, inputs,
                     "values outside [-max_value, max_value] become -max_value or max_value")


def draw_first_indices(fn, parameters, char_to_ix, seed, n):
    """The first index of n names drawn with max_length=1 from one Generator default_rng(seed)."""
    rng = np.random.default_rng(seed)
    names = repeat(fn, n, copy_parameters(parameters), dict(char_to_ix), rng, max_length=1)
    sizes = describe(n_x=parameters["V"].shape[1], n_h=parameters["V"].shape[0])
    return [expect_index_list(out, len(char_to_ix), "sample", f"{sizes}, max_length=1")[0]
            for out in names]


def check_first_step(fn, inputs, expected, properties=()):
    """The first index drawn follows the reference's yhat of the first step (chi-square test).

    inputs -- {"parameters", "char_to_ix", "seed", "n", "sizes"}
    expected -- {"probabilities": (n_y,), the first step's yhat; "critical": the chi-square
                critical value at ALPHA for "df" degrees of freedom; "mistakes": [(probabilities,
                df, critical, cause)], what a known mistake draws from, and what to say}
    """
    name = "sample"
    fn = using_reference(fn, "rnn_cell_forward")
    n_y = len(expected["probabilities"])
    first = draw_first_indices(fn, inputs["parameters"], inputs["char_to_ix"], inputs["seed"],
                               inputs["n"])
    counts = np.bincount(np.array(first, dtype=int), minlength=n_y)
    statistic, df = chi_square(counts, expected["probabilities"])
    if df != expected["df"] or statistic > expected["critical"]:
        uniform, _ = chi_square(counts, np.full(n_y, 1.0 / n_y))
        fitting = []  # the known mistakes whose draws these counts fit
        for p, d, critical, mistake in expected.get("mistakes", ()):
            s_, d_ = chi_square(counts, p)
            if d_ == d and s_ <= critical:
                fitting.append(mistake)
        if np.max(counts) == inputs["n"]:
            if np.argmax(counts) == np.argmax(expected["probabilities"]):
                cause = "every draw gave the same index, as argmax would; draw with rng.choice"
            else:
                cause = ("every draw gave the same index, and not the most likely one: the draws "
                         "do not come from the rng passed in; draw with rng.choice")
        elif len(fitting) == 1 and uniform > expected["critical"]:
            cause = fitting[0]
        elif uniform <= expected["critical"]:
            cause = ("the draws look uniform, as if drawn without p=: draw with the probabilities "
                     "of this step's yhat (p=...)")
        else:
            cause = ("draw the index at random with the rng passed in, with the probabilities of "
                     "this step's yhat (not argmax, not uniformly, not from h)")
        raise CheckFailed(
            f"{name}: the first index drawn does not follow yhat of the first step on inputs "
            f"{inputs['sizes']} ({inputs['n']} names with max_length=1): frequencies "
            f"{format_distribution(counts)}, expected "
            f"{format_distribution(expected['probabilities'])} (chi-square {statistic:.1f} > "
            f"{expected['critical']:.1f}; a correct sample fails "
            f"this with probability below 1e-6); {cause}."
        )


# ------------------------------------------------------------------ hidden cases

_CASES = CaseList()
CASES = _CASES.all
PUBLIC = _CASES.public
_add, _add_public = _CASES.add, _CASES.add_public


def _inputs(k, n_x, n_h, n_y, m, T, scale=1.0):
    return build_inputs(_PRIVATE_SEED + k, n_x, n_h, n_y, m, T, scale)


# ---- rnn_cell_forward: 10 points


def _cell_expected(inputs):
    """The reference's h_next and yhat_t, and what the known mistakes give (likely_cause)."""
    x, h, p = inputs["X"][:, :, 0], inputs["h0"], inputs["parameters"]
    h_next, yhat_t = ref.rnn_cell_forward(x, h, p)
    # What a cell with one known mistake computes: the recurrence written out once more, term by
    # term, so that each missing term can be named.
    wrong_h = [
        (np.tanh(p["U"] @ h + p["V"] @ x), "beta1 is missing: h_next = tanh(U h_prev + V x_t + "
                                           "beta1)"),
        (p["U"] @ h + p["V"] @ x + p["beta1"], "the tanh is missing: h_next = tanh(U h_prev + "
                                               "V x_t + beta1)"),
        (np.tanh(p["V"] @ x + p["beta1"]), "h_prev is not used: the term U h_prev is missing"),
    ]
    if x.shape[0] == h.shape[0]:  # where V and U have the same shape, so that swapping them runs
        wrong_h.append((np.tanh(p["V"] @ h + p["U"] @ x + p["beta1"]),
                        "V and U are swapped: U (n_h, n_h) multiplies h_prev, V (n_h, n_x) "
                        "multiplies x_t"))
    z = p["W"] @ h_next + p["beta2"]
    wrong_y = [(ref.softmax(p["W"] @ h + p["beta2"]),
                "yhat_t is computed from h_prev; compute it from the new state h_next")]
    wrong_y += [(ref.softmax(p["W"] @ value + p["beta2"]),
                 f"yhat_t comes from a wrong h_next ({cause})") for value, cause in wrong_h]
    wrong_y.append((ref.softmax(p["W"] @ h_next), "beta2 is missing: yhat_t = softmax(W h_next "
                                                   "+ beta2)"))
    sums = [(np.exp(z) / np.sum(np.exp(z)), "the softmax is normalized over the whole array "
                                            "(np.sum without axis); normalize each column, axis 0"),
            (np.exp(z) / np.sum(np.exp(z), axis=1, keepdims=True),
             "the softmax is normalized over axis 1 (the rows); normalize each column, axis 0")]
    return {"h_next": h_next, "yhat_t": yhat_t,
            "alternatives": {"h_next": wrong_h, "yhat_t": wrong_y, "sums": sums}}


def _cell_case(k, sizes, properties):
    def run(fn):
        inputs = _inputs(k, *sizes)
        check_rnn_cell_forward(fn, inputs, _cell_expected(inputs), properties)
    return run


_CELL_PUBLIC = {"seed": PUBLIC_SEED, "n_x": 4, "n_h": 3, "n_y": 5, "m": 2, "T": 1}
_add_public("rnn_cell_forward", "public_shapes_and_values", 2, check_rnn_cell_forward,
            build_inputs, _CELL_PUBLIC, lambda: _cell_expected(build_inputs(**_CELL_PUBLIC)),
            ("shapes", "h_next", "yhat_t", "sums"))
_add("rnn_cell_forward", "shapes", 1, _cell_case(1, (3, 5, 4, 2, 1), ("shapes",)))
_add("rnn_cell_forward", "h_next_values", 3, _cell_case(2, (3, 5, 4, 3, 1), ("h_next",)))
_add("rnn_cell_forward", "yhat_values", 2, _cell_case(3, (5, 3, 4, 2, 1), ("yhat_t",)))
_add("rnn_cell_forward", "columns_sum_to_1", 1, _cell_case(4, (3, 5, 4, 3, 1), ("sums",)))
# n_x = n_h: a cell with V and U swapped runs, and is told so (elsewhere it fails in matmul)
_add("rnn_cell_forward", "values_m1", 1,
     _cell_case(5, (6, 6, 3, 1, 1), ("h_next", "yhat_t", "sums")))


# ---- rnn_forward: 10 points


def _forward_as_if(X, h0, parameters, state="carried", read="x_t", store="after"):
    """H and Y_hat of an rnn_forward with one known mistake: each step starting from h0 (state
    "h0"), every step reading x_0 (read "x_0"), H storing the state before the step (store
    "before"), Y_hat stored one index early (store "yhat early")."""
    n_h, (n_y, m, T) = h0.shape[0], (parameters["W"].shape[0],) + X.shape[1:]
    H, Y_hat = np.zeros((n_h, m, T)), np.zeros((n_y, m, T))
    h = h0
    for t in range(T):
        new, yhat = ref.rnn_cell_forward(X[:, :, 0 if read == "x_0" else t],
                                         h0 if state == "h0" else h, parameters)
        H[:, :, t] = h if store == "before" else new
        Y_hat[:, :, t - 1 if store == "yhat early" else t] = yhat
        h = new
    return H, Y_hat


def _forward_expected(inputs):
    """The reference's H and Y_hat, and what the known mistakes give (likely_cause)."""
    X, h0, parameters = inputs["X"], inputs["h0"], inputs["parameters"]
    H, Y_hat = ref.rnn_forward(X, h0, parameters)
    zeros, _ = ref.rnn_forward(X, np.zeros_like(h0), parameters)
    alternatives = {"H": [(zeros, "it starts from zeros: start from h0, the initial state")],
                    "Y_hat": []}
    if X.shape[2] > 1:
        for options, cause in (
                ({"state": "h0"}, "h is not updated: every step starts from h0; feed each new "
                                  "state to the next step"),
                ({"read": "x_0"}, "every step reads X[:, :, 0]: step t reads x_t = X[:, :, t]"),
                ({"store": "before"}, "H[:, :, t] holds the state before reading x_t (h0 at "
                                      "t = 0); store the new state, after the step")):
            wrong_H, wrong_Y = _forward_as_if(X, h0, parameters, **options)
            alternatives["H"].append((wrong_H, cause))
            alternatives["Y_hat"].append((wrong_Y, cause))
        alternatives["Y_hat"].append((_forward_as_if(X, h0, parameters, store="yhat early")[1],
                                      "Y_hat[:, :, t] holds the yhat of step t+1: store each "
                                      "step's yhat_t at index t"))
    return {"H": H, "Y_hat": Y_hat, "alternatives": alternatives}


def _forward_case(k, sizes, properties):
    def run(fn):
        inputs = _inputs(k, *sizes)
        check_rnn_forward(fn, inputs, _forward_expected(inputs), properties)
    return run


def _h0_used(fn):
    # A large h0 moves h_0 = H[:, :, 0] far from what h0 = 0 would give: ignoring h0 cannot pass.
    inputs = _inputs(16, 3, 5, 4, 2, 2)
    inputs["h0"] = np.sign(inputs["h0"]) * 0.9
    check_rnn_forward(fn, inputs, _forward_expected(inputs), ("H",))


_FORWARD_PUBLIC = {"seed": PUBLIC_SEED + 1, "n_x": 4, "n_h": 3, "n_y": 5, "m": 2, "T": 3}
_add_public("rnn_forward", "public_shapes_and_values", 2, check_rnn_forward, build_inputs,
            _FORWARD_PUBLIC, lambda: _forward_expected(build_inputs(**_FORWARD_PUBLIC)),
            ("shapes", "H", "Y_hat"))
_add("rnn_forward", "shapes", 1, _forward_case(11, (3, 5, 4, 2, 4), ("shapes",)))
_add("rnn_forward", "H_values", 3, _forward_case(12, (3, 5, 4, 3, 4), ("H",)))
_add("rnn_forward", "Y_hat_values", 2, _forward_case(13, (5, 4, 3, 2, 5), ("Y_hat",)))
_add("rnn_forward", "T1", 1, _forward_case(14, (3, 5, 4, 2, 1), ("H", "Y_hat")))
_add("rnn_forward", "h0_used", 1, _h0_used)


# ---- bptt: 20 points


def _bptt_as_if(X, Y, H, Y_hat, h0, parameters, derivative=lambda h: 1.0 - h ** 2,
                transpose_U=True, dU_state="prev", dW_state="now", first_prev=None,
                forward_in_time=False, batch_sum=True):
    """The gradients that a bptt with one known mistake computes (the options say which).

    Not a reference (that is solutions.rnn.bptt): the backward recursion written once more, with a
    switch per mistake, so that a student's wrong value can be recognised by its cause.
    """
    U, W = parameters["U"], parameters["W"]
    T = X.shape[2]
    dZ = Y_hat - Y
    grads = {k: np.zeros_like(parameters[k[1:]]) for k in ("dV", "dU", "dW", "dbeta1", "dbeta2")}
    carry = np.zeros_like(h0, dtype=float)
    for t in (range(T) if forward_in_time else reversed(range(T))):
        h_prev = H[:, :, t - 1] if t > 0 else (h0 if first_prev is None else first_prev)
        grads["dW"] += dZ[:, :, t] @ (H[:, :, t] if dW_state == "now" else h_prev).T
        da = derivative(H[:, :, t]) * (W.T @ dZ[:, :, t] + carry)
        grads["dV"] += da @ X[:, :, t].T
        grads["dU"] += da @ (h_prev if dU_state == "prev" else H[:, :, t]).T
        for key, term in (("dbeta1", da), ("dbeta2", dZ[:, :, t])):  # batch_sum=False: (n, m)
            grads[key] = grads[key] + (np.sum(term, axis=1, keepdims=True) if batch_sum else term)
        carry = (U.T if transpose_U else U) @ da
    grads["dh0"] = carry
    return grads


def _bptt_by_distance(X, Y, H, Y_hat, h0, parameters):
    """The exact gradients split by where they come from, summed two ways: D[key][d] is what the
    losses contribute at the step d steps before their own (summed over the steps), S[key][t] what
    all the losses contribute at step t (dW, dbeta2: at their own step only); E[s] is the part of
    dh0 from the loss at step s.

    Quadratic in T in time, linear in memory (T arrays of each parameter's shape: 10 MB for the
    linear_time case's dU, where the T x T split would take 1.2 GB); evaluated only to diagnose a
    wrong answer.
    """
    U, W = parameters["U"], parameters["W"]
    T = X.shape[2]
    dZ = Y_hat - Y
    D = {k: np.zeros((T,) + parameters[k[1:]].shape) for k in ("dV", "dU", "dbeta1")}
    S = {k: np.zeros_like(v) for k, v in D.items()}
    E = np.zeros((T,) + h0.shape)
    for s in range(T):
        da = (1.0 - H[:, :, s] ** 2) * (W.T @ dZ[:, :, s])
        for t in range(s, -1, -1):
            h_prev = H[:, :, t - 1] if t > 0 else h0
            for key, term in (("dV", da @ X[:, :, t].T), ("dU", da @ h_prev.T),
                              ("dbeta1", np.sum(da, axis=1, keepdims=True))):
                D[key][s - t] += term
                S[key][t] += term
            if t > 0:
                da = (1.0 - H[:, :, t - 1] ** 2) * (U.T @ da)
        E[s] = U.T @ da
    return D, S, E, dZ


def _bptt_alternatives(X, Y, H, Y_hat, h0, parameters):
    """{gradient key: [(what a known mistake gives, its cause)]} on these inputs."""
    T = X.shape[2]
    alternatives = {key: [] for key in GRADIENT_KEYS}

    def add(grads, cause, keys=GRADIENT_KEYS):
        for key in keys:
            alternatives[key].append((grads[key], cause))

    args = (X, Y, H, Y_hat, h0, parameters)
    add(_bptt_as_if(*args, derivative=lambda h: np.ones_like(h)),
        "the tanh derivative is missing: da_t = (1 - h_t**2) * dh_t, not dh_t",
        ("dV", "dU", "dbeta1", "dh0"))
    add(_bptt_as_if(*args, derivative=lambda h: 1.0 - h),
        "the tanh derivative is 1 - h_t**2 (squared), not 1 - h_t", ("dV", "dU", "dbeta1", "dh0"))
    add(_bptt_as_if(*args, derivative=lambda h: 1.0 - np.tanh(h) ** 2),
        "the tanh derivative is 1 - h_t**2 with h_t = H[:, :, t], which is already tanh(a_t): "
        "not 1 - tanh(h_t)**2", ("dV", "dU", "dbeta1", "dh0"))
    add(_bptt_as_if(*args, transpose_U=False),
        "the gradient flows back through U transposed: dh_t includes U^T da_{t+1}, not U da_{t+1}",
        ("dV", "dU", "dbeta1", "dh0"))
    unsummed = _bptt_as_if(*args, batch_sum=False)
    for key, term in (("dbeta1", "da_t"), ("dbeta2", "Y_hat_t - Y_t")):
        add(unsummed, f"{key} is not summed over the batch: it holds one column per sequence; "
            f"sum {term} over axis 1 as well (np.sum(..., axis=1, keepdims=True)).", (key,))
    add({"dbeta2": np.zeros(parameters["beta2"].shape)},
        "that is what a sum of Y_hat_t - Y_t over axis 0 (the classes) gives: each column of a "
        "softmax minus a one-hot vector sums to 0; dbeta2 sums over the batch (axis 1) and the "
        "time steps", ("dbeta2",))
    add(_bptt_as_if(*args, dU_state="now"),
        "dU sums da_t h_{t-1}^T, with the state before step t (h0 at t = 0), not h_t", ("dU",))
    add(_bptt_as_if(*args, dW_state="prev"),
        "dW sums dz_t h_t^T with h_t = H[:, :, t], the state after step t, not h_{t-1}", ("dW",))
    if T > 1:
        add(_bptt_as_if(*args, first_prev=H[:, :, -1]),
            "at t = 0, h_{t-1} is h0, the initial state, not H[:, :, -1] (the last state)",
            ("dU",))
        add(_bptt_as_if(*args, forward_in_time=True),
            "the loop runs forward in time; go backwards, from t = T-1 down to 0, so that "
            "U^T da_{t+1} is known when step t is computed", ("dV", "dU", "dbeta1", "dh0"))
    D, S, E, dZ = _bptt_by_distance(*args)
    reach = {key: np.cumsum(value, axis=0) for key, value in D.items()}  # reach[k]: distance <= k
    for k in range(T - 1):
        if k == 0:
            cause = ("no gradient flows back through time: dh_t must include U^T da_{t+1}, the "
                     "gradient coming back from step t+1")
        else:
            cause = (f"it equals the gradient truncated after {k} step{'s' * (k > 1)} (the loss "
                     f"at step t reaches back to step t-{k} only): backpropagate through every "
                     "step down to t = 0, dh_t including U^T da_{t+1} at every step")
        truncated = {key: value[k] for key, value in reach.items()}
        truncated["dh0"] = E[: k + 1].sum(axis=0)
        add(truncated, cause, ("dV", "dU", "dbeta1", "dh0"))
    if T > 1:
        per_step = dict(S)
        per_step["dW"] = np.einsum("ymt,hmt->tyh", dZ, H)
        per_step["dbeta2"] = dZ.sum(axis=1).T[:, :, None]
        for t in (0, T - 1):
            add({key: value[t] for key, value in per_step.items()},
                f"it equals the contribution of time step {t} alone: the gradient is overwritten "
                "instead of accumulated; add each step's term (+=) to the total",
                ("dV", "dU", "dW", "dbeta1", "dbeta2"))
    return alternatives


def _bptt_expected(inputs, eager=False):
    """The reference's forward pass and gradients, and what known mistakes give (lazily, unless
    eager: the public test files carry them as values)."""
    H, Y_hat = ref.rnn_forward(inputs["X"], inputs["h0"], inputs["parameters"])
    expected = {"H": H, "Y_hat": Y_hat}
    expected.update(ref.bptt(inputs["X"], inputs["Y"], H, Y_hat, inputs["h0"],
                             inputs["parameters"]))
    args = (inputs["X"], inputs["Y"], H, Y_hat, inputs["h0"], inputs["parameters"])
    computed = []  # once per case (a case may diagnose several keys; quadratic in T)

    def alternatives():
        if not computed:
            computed.append(_bptt_alternatives(*args))
        return computed[0]

    expected["alternatives"] = alternatives() if eager else alternatives
    return expected


def _bptt_case(k, sizes, keys):
    def run(fn):
        inputs = _inputs(k, *sizes)
        check_bptt(fn, inputs, _bptt_expected(inputs), keys)
    return run


def _add_bptt(name, points, k, sizes, keys):
    _add("bptt", name, points, _bptt_case(k, sizes, keys), covers=keys)


# The linear-time gate: backpropagation costs a few forward passes whatever the number of
# parameters; finite differences (or forward-mode differentiation) cost one or two forward passes
# PER PARAMETER, here 16,059 of them. Measured (README, "bptt's large case"): the whole case
# takes ~0.6 s with the reference's bptt, ~1.0-1.4 s with an honest bptt that loops over the
# sequences one by one with np.outer (on a loaded machine, also on half a CPU); finite
# differences through a plain forward pass take minutes, and even perturbing every parameter at
# once in one batched forward pass needs ~1e12 flops (tens of seconds) and gigabytes.
BPTT_GATE_SIZES = (27, 96, 27, 16, 128)  # n_x, n_h, n_y, m, T: a names batch of real width
BPTT_TIME_LIMIT = 5.0  # seconds per call
BPTT_TIME_LIMIT_WHY = (
    "on this large case (n_x=27, n_h=96, n_y=27, m=16, T=128) one backward sweep over the time "
    "steps with NumPy matrix products takes well under a second (about 0.4 s even "
    "looping over the sequences one at a time), while finite differences, which run the forward "
    "pass again for every one of the 16,059 parameters, take minutes. Because finite differences "
    "would pass the small cases, none of bptt's cases count until this one finishes in time: "
    "compute the gradients by backpropagation through time, with one loop over t from T-1 "
    "down to 0, and no Python loops over the elements of a matrix")


def _bptt_linear_time(fn):
    inputs = _inputs(28, *BPTT_GATE_SIZES)
    expected = _bptt_expected(inputs)
    fn = time_limited(refusing(fn, BPTT_REFUSED, BPTT_REFUSED_MESSAGE), BPTT_TIME_LIMIT,
                      BPTT_TIME_LIMIT_WHY)
    calls = []

    def once(*args):  # one call of the student's bptt; each property is then judged on its own
        if not calls:
            calls.append(fn(*args))
        return calls[0]

    wrong, messages = [], []
    for key in ("shapes",) + GRADIENT_KEYS:
        try:
            check_bptt(once, inputs, expected, (key,))
        except CheckFailed as exc:
            wrong.append(key)
            messages.append(str(exc))
    if wrong:
        raise GateFailed(
            f"{messages[0]} (wrong on this large case: {', '.join(wrong)}; the other cases of "
            "bptt that check these count only when bptt gets them right here too)", wrong)


def _bptt_finite_differences(fn):
    # Against the loss itself, not the reference's bptt: the definition of the gradient.
    inputs = _inputs(29, 2, 4, 3, 2, 3)
    X, Y, h0, parameters = inputs["X"], inputs["Y"], inputs["h0"], inputs["parameters"]

    def loss():
        return ref.cross_entropy_loss(ref.rnn_forward(X, h0, parameters)[1], Y)

    H, Y_hat = ref.rnn_forward(X, h0, parameters)
    expected = {"H": H, "Y_hat": Y_hat}
    for key in ("V", "U", "W", "beta1", "beta2"):
        expected["d" + key] = gradcheck.numerical_gradient(loss, parameters[key])
    expected["dh0"] = gradcheck.numerical_gradient(loss, h0)
    check_bptt(fn, inputs, expected, GRADIENT_KEYS, rtol=1e-5)


def _long_inputs(k, n_x, n_h, n_y, m, T):
    """Inputs on which the gradient neither vanishes nor explodes over T steps: U orthogonal,
    small V, beta1 and h0 (states stay where tanh is nearly linear). The loss at the last steps
    still reaches h0, so truncating BPTT after any number of steps below T shows, and the summed
    gradients are large (tens to hundreds): clipping them inside bptt shows too."""
    inputs = _inputs(k, n_x, n_h, n_y, m, T)
    rng = np.random.default_rng(_PRIVATE_SEED + k + 1)
    inputs["parameters"]["U"] = np.linalg.qr(rng.normal(size=(n_h, n_h)))[0]
    inputs["parameters"]["V"] *= 0.3
    inputs["parameters"]["beta1"] *= 0.1
    inputs["h0"] *= 0.3
    return inputs


def _bptt_long(fn):
    inputs = _long_inputs(51, 3, 4, 3, 2, 100)
    check_bptt(fn, inputs, _bptt_expected(inputs), GRADIENT_KEYS)


def _bptt_large(fn):
    # Short (truncation cannot show) but with gradients far above 5 in every key but dh0: many
    # sequences, saturated outputs (scale 2.5).
    inputs = _inputs(52, 4, 3, 5, 12, 5, scale=2.5)
    check_bptt(fn, inputs, _bptt_expected(inputs), GRADIENT_KEYS)


_BPTT_PUBLIC = {"seed": PUBLIC_SEED + 2, "n_x": 4, "n_h": 3, "n_y": 5, "m": 2, "T": 3}
_add_public("bptt", "public_gradients", 3, check_bptt, build_inputs, _BPTT_PUBLIC,
            lambda: _bptt_expected(build_inputs(**_BPTT_PUBLIC), eager=True),
            ("shapes",) + GRADIENT_KEYS, covers=("shapes",) + GRADIENT_KEYS)
_add("bptt", "linear_time", 1, _bptt_linear_time, gate=True)
_add_bptt("keys_and_shapes", 1, 21, (3, 5, 4, 2, 3), ("shapes",))
_add_bptt("dW_dbeta2", 2, 22, (3, 5, 4, 3, 4), ("dW", "dbeta2"))
_add_bptt("dV_dU_dbeta1", 3, 23, (3, 5, 4, 3, 4), ("dV", "dU", "dbeta1"))
_add_bptt("dh0", 2, 24, (3, 5, 4, 3, 4), ("dh0",))
_add_bptt("long_sequence", 1, 25, (4, 3, 5, 1, 6), GRADIENT_KEYS)
_add_bptt("batch_sum", 2, 26, (5, 4, 3, 4, 2), GRADIENT_KEYS)
_add_bptt("T1", 1, 27, (3, 5, 4, 1, 1), GRADIENT_KEYS)
_add("bptt", "finite_differences", 1, _bptt_finite_differences, covers=GRADIENT_KEYS)
_add("bptt", "sequence_of_100_steps", 2, _bptt_long, covers=GRADIENT_KEYS)
_add("bptt", "large_gradients", 1, _bptt_large, covers=GRADIENT_KEYS)


# ---- clip: 5 points


def _clip_run(k, max_values, properties, spread=3.0):
    def run(fn):
        sizes = (3, 5, 4, 2)
        gradients = build_gradients(_PRIVATE_SEED + k, *sizes, spread)
        described = describe(n_x=sizes[0], n_h=sizes[1], n_y=sizes[2], m=sizes[3])
        for max_value in max_values:
            check_clip(fn, gradients, max_value, ref.clip(gradients, max_value), properties,
                       described)
    return run


def _clip_keys(fn):
    # Not the usual six keys: a clip that lists the keys itself drops or invents some.
    rng = np.random.default_rng(_PRIVATE_SEED + 34)
    gradients = {"dV": rng.uniform(-4, 4, (5, 3)), "dh0": rng.uniform(-4, 4, (5, 2)),
                 "dgamma": rng.uniform(-4, 4, (2, 3, 4)), "db": rng.uniform(-4, 4, (7,))}
    check_clip(fn, gradients, 1.5, ref.clip(gradients, 1.5), ("keys",),
               "keys 'dV', 'dh0', 'dgamma', 'db' of shapes (5, 3), (5, 2), (2, 3, 4), (7,)")


def _clip_public_expected():
    gradients = build_gradients(**_CLIP_PUBLIC)
    return ref.clip(gradients, 1.0)


def check_clip_public(fn, gradients, expected, properties):
    """check_clip with max_value 1.0 on the public gradients."""
    check_clip(fn, gradients, 1.0, expected, properties, "n_x=4, n_h=3, n_y=5, m=2")


_CLIP_PUBLIC = {"seed": PUBLIC_SEED + 3, "n_x": 4, "n_h": 3, "n_y": 5, "m": 2, "spread": 2.0}
_add_public("clip", "public_values", 1, check_clip_public, build_gradients, _CLIP_PUBLIC,
            _clip_public_expected, ("keys", "values", "untouched"), helpers=(check_clip,))
_add("clip", "both_sides", 1, _clip_run(31, (2.0,), ("values",)))
_add("clip", "max_value_respected", 1, _clip_run(32, (0.5, 10.0), ("values",), spread=12.0))
_add("clip", "inputs_untouched", 1, _clip_run(33, (1.0,), ("untouched",)))
_add("clip", "keys_and_shapes", 1, _clip_keys)


# ---- sample: 15 points

CHAR_TO_IX = {"\n": 0, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5}


def build_sample_inputs(seed, n_h, scale, seed_draws, n):
    """Parameters for sample (n_x = n_y = 6: "\\n", "a".."e") and the draws' settings.

    Returns:
    dict with "parameters", "char_to_ix", "seed" (of the Generator passed to sample), "n"
    (how many names) and "sizes"
    """
    parameters = build_inputs(seed, 6, n_h, 6, 1, 1, scale)["parameters"]
    char_to_ix = {"\n": 0, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
    return {"parameters": parameters, "char_to_ix": char_to_ix, "seed": seed_draws, "n": n,
            "sizes": describe(n_x=6, n_h=n_h, n_y=6)}


def _critical(df):
    # chdtri(df, q) is exactly what scipy.stats.chi2.isf(q, df) computes, without the second or
    # so that importing scipy.stats would add to every grading run.
    return float(chdtri(df, ALPHA)) if df > 0 else 0.0


# What sample draws from when it computes yhat before the state update (the softmax of the state
# it was given, W h_prev + beta2), and what to tell the student.
BEFORE_UPDATE = ("yhat computed before the state update; call rnn_cell_forward on x and h "
                 "first, then draw from the yhat it returns")
PREVIOUS_YHAT = ("the draws follow the yhat of the state before this step, softmax(W h_prev + "
                 f"beta2): {BEFORE_UPDATE}")


def _first_step_expected(inputs):
    n_h, n_x = inputs["parameters"]["V"].shape
    parameters = inputs["parameters"]
    _, yhat = ref.rnn_cell_forward(np.zeros((n_x, 1)), np.zeros((n_h, 1)), parameters)
    probabilities = yhat.ravel()
    _, df = chi_square(inputs["n"] * probabilities, probabilities)
    previous = ref.softmax(parameters["W"] @ np.zeros((n_h, 1)) + parameters["beta2"]).ravel()
    _, previous_df = chi_square(inputs["n"] * previous, previous)
    return {"probabilities": probabilities, "df": df, "critical": _critical(df),
            "mistakes": [(previous, previous_df, _critical(previous_df), PREVIOUS_YHAT)]}


def _sample_power(parameters, n):
    """The smallest ratio, over common mistakes of sample, of the chi-square statistic that the
    mistake would give on average (its non-centrality) to the critical value of the test."""
    h1, y1 = ref.rnn_cell_forward(np.zeros((VOCAB_SIZE, 1)), np.zeros((4, 1)), parameters)
    y1 = y1.ravel()
    uniform = np.full(VOCAB_SIZE, 1.0 / VOCAB_SIZE)
    ratios = [n * np.sum((uniform - y1) ** 2 / y1) / _critical(VOCAB_SIZE - 1)]
    _, zero_x = ref.rnn_cell_forward(np.zeros((VOCAB_SIZE, 1)), h1, parameters)
    mistakes = {"x stays zero": 0.0, "h reset": 0.0, "first yhat reused": 0.0}
    df = 0
    for first in range(1, VOCAB_SIZE):
        count = n * y1[first]
        if count < 100:  # _sample_next_step pools only firsts drawn at least 50 times
            continue
        x = np.zeros((VOCAB_SIZE, 1))
        x[first] = 1.0
        _, y2 = ref.rnn_cell_forward(x, h1, parameters)
        _, reset = ref.rnn_cell_forward(x, np.zeros((4, 1)), parameters)
        y2 = y2.ravel()
        for key, wrong in (("x stays zero", zero_x), ("h reset", reset),
                           ("first yhat reused", y1)):
            mistakes[key] += count * np.sum((wrong.ravel() - y2) ** 2 / y2)
        df += VOCAB_SIZE - 1
    if df == 0:
        return 0.0
    ratios += [value / _critical(df) for value in mistakes.values()]
    return float(min(ratios))


def _powerful_sample_inputs(k, n):
    """build_sample_inputs from the first seed _PRIVATE_SEED + k + 1000 j (j = 0, 1, ...) whose
    parameters make every common mistake fail the statistical cases by a wide margin (on average
    at least 4 times the critical value), so that the hidden inputs are as strong whatever the
    build's secret."""
    for j in range(200):
        inputs = build_sample_inputs(_PRIVATE_SEED + k + 1000 * j, 4, 1.5, _PRIVATE_SEED + k + 1,
                                     n)
        if _sample_power(inputs["parameters"], n) >= 4.0:
            return inputs
    raise RuntimeError("no hidden parameters for sample found")  # pragma: no cover


# Hidden parameters: scale 1.5 makes yhat far from uniform and makes the next step depend strongly
# on both the state and the character fed back, so feeding back zeros or resetting h fails; the
# seed is the first that makes this so by a wide margin (the secret changes the parameters).
_SAMPLE = _powerful_sample_inputs(41, 1000)
_SAMPLE_SIZES = _SAMPLE["sizes"]


def _sample_parameters(newline_shift):
    parameters = copy_parameters(_SAMPLE["parameters"])
    parameters["beta2"][0] += newline_shift
    return parameters


def _sample_first_step(fn):
    inputs = dict(_SAMPLE)
    check_first_step(fn, inputs, _first_step_expected(inputs))


def _sample_next_step(fn):
    """The second index, given the first, follows the reference's yhat of the second step."""
    fn = using_reference(fn, "rnn_cell_forward")
    parameters, n = _SAMPLE["parameters"], _SAMPLE["n"]
    rng = np.random.default_rng(_PRIVATE_SEED + 43)
    names = repeat(fn, n, copy_parameters(parameters), dict(CHAR_TO_IX), rng, max_length=2)
    inputs = f"{_SAMPLE_SIZES}, max_length=2"
    pairs = []
    for out in names:
        out = expect_index_list(out, VOCAB_SIZE, "sample", inputs)
        if out[0] == 0:
            continue
        if len(out) < 2:
            raise CheckFailed(f"sample returned {out} on inputs {inputs}; after drawing a "
                              "character other than '\\n' it must draw again (max_length=2).")
        pairs.append((out[0], out[1]))
    seconds = {first: [b for a, b in pairs if a == first] for first in range(1, VOCAB_SIZE)}
    seconds = {first: np.bincount(np.array(drawn, dtype=int), minlength=VOCAB_SIZE)
               for first, drawn in seconds.items() if len(drawn) >= 50}
    if not seconds:
        raise CheckFailed(f"sample drew '\\n' first almost every time on inputs {inputs}; the "
                          "first index must follow yhat of the first step.")
    fits = []  # (statistic, df, worst prefix, cause) for the right second step, then the mistakes
    for step, cause in _SECOND_STEPS:
        statistic, df, worst = 0.0, 0, None
        for first, counts in seconds.items():
            probabilities = step(parameters, first)
            s, d = chi_square(counts, probabilities)
            statistic, df = statistic + s, df + d
            if worst is None or s > worst[0]:
                worst = (s, first, counts, probabilities)
        if cause is None and statistic <= _critical(df):
            return
        fits.append((statistic, df, worst, cause))
    statistic, df, (_, first, counts, probabilities), _ = fits[0]
    fitting = [c for s, d, _, c in fits[1:] if s <= _critical(d)]
    advice = (f"the draws match a sample where {fitting[0]}" if len(fitting) == 1 else
              "feed the one-hot vector of the index drawn back as the next x, keep the state h "
              "from the previous step, and draw from the new yhat")
    raise CheckFailed(
        f"sample: the second index drawn does not follow yhat of the second step on inputs "
        f"{inputs} ({n} names, chi-square {statistic:.1f} > {_critical(df):.1f}; a correct "
        f"sample fails this with probability below 1e-6). After drawing index {first} first, the "
        f"second had frequencies {format_distribution(counts)}, expected "
        f"{format_distribution(probabilities)}; {advice}."
    )


def _second_step(parameters, first, x="one-hot", h="carried", yhat="new"):
    """yhat of sample's second step after drawing first: right, or with one known mistake (x
    stays zeros, h reset to zeros, or the first step's yhat drawn from again)."""
    n_h = parameters["U"].shape[0]
    h1, y1 = ref.rnn_cell_forward(np.zeros((VOCAB_SIZE, 1)), np.zeros((n_h, 1)), parameters)
    x2 = _one_hot(VOCAB_SIZE, first) if x == "one-hot" else np.zeros((VOCAB_SIZE, 1))
    _, y2 = ref.rnn_cell_forward(x2, h1 if h == "carried" else np.zeros((n_h, 1)), parameters)
    return (y2 if yhat == "new" else y1).ravel()


_SECOND_STEPS = (
    (_second_step, None),
    (lambda p, first: _second_step(p, first, x="zeros"),
     "x stays zeros after the first step: feed the one-hot vector of the index drawn back as "
     "the next x"),
    (lambda p, first: _second_step(p, first, h="reset"),
     "h is reset to zeros at every step: keep the state h that rnn_cell_forward returned at "
     "the previous step"),
    (lambda p, first: _second_step(p, first, yhat="previous"),
     f"each draw follows the previous step's yhat: {BEFORE_UPDATE}"),
)


def _one_hot(n, idx):
    x = np.zeros((n, 1))
    x[idx] = 1.0
    return x


# How sample may build the x it feeds back after drawing the letters of prefix: the right way,
# then the known mistakes, each with what to tell the student.
SAMPLE_FEEDBACK = (
    (lambda prefix: _one_hot(VOCAB_SIZE, prefix[-1]), None),
    (lambda prefix: np.isin(np.arange(VOCAB_SIZE), prefix).astype(float)[:, None],
     "one-hot input not reset: x still holds a 1 for every letter drawn before (x[idx] = 1 "
     "without x = np.zeros(...) first)"),
    (lambda prefix: np.bincount(prefix, minlength=VOCAB_SIZE).astype(float)[:, None],
     "one-hot input not reset: x adds up the letters drawn so far (x[idx] += 1 on the old x)"),
)


def _next_given_prefix(parameters, prefix, feedback):
    """yhat of the step after drawing prefix, when x is built by feedback (see SAMPLE_FEEDBACK)."""
    n_h = parameters["U"].shape[0]
    h, yhat = ref.rnn_cell_forward(np.zeros((VOCAB_SIZE, 1)), np.zeros((n_h, 1)), parameters)
    for j in range(1, len(prefix) + 1):  # (feedback is not called for an empty prefix)
        h, yhat = ref.rnn_cell_forward(feedback(list(prefix[:j])), h, parameters)
    return yhat.ravel()


# Names drawn, and draws per name, by the later-steps case: each draw of the student's sample costs
# an oracle call answered across the process boundary (most from the child's cache), so few.
LATER_NAMES, LATER_STEPS, LATER_MIN_DRAWS = 500, 3, 20


def _later_steps_power(parameters, n):
    """How far (a multiple of the critical value, the least over the known mistakes) the expected
    chi-square statistic of the later-steps case lies above the critical value when sample makes
    one of the mistakes of SAMPLE_FEEDBACK: Pearson's noncentrality, summed over the prefixes
    (a, b) expected at least 1.5 * LATER_MIN_DRAWS times."""
    mistakes = [0.0] * (len(SAMPLE_FEEDBACK) - 1)
    df = 0
    first = _next_given_prefix(parameters, (), None)
    for a in range(1, VOCAB_SIZE):
        second = _next_given_prefix(parameters, (a,), SAMPLE_FEEDBACK[0][0])
        for b in range(1, VOCAB_SIZE):
            count = n * first[a] * second[b]
            if count < 1.5 * LATER_MIN_DRAWS:
                continue
            p = _next_given_prefix(parameters, (a, b), SAMPLE_FEEDBACK[0][0])
            small = count * p < 5.0  # the cells chi_square pools into one
            cells = [p[~small]] + ([np.array([np.sum(p[small])])] if np.any(small) else [])
            p_cells = np.concatenate(cells)
            for i, (feedback, _) in enumerate(SAMPLE_FEEDBACK[1:]):
                q = _next_given_prefix(parameters, (a, b), feedback)
                q_cells = np.concatenate([q[~small]] + ([np.array([np.sum(q[small])])]
                                                        if np.any(small) else []))
                mistakes[i] += count * float(np.sum((q_cells - p_cells) ** 2 / p_cells))
            df += len(p_cells) - 1
    return min(mistakes) / _critical(df) if df else 0.0


def _powerful_later_inputs(k, n):
    """build_sample_inputs from the first seed _PRIVATE_SEED + k + 1000 j whose parameters (with
    '\n' made less likely) make each mistake of SAMPLE_FEEDBACK fail the later-steps case by a
    wide margin (expected statistic at least 4 times the critical value), whatever the secret."""
    for j in range(200):
        inputs = build_sample_inputs(_PRIVATE_SEED + k + 1000 * j, 4, 1.5, 0, n)
        inputs["parameters"]["beta2"][0] -= 1.0  # most names reach their third letter
        if _later_steps_power(inputs["parameters"], n) >= 4.0:
            return inputs
    raise RuntimeError("no hidden parameters for sample's later steps found")  # pragma: no cover


def _sample_later_steps(fn):
    """The 3rd index (up to the LATER_STEPS-th), given the prefix drawn, follows the reference's
    yhat after reading that prefix: Pearson's chi-square per prefix drawn at least 20 times,
    pooled over the prefixes, at the false-alarm rate ALPHA."""
    fn = using_reference(fn, "rnn_cell_forward")
    parameters, n = copy_parameters(_LATER["parameters"]), LATER_NAMES
    rng = np.random.default_rng(_PRIVATE_SEED + 50)
    names = repeat(fn, n, copy_parameters(parameters), dict(CHAR_TO_IX), rng,
                   max_length=LATER_STEPS)
    inputs = f"{_SAMPLE_SIZES}, max_length={LATER_STEPS}"
    groups = {}
    for out in names:
        out = expect_index_list(out, VOCAB_SIZE, "sample", inputs)
        for j in range(2, LATER_STEPS):
            if len(out) > j and 0 not in out[:j]:
                groups.setdefault(tuple(out[:j]), []).append(out[j])
    groups = {prefix: nexts for prefix, nexts in groups.items()
              if len(nexts) >= LATER_MIN_DRAWS}
    if not groups:
        raise CheckFailed(f"sample drew '\\n' within the first two letters almost every time on "
                          f"inputs {inputs}; each index must follow yhat of its step.")
    fits = []
    for feedback, cause in SAMPLE_FEEDBACK:
        statistic, df, worst = 0.0, 0, None
        for prefix, nexts in groups.items():
            probabilities = _next_given_prefix(parameters, prefix, feedback)
            counts = np.bincount(np.array(nexts, dtype=int), minlength=VOCAB_SIZE)
            s_, d_ = chi_square(counts, probabilities)
            statistic, df = statistic + s_, df + d_
            if worst is None or s_ > worst[0]:
                worst = (s_, prefix, counts, probabilities)
        fits.append((statistic, df, worst, cause))
        if cause is None and statistic <= _critical(df):
            return
    statistic, df, (_, prefix, counts, probabilities), _ = fits[0]
    critical = _critical(df)
    cause = next((c for s_, d_, _, c in fits[1:] if s_ <= _critical(d_)), None)
    advice = (f"the draws match a sample with the {cause}; start each step's x from zeros"
              if cause else
              "feed back the one-hot vector of the last index drawn (a fresh x of zeros with a "
              "single 1), keep the state h from the previous step, and draw from the new yhat")
    raise CheckFailed(
        f"sample: the third letter does not follow yhat of its step on inputs "
        f"{inputs} ({n} names, chi-square {statistic:.1f} > {critical:.1f} pooled over the "
        f"prefixes drawn; a correct sample fails this with probability below 1e-6). After "
        f"drawing {list(prefix)}, the next index had frequencies {format_distribution(counts)}, "
        f"expected {format_distribution(probabilities)}; {advice}."
    )


_LATER = _powerful_later_inputs(60, LATER_NAMES)


def _sample_list_of_ints(fn):
    fn = using_reference(fn, "rnn_cell_forward")
    # Both ways a name ends, whatever the hidden seed: '\n' drawn at once ('\n' made nearly
    # certain) and max_length reached ('\n' made nearly impossible).
    for k, newline_shift in ((44, 8.0), (50, -60.0)):
        rng = np.random.default_rng(_PRIVATE_SEED + k)
        out = fn(_sample_parameters(newline_shift), dict(CHAR_TO_IX), rng, max_length=10)
        expect_index_list(out, VOCAB_SIZE, "sample", f"{_SAMPLE_SIZES}, max_length=10",
                          strict=True)


def _sample_stops_at_newline(fn):
    fn = using_reference(fn, "rnn_cell_forward")
    rng = np.random.default_rng(_PRIVATE_SEED + 45)
    # '\n' made likely: names end after a few characters, well before the cap.
    names = repeat(fn, 40, _sample_parameters(3.0), dict(CHAR_TO_IX), rng, max_length=30)
    inputs = f"{_SAMPLE_SIZES}, max_length=30"
    ended_early = 0
    for out in names:
        out = expect_index_list(out, VOCAB_SIZE, "sample", inputs)
        if 0 in out[:-1]:
            raise CheckFailed(
                f"sample returned {out} on inputs {inputs}: it kept drawing after '\\n' (index 0) "
                f"at position {out.index(0)}; stop as soon as char_to_ix['\\n'] is drawn."
            )
        if out[-1] != 0:
            raise CheckFailed(f"sample returned {out} on inputs {inputs}; a name ends with "
                              "char_to_ix['\\n'].")
        ended_early += len(out) <= 30
    if ended_early == 0:
        raise CheckFailed(f"sample never stopped before max_length on inputs {inputs}, although "
                          "'\\n' is likely at every step; stop when char_to_ix['\\n'] is drawn.")


def _sample_max_length(fn):
    fn = using_reference(fn, "rnn_cell_forward")
    rng = np.random.default_rng(_PRIVATE_SEED + 46)
    # '\n' made (nearly) impossible: every name runs into the cap.
    for max_length in (7, 1):
        names = repeat(fn, 5, _sample_parameters(-60.0), dict(CHAR_TO_IX), rng,
                       max_length=max_length)
        inputs = f"{_SAMPLE_SIZES}, max_length={max_length}, '\\n' never drawn"
        for out in names:
            out = expect_index_list(out, VOCAB_SIZE, "sample", inputs)
            drawn = [i for i in out if i != 0]
            if len(drawn) > max_length:
                raise CheckFailed(f"sample drew {len(drawn)} characters on inputs {inputs}; "
                                  "draw at most max_length of them.")
            if len(out) != max_length + 1 or out[-1] != 0:
                raise CheckFailed(
                    f"sample returned {out} (length {len(out)}) on inputs {inputs}; after "
                    "max_length draws without '\\n', append char_to_ix['\\n'], "
                    f"so the result has max_length + 1 = {max_length + 1} indices."
                )


def _long_name(fn, seed):
    rng = np.random.default_rng(seed)
    out = fn(_sample_parameters(-60.0), dict(CHAR_TO_IX), rng, max_length=40)
    return expect_index_list(out, VOCAB_SIZE, "sample", f"{_SAMPLE_SIZES}, max_length=40")


def _sample_same_state(fn):
    fn = using_reference(fn, "rnn_cell_forward")
    first = _long_name(fn, _PRIVATE_SEED + 47)
    second = _long_name(fn, _PRIVATE_SEED + 47)
    if first != second:
        raise CheckFailed(
            f"sample gave two different names for two Generators in the same state on inputs "
            f"{_SAMPLE_SIZES}, max_length=40; draw with the rng passed in (rng.choice), not with "
            "np.random.* whose global state differs from call to call."
        )


def _sample_uses_rng(fn):
    fn = using_reference(fn, "rnn_cell_forward")
    first = _long_name(fn, _PRIVATE_SEED + 48)
    second = _long_name(fn, _PRIVATE_SEED + 49)
    if first == second:
        raise CheckFailed(
            f"sample gave the same 40-character name for Generators in different states on inputs "
            f"{_SAMPLE_SIZES}, max_length=40; all randomness must come from the rng passed in "
            "(not from np.random.* or a Generator made inside sample)."
        )


_SAMPLE_PUBLIC = {"seed": PUBLIC_SEED + 4, "n_h": 4, "scale": 2.0, "seed_draws": PUBLIC_SEED + 5,
                  "n": 1000}
_add_public("sample", "public_first_step", 3, check_first_step, build_sample_inputs,
            _SAMPLE_PUBLIC, lambda: _first_step_expected(build_sample_inputs(**_SAMPLE_PUBLIC)),
            (), helpers=(build_inputs, draw_first_indices))
_add("sample", "returns_list_of_ints", 1, _sample_list_of_ints)
_add("sample", "first_step_distribution", 2, _sample_first_step)
_add("sample", "next_step_distribution", 2, _sample_next_step)
_add("sample", "later_steps_given_prefix", 2, _sample_later_steps)
_add("sample", "stops_at_newline", 1.5, _sample_stops_at_newline)
_add("sample", "max_length_cap", 1.5, _sample_max_length)
_add("sample", "same_rng_state_same_name", 1, _sample_same_state)
_add("sample", "all_randomness_from_rng", 1, _sample_uses_rng)

GRADED = notebooks.NOTEBOOKS["rnn_dinosaurs"]["functions"]
POINTS = _CASES.points(GRADED)

# What autograder.checks.public copies into every public test file of this notebook, besides the
# helpers of autograder.checks and each public case's build, helpers and check.
PUBLIC_CONSTANTS = ("GRADIENT_KEYS", "BPTT_CAUSES", "BPTT_REFUSED", "BPTT_REFUSED_MESSAGE")
PUBLIC_SUPPORT = (bptt_likely_cause,)
