"""The checks of notebook 2 (``rnn_bidirectional_deep.ipynb``): ``CASES`` for its graded functions.

Points: birnn_forward 10, deep_rnn_forward 10, split over cases, one per property. Each function
has one public case (``hidden=False``) built from ``PUBLIC_SEED``, rendered into the students'
public test file by ``autograder.checks.public``; the hidden cases build their inputs from
``_PRIVATE_SEED``, derived from the secret made when the zip is built
(``autograder.secret``), which never leaves the grader.

Inputs have n_x and n_h different (layers of a deep RNN of different widths), nonzero biases,
nonzero initial states that differ between directions and layers, m = 1 and m > 1, T = 1 and T > 1.
Expected values come from ``solutions.bidirectional`` and ``solutions.deep``. When a value is wrong,
the message names the likely mistake by comparing the student's value with what the common
mistakes compute (precomputed from the reference into ``expected["alternatives"]``, so that the
public test files carry values, never code): the two directions added instead of stacked, the
halves swapped, the backward states stored in reversed time order, the backward direction reading
x_0 first, one direction's h0 or parameters used for both, every layer reading X, layer 0's
parameters or h0 used for every layer.

The ``check_*`` and ``build_*`` functions below use only NumPy and the helpers of
``autograder.checks``: the public test files carry a copy of their source.
"""

from __future__ import annotations

import numpy as np

from autograder import notebooks
from autograder.checks import (
    CaseList,
    CheckFailed,
    copy_parameters,
    describe,
    expect_array,
    expect_shape,
    likely_cause,
    type_name,
)
from autograder.secret import private_seed
from solutions import bidirectional as ref_bi
from solutions import deep as ref_deep
from solutions.layers import rnn_layer_forward

PUBLIC_SEED = 4048
_PRIVATE_SEED = private_seed("rnn_bidirectional_deep")  # from the build's secret
GRADED = notebooks.NOTEBOOKS["rnn_bidirectional_deep"]["functions"]


# ------------------------------------------------------------------ inputs (copied into public)


def random_layer(rng, n_in, n_h, scale):
    """A hidden layer's parameters, uniform in [-scale, scale] (bias included, nonzero on purpose).

    Returns:
    dict with "V" (n_h, n_in), "U" (n_h, n_h), "beta1" (n_h, 1)
    """
    return {
        "V": rng.uniform(-scale, scale, (n_h, n_in)),
        "U": rng.uniform(-scale, scale, (n_h, n_h)),
        "beta1": rng.uniform(-scale, scale, (n_h, 1)),
    }


def build_bi_inputs(seed, n_x, n_h, m, T, scale=1.0):
    """Random inputs of birnn_forward, from numpy.random.default_rng(seed).

    Returns:
    dict with "X" (n_x, m, T) and "h0_f", "h0_b" (n_h, m), uniform in [-1, 1]; "params_f",
    "params_b", two independent layers; "sizes", a string
    """
    rng = np.random.default_rng(seed)
    return {
        "X": rng.uniform(-1.0, 1.0, (n_x, m, T)),
        "h0_f": rng.uniform(-1.0, 1.0, (n_h, m)),
        "h0_b": rng.uniform(-1.0, 1.0, (n_h, m)),
        "params_f": random_layer(rng, n_x, n_h, scale),
        "params_b": random_layer(rng, n_x, n_h, scale),
        "sizes": describe(n_x=n_x, n_h=n_h, m=m, T=T),
    }


def build_deep_inputs(seed, n_x, widths, m, T, scale=1.0):
    """Random inputs of deep_rnn_forward, from numpy.random.default_rng(seed).

    widths -- the layers' hidden sizes (n_h_0, n_h_1, ...); layer l reads n_x (l = 0) or
              n_h_{l-1} numbers

    Returns:
    dict with "X" (n_x, m, T); "h0s", a list of (n_h_l, m) states uniform in [-1, 1]; "layers", a
    list of independent layers; "sizes", a string
    """
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, (n_x, m, T))
    h0s = [rng.uniform(-1.0, 1.0, (n_h, m)) for n_h in widths]
    inputs = [n_x] + list(widths[:-1])
    layers = [random_layer(rng, n_in, n_h, scale) for n_in, n_h in zip(inputs, widths, strict=True)]
    widths_text = "(" + ", ".join(str(w) for w in widths) + ")"
    sizes = f"{describe(n_x=n_x, m=m, T=T)}, {len(widths)} layers of widths {widths_text}"
    return {"X": X, "h0s": h0s, "layers": layers, "sizes": sizes}


# ---------------------------------------------------- property checks (copied into public)


def check_birnn_forward(fn, inputs, expected, properties):
    """Call fn(X, h0_f, h0_b, params_f, params_b) and check properties.

    expected -- {"H": (2 n_h, m, T), the reference's value; "alternatives": {"forward": [...],
                "backward": [...]}, what common mistakes give for each half (likely_cause)}
    properties -- some of "shapes", "forward", "backward", "alignment"
    """
    name, sizes = "birnn_forward", inputs["sizes"]
    result = fn(inputs["X"].copy(), inputs["h0_f"].copy(), inputs["h0_b"].copy(),
                copy_parameters(inputs["params_f"]), copy_parameters(inputs["params_b"]))
    H_ref = expected["H"]
    n_h2, m, T = H_ref.shape
    n_h = n_h2 // 2
    if isinstance(result, (tuple, list)):
        raise CheckFailed(
            f"{name} returned {type_name(result)} on inputs {sizes}; it should return one array "
            f"H of shape (2 n_h, m, T) = {H_ref.shape}, both directions stacked."
        )
    if result is None:
        raise CheckFailed(f"{name} returned None on inputs {sizes}; it should return H of shape "
                          f"(2 n_h, m, T) = {H_ref.shape}. Did you forget the return statement?")
    if isinstance(result, np.ndarray) and result.shape == (n_h, m, T):
        raise CheckFailed(
            f"{name}: H has shape {result.shape} on inputs {sizes}, expected (2 n_h, m, T) = "
            f"{H_ref.shape}; it looks like the two directions were added. Stack them instead "
            "(concatenate along axis 0): H[:n_h] is the forward direction, H[n_h:] the backward "
            "one."
        )
    H = expect_shape(result, H_ref.shape, "H", name, sizes,
                     "H is (2 n_h, m, T): the forward states on top of the backward states.")
    if "forward" in properties:
        cause = likely_cause(
            H[:n_h], expected["alternatives"]["forward"],
            "H[:n_h, :, t] is the forward direction's state after reading x_0, ..., x_t, from "
            "h0_f with params_f; check the loop and what is stored at index t")
        expect_array(H[:n_h], H_ref[:n_h], "H[:n_h] (the forward half)", name, sizes, cause)
    if "alignment" in properties:
        # a mistake that explains the whole backward half first: it is the surest diagnosis
        whole = likely_cause(H[n_h:], expected["alternatives"]["backward"], None)
        cause = whole or likely_cause(
            H[n_h:, :, T - 1], [(value[:, :, T - 1], text)
                                for value, text in expected["alternatives"]["backward"]],
            f"H[n_h:, :, {T - 1}] is the backward direction's first step: it has read only "
            f"x_{T - 1} = X[:, :, {T - 1}], starting from h0_b")
        expect_array(H[n_h:, :, T - 1], H_ref[n_h:, :, T - 1], f"H[n_h:, :, {T - 1}]", name,
                     sizes, cause)
        cause = whole or likely_cause(
            H[n_h:, :, 0], [(value[:, :, 0], text)
                            for value, text in expected["alternatives"]["backward"]],
            "H[n_h:, :, 0] is the backward direction's last step: the state after reading "
            f"x_{T - 1}, ..., x_1, x_0, i.e. the last state of a run over the reversed sequence")
        expect_array(H[n_h:, :, 0], H_ref[n_h:, :, 0], "H[n_h:, :, 0]", name, sizes, cause)
    if "backward" in properties:
        cause = likely_cause(
            H[n_h:], expected["alternatives"]["backward"],
            "H[n_h:, :, t] is the backward direction's state after reading x_{T-1}, ..., x_t, "
            "from h0_b with params_b; loop over t from T-1 down to 0 and store the state at "
            "index t")
        expect_array(H[n_h:], H_ref[n_h:], "H[n_h:] (the backward half)", name, sizes, cause)


def check_deep_rnn_forward(fn, inputs, expected, properties):
    """Call fn(X, h0s, layers) and check properties.

    expected -- {"Hs": list of (n_h_l, m, T), the reference's values; "alternatives": one list
                per layer of what common mistakes give for that layer (likely_cause)}
    properties -- some of "shapes", "layer0", "upper" (the layers above the first)
    """
    name, sizes = "deep_rnn_forward", inputs["sizes"]
    result = fn(inputs["X"].copy(), [h0.copy() for h0 in inputs["h0s"]],
                [copy_parameters(layer) for layer in inputs["layers"]])
    Hs_ref = expected["Hs"]
    L = len(Hs_ref)
    wanted = (f"a list of {L} arrays, Hs[l] of shape (n_h_l, m, T): "
              + ", ".join(str(H.shape) for H in Hs_ref))
    if result is None:
        raise CheckFailed(f"{name} returned None on inputs {sizes}; it should return {wanted}. "
                          "Did you forget the return statement?")
    if isinstance(result, np.ndarray):
        raise CheckFailed(
            f"{name} returned {type_name(result)} on inputs {sizes}; it should return {wanted}, "
            "every layer's states, not only the top layer's (append each layer's H to a list).")
    if not isinstance(result, (list, tuple)):
        raise CheckFailed(f"{name} returned {type_name(result)} on inputs {sizes}; it should "
                          f"return {wanted}.")
    if len(result) != L:
        raise CheckFailed(
            f"{name} returned a list of {len(result)} on inputs {sizes}; it should return "
            f"{wanted}, one entry per layer (append each layer's H, including the top one).")
    for k in range(L):
        expect_shape(result[k], Hs_ref[k].shape, f"Hs[{k}]", name, sizes,
                     f"Hs[{k}] is (n_h_{k}, m, T): layer {k}'s width is layers[{k}]['U'].shape[0].")
    for k in range(L):
        if (k == 0 and "layer0" not in properties) or (k > 0 and "upper" not in properties):
            continue
        if k == 0:
            default = ("layer 0 reads X: Hs[0][:, :, t] = rnn_step(X[:, :, t], h, layers[0]), "
                       "starting from h = h0s[0]")
        else:
            default = (f"layer {k} reads layer {k - 1}'s states: Hs[{k}][:, :, t] = "
                       f"rnn_step(Hs[{k - 1}][:, :, t], h, layers[{k}]), starting from "
                       f"h = h0s[{k}]")
        cause = likely_cause(result[k], expected["alternatives"][k], default)
        expect_array(result[k], Hs_ref[k], f"Hs[{k}]", name, sizes, cause)


# ------------------------------------------------------------------ expected values


def _run(X, h0, layer):
    return rnn_layer_forward(X, h0, layer)


def _run_without_tanh(X, h0, layer):
    """What a layer whose step forgets the tanh computes: h = U h + V x_t + beta1."""
    H, h = np.zeros((h0.shape[0],) + X.shape[1:]), h0
    for t in range(X.shape[2]):
        h = layer["U"] @ h + layer["V"] @ X[:, :, t] + layer["beta1"]
        H[:, :, t] = h
    return H


def _bi_expected(inputs):
    """The reference's H, and what the common mistakes give for each half."""
    X, h0_f, h0_b = inputs["X"], inputs["h0_f"], inputs["h0_b"]
    p_f, p_b = inputs["params_f"], inputs["params_b"]
    H = ref_bi.birnn_forward(X, h0_f, h0_b, p_f, p_b)
    n_h, T = h0_f.shape[0], X.shape[2]
    forward, backward = H[:n_h], H[n_h:]
    reversed_X = X[:, :, ::-1]
    summed = ("the two directions look added (H[:n_h] holds forward + backward states); stack "
              "them instead: H[:n_h] forward, H[n_h:] backward")
    swapped_f = ("H[:n_h] holds the backward direction: the halves are swapped; the forward "
                 "states go on top (H[:n_h]), the backward states below (H[n_h:])")
    swapped_b = ("H[n_h:] holds the forward direction: the halves are swapped; the forward "
                 "states go on top (H[:n_h]), the backward states below (H[n_h:])")
    alternatives = {
        "forward": [
            (backward, swapped_f),
            (forward + backward, summed),
            (_run(X, h0_b, p_f), "the forward direction starts from h0_b; it starts from h0_f"),
            (_run(X, h0_f, p_b), "the forward direction uses params_b; each direction has its "
                                 "own parameters, the forward one params_f"),
            (_run(X, np.zeros(h0_f.shape), p_f), "the forward direction starts from zeros; "
                                                  "start from h0_f"),
        ],
        "backward": [
            (backward[:, :, ::-1], "the backward half looks reversed in time: H[n_h:, :, t] "
                                   "matches the reference at T-1-t. Store the backward state "
                                   "after reading x_t at index t (not at T-1-t)"),
            (_run(X, h0_b, p_b), "the backward direction reads x_0 first, like the forward "
                                 "one; it must start at x_{T-1} and go down to x_0"),
            (_run(X[:, :, [(T - t) % T for t in range(T)]], h0_b, p_b)[:, :, ::-1],
             "the backward direction's step t reads X[:, :, T - t], an index off by one: x_0 "
             "first, then x_{T-1}, ..., x_1; read X[:, :, T - 1 - t] (x_{T-1} first, x_0 last)"),
            (_run(X, h0_b, p_b)[:, :, ::-1], "the backward direction reads x_0 first and stores "
                                             "its states in reversed order; it must read "
                                             "x_{T-1} first and store the state after x_t at t"),
            (forward, swapped_b),
            (forward + backward, summed),
            (_run(reversed_X, h0_f, p_b)[:, :, ::-1], "the backward direction starts from h0_f; "
                                                      "it starts from h0_b"),
            (_run(reversed_X, h0_b, p_f)[:, :, ::-1], "the backward direction uses params_f; "
                                                      "each direction has its own parameters, "
                                                      "the backward one params_b"),
            (_run(reversed_X, np.zeros(h0_b.shape), p_b)[:, :, ::-1],
             "the backward direction starts from zeros; start from h0_b"),
        ],
    }
    return {"H": H, "alternatives": alternatives}


def _deep_expected(inputs):
    """The reference's Hs, and what the common mistakes give for each layer."""
    X, h0s, layers = inputs["X"], inputs["h0s"], inputs["layers"]
    Hs = ref_deep.deep_rnn_forward(X, h0s, layers)
    no_tanh = ("the step has no tanh (h = U h + V x_t + beta1, without the tanh): "
               "use the given rnn_step, h = tanh(U h + V x_t + beta1)")
    linear = [_run_without_tanh(X, h0s[0], layers[0])]
    alternatives = [[(_run(X, np.zeros(h0s[0].shape), layers[0]),
                      "layer 0 starts from zeros; start from h0s[0]"),
                     (linear[0], f"layer 0: {no_tanh}")]]
    for k in range(1, len(layers)):
        linear.append(_run_without_tanh(linear[-1], h0s[k], layers[k]))
        n_h, n_in = layers[k]["V"].shape
        below = Hs[k - 1]
        options = []
        if n_in == X.shape[0]:
            options.append((_run(X, h0s[k], layers[k]),
                            f"layer {k} reads the inputs X; it reads layer {k - 1}'s states "
                            f"Hs[{k - 1}] (each layer feeds the next)"))
        if layers[0]["V"].shape == (n_h, n_in):
            options.append((_run(below, h0s[k], layers[0]),
                            f"layer {k} uses layers[0]'s parameters; it uses its own, "
                            f"layers[{k}]"))
        if layers[0]["V"].shape == (n_h, X.shape[0]):
            options.append((_run(X, h0s[k], layers[0]),
                            f"layer {k} computes the same as layer 0 (it reads X with layers[0]);"
                            f" it reads Hs[{k - 1}] with layers[{k}]"))
        if h0s[0].shape == (n_h, X.shape[1]):
            options.append((_run(below, h0s[0], layers[k]),
                            f"layer {k} starts from h0s[0]; it starts from its own h0s[{k}]"))
        options.append((_run(below, np.zeros(h0s[k].shape), layers[k]),
                        f"layer {k} starts from zeros; start from h0s[{k}]"))
        options.append((linear[k], f"layer {k} and the layers below: {no_tanh}"))
        if k >= 2 and Hs[0].shape[0] == n_in:
            options.append((_run(Hs[0], h0s[k], layers[k]),
                            f"layer {k} reads layer 0's states; it reads the layer just below, "
                            f"Hs[{k - 1}]"))
        alternatives.append(options)
    return {"Hs": Hs, "alternatives": alternatives}


# ------------------------------------------------------------------ cases

_CASES = CaseList()
CASES = _CASES.all
PUBLIC = _CASES.public
_add = _CASES.add


def _add_public(*args):
    _CASES.add_public(*args, helpers=(random_layer,))


# ---- birnn_forward: 10 points

BI_PROPERTIES = ("shapes", "forward", "backward", "alignment")


def _bi_case(k, sizes, properties, h0_scale=None):
    def run(fn):
        inputs = build_bi_inputs(_PRIVATE_SEED + k, *sizes)
        if h0_scale is not None:
            # Far from each other and from zero: starting a direction from the other's h0 (or
            # from zeros) moves its first states by a lot.
            inputs["h0_f"] = h0_scale * np.sign(inputs["h0_f"])
            inputs["h0_b"] = -inputs["h0_f"]
        check_birnn_forward(fn, inputs, _bi_expected(inputs), properties)
    return run


def _bi_own_params(fn):
    # Directions with very different weights (the backward one's V negated and scaled), so that
    # using params_f for both cannot pass by luck.
    inputs = build_bi_inputs(_PRIVATE_SEED + 17, 4, 3, 2, 4)
    inputs["params_b"]["V"] = -2.0 * inputs["params_f"]["V"]
    check_birnn_forward(fn, inputs, _bi_expected(inputs), ("forward", "backward"))


_BI_PUBLIC = {"seed": PUBLIC_SEED, "n_x": 4, "n_h": 3, "m": 2, "T": 3}
_add_public("birnn_forward", "public_shapes_and_values", 2, check_birnn_forward, build_bi_inputs,
            _BI_PUBLIC, lambda: _bi_expected(build_bi_inputs(**_BI_PUBLIC)), BI_PROPERTIES)
_add("birnn_forward", "concatenated_shape", 1, _bi_case(11, (3, 5, 2, 4), ("shapes",)))
_add("birnn_forward", "forward_half", 1.5, _bi_case(12, (5, 3, 3, 4), ("forward",)))
_add("birnn_forward", "backward_half", 1.5, _bi_case(13, (3, 4, 2, 5), ("backward",)))
_add("birnn_forward", "backward_aligned_in_time", 1,
     _bi_case(14, (4, 3, 2, 6), ("alignment",)))
_add("birnn_forward", "own_h0_per_direction", 1,
     _bi_case(15, (3, 4, 2, 3), ("forward", "backward"), h0_scale=0.9))
_add("birnn_forward", "own_params_per_direction", 1, _bi_own_params)
_add("birnn_forward", "T1", 0.5, _bi_case(18, (4, 5, 2, 1), BI_PROPERTIES))
_add("birnn_forward", "m1", 0.5, _bi_case(19, (5, 4, 1, 4), BI_PROPERTIES))


# ---- deep_rnn_forward: 10 points

DEEP_PROPERTIES = ("shapes", "layer0", "upper")


def _deep_case(k, n_x, widths, m, T, properties, h0_scale=None):
    def run(fn):
        inputs = build_deep_inputs(_PRIVATE_SEED + k, n_x, widths, m, T)
        if h0_scale is not None:
            # Each layer's h0 far from the others': h0s[0] used for every layer fails clearly.
            for j, h0 in enumerate(inputs["h0s"]):
                inputs["h0s"][j] = h0_scale * (-1) ** j * np.sign(h0)
        check_deep_rnn_forward(fn, inputs, _deep_expected(inputs), properties)
    return run


def _deep_one_layer(fn):
    # One layer: the stack is a plain RNN layer run over X.
    inputs = build_deep_inputs(_PRIVATE_SEED + 27, 4, (5,), 2, 3)
    H = rnn_layer_forward(inputs["X"], inputs["h0s"][0], inputs["layers"][0])
    expected = _deep_expected(inputs)
    expected["Hs"] = [H]
    check_deep_rnn_forward(fn, inputs, expected, DEEP_PROPERTIES)


_DEEP_PUBLIC = {"seed": PUBLIC_SEED + 1, "n_x": 4, "widths": (3, 5), "m": 2, "T": 3}
_add_public("deep_rnn_forward", "public_shapes_and_values", 2, check_deep_rnn_forward,
            build_deep_inputs, _DEEP_PUBLIC,
            lambda: _deep_expected(build_deep_inputs(**_DEEP_PUBLIC)), DEEP_PROPERTIES)
_add("deep_rnn_forward", "shapes_per_layer", 1,
     _deep_case(21, 3, (5, 2, 4), 2, 1, ("shapes",)))
_add("deep_rnn_forward", "layer0_values", 1, _deep_case(22, 5, (4, 6), 3, 4, ("layer0",)))
_add("deep_rnn_forward", "layer1_reads_layer0", 2, _deep_case(23, 3, (5, 4), 2, 4, ("upper",)))
_add("deep_rnn_forward", "own_h0_per_layer", 1,
     _deep_case(24, 4, (4, 4, 4), 2, 3, ("layer0", "upper"), h0_scale=0.9))
_add("deep_rnn_forward", "own_params_per_layer", 1,
     _deep_case(25, 4, (4, 4), 2, 3, ("layer0", "upper")))
_add("deep_rnn_forward", "one_layer_is_an_rnn_layer", 1, _deep_one_layer)
_add("deep_rnn_forward", "three_layers_m1", 1,
     _deep_case(28, 3, (6, 2, 5), 1, 5, DEEP_PROPERTIES))

POINTS = _CASES.points(GRADED)

# What autograder.checks.public copies into every public test file of this notebook, besides the
# helpers of autograder.checks and each public case's build, helpers and check.
PUBLIC_CONSTANTS = ()
PUBLIC_SUPPORT = ()
