"""Notebook 2's reference: solutions.bidirectional and solutions.deep, on top of solutions.layers.

Forward passes are checked against their definition (one layer run forward and one on the
time-reversed sequence; a stack where each layer reads the one below) and for what may depend on
what. Backward passes are checked by centered finite differences of a loss put on top of the states:
a random linear loss L = sum(G * H) (so dL/dH = G), and an output layer with softmax cross-entropy,
many-to-many (every time step) and many-to-one (the last time step). Every gradient, dh0 and dX
included, must agree to a relative error below 1e-6, in float64.
"""

import numpy as np
import pytest

from solutions.bidirectional import birnn_backward, birnn_forward
from solutions.deep import deep_rnn_backward, deep_rnn_forward
from solutions.gradcheck import numerical_gradient, relative_error
from solutions.layers import (
    LAYER_GRADIENT_KEYS,
    output_backward,
    output_forward,
    rnn_layer_forward,
    softmax_cross_entropy,
)
from solutions.rnn import one_hot

TOLERANCE = 1e-6
N_Y = 5
HEADS = ("linear", "many_to_many", "many_to_one")
# (n_x, n_h, m, T): one step of one sequence, and sizes that all differ.
BI_SHAPES = [(3, 4, 1, 1), (5, 3, 2, 6), (4, 6, 3, 4)]
# (n_x, widths, m, T): layers of different widths, a single layer, one step of one sequence.
DEEP_SHAPES = [(4, (5, 3, 6), 2, 5), (3, (4,), 1, 1), (6, (2, 7), 3, 3), (2, (3, 3, 2, 4), 1, 2)]


def random_layer(n_in, n_h, rng, scale=0.5):
    # Nonzero biases, so that a gradient that forgets one cannot pass by accident.
    return {
        "V": rng.normal(0, scale, (n_h, n_in)),
        "U": rng.normal(0, scale, (n_h, n_h)),
        "beta1": rng.normal(0, scale, (n_h, 1)),
    }


def make_head(kind, n_h, m, T, rng):
    """A loss on top of states H (n_h, m, T).

    Returns:
    loss -- loss(H) -> float
    backward -- backward(H) -> (dL/dH of shape (n_h, m, T), {name: (analytic gradient, parameter)})
    """
    if kind == "linear":
        G = rng.normal(size=(n_h, m, T))
        return (lambda H: float(np.sum(G * H))), (lambda H: (G, {}))
    W, beta2 = rng.normal(0, 0.5, (N_Y, n_h)), rng.normal(0, 0.5, (N_Y, 1))
    if kind == "many_to_many":
        Y = one_hot(rng.integers(N_Y, size=(m, T)), N_Y)

        def select(H):
            return H

    else:
        Y = one_hot(rng.integers(N_Y, size=m), N_Y)

        def select(H):
            return H[:, :, -1]

    def loss(H):
        return softmax_cross_entropy(output_forward(select(H), W, beta2), Y)[0]

    def backward(H):
        S = select(H)
        _, dZ = softmax_cross_entropy(output_forward(S, W, beta2), Y)
        dW, dbeta2, dS = output_backward(dZ, S, W)
        dH = np.zeros_like(H)
        select(dH)[...] = dS  # a view: many-to-one fills only the last time step
        return dH, {"dW": (dW, W), "dbeta2": (dbeta2, beta2)}

    return loss, backward


def assert_gradients(loss, pairs, where):
    """pairs: {label: (analytic, array the loss reads)}; each compared with finite differences."""
    for label, (analytic, wrt) in pairs.items():
        assert analytic.shape == wrt.shape, f"{label} {where}: shape {analytic.shape}"
        err = relative_error(analytic, numerical_gradient(loss, wrt))
        assert err < TOLERANCE, f"{label} {where}: relative error {err:.2e}"


def layer_pairs(prefix, grads, layer, h0):
    assert set(grads) == set(LAYER_GRADIENT_KEYS), prefix
    pairs = {f"{prefix} d{name}": (grads["d" + name], layer[name]) for name in layer}
    pairs[f"{prefix} dh0"] = (grads["dh0"], h0)
    return pairs


def bi_problem(n_x, n_h, m, T, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m, T))
    h0_f, h0_b = rng.normal(0, 0.5, (n_h, m)), rng.normal(0, 0.5, (n_h, m))
    return rng, X, h0_f, h0_b, random_layer(n_x, n_h, rng), random_layer(n_x, n_h, rng)


# --- bidirectional: forward -----------------------------------------------------------------------


@pytest.mark.parametrize("n_x, n_h, m, T", BI_SHAPES)
def test_birnn_forward_is_a_forward_layer_and_a_layer_on_reversed_time(n_x, n_h, m, T):
    _, X, h0_f, h0_b, params_f, params_b = bi_problem(n_x, n_h, m, T, seed=1)
    H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
    assert H.shape == (2 * n_h, m, T)
    np.testing.assert_allclose(H[:n_h], rnn_layer_forward(X, h0_f, params_f), rtol=0, atol=1e-15)
    backward = rnn_layer_forward(X[:, :, ::-1], h0_b, params_b)[:, :, ::-1]
    np.testing.assert_allclose(H[n_h:], backward, rtol=0, atol=1e-15)


def test_birnn_forward_half_ignores_the_future_backward_half_the_past():
    n_h, T, s = 3, 6, 2
    _, X, h0_f, h0_b, params_f, params_b = bi_problem(4, n_h, 2, T, seed=2)
    H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
    X2 = X.copy()
    X2[:, :, s] += 1.0
    H2 = birnn_forward(X2, h0_f, h0_b, params_f, params_b)
    # Forward state at t has read x_0..x_t: it changes exactly from t = s on.
    assert list(np.any(H2[:n_h] != H[:n_h], axis=(0, 1))) == [t >= s for t in range(T)]
    # Backward state at t has read x_{T-1}..x_t: it changes exactly up to t = s.
    assert list(np.any(H2[n_h:] != H[n_h:], axis=(0, 1))) == [t <= s for t in range(T)]


def test_birnn_forward_each_direction_has_its_own_h0_and_parameters():
    n_h = 4
    rng, X, h0_f, h0_b, params_f, params_b = bi_problem(3, n_h, 2, 5, seed=3)
    H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
    other_layer = random_layer(3, n_h, rng)
    other_h0 = rng.normal(size=h0_f.shape)
    # (argument changed, which half must stay the same)
    variants = [
        ((X, other_h0, h0_b, params_f, params_b), slice(n_h, None)),
        ((X, h0_f, h0_b, other_layer, params_b), slice(n_h, None)),
        ((X, h0_f, other_h0, params_f, params_b), slice(None, n_h)),
        ((X, h0_f, h0_b, params_f, other_layer), slice(None, n_h)),
    ]
    for args, same in variants:
        H2 = birnn_forward(*args)
        other = slice(None, n_h) if same.start == n_h else slice(n_h, None)
        np.testing.assert_array_equal(H2[same], H[same])
        assert np.all(np.any(H2[other] != H[other], axis=(0, 1))), "the other half must change"


def test_birnn_forward_leaves_its_inputs_unchanged():
    _, X, h0_f, h0_b, params_f, params_b = bi_problem(3, 4, 2, 5, seed=4)
    before = [a.copy() for a in (X, h0_f, h0_b, *params_f.values(), *params_b.values())]
    birnn_forward(X, h0_f, h0_b, params_f, params_b)
    after = (X, h0_f, h0_b, *params_f.values(), *params_b.values())
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))


def test_birnn_forward_rejects_directions_of_different_sizes():
    rng, X, h0_f, _, params_f, _ = bi_problem(3, 4, 2, 5, seed=5)
    params_b = random_layer(3, 5, rng)
    with pytest.raises(ValueError, match="same hidden size"):
        birnn_forward(X, h0_f, rng.normal(size=(5, 2)), params_f, params_b)


def test_birnn_forward_matches_torch_bidirectional_rnn():
    torch = pytest.importorskip("torch")
    n_x, n_h, m, T = 3, 4, 2, 5
    _, X, h0_f, h0_b, params_f, params_b = bi_problem(n_x, n_h, m, T, seed=6)
    rnn = torch.nn.RNN(n_x, n_h, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for suffix, p in (("", params_f), ("_reverse", params_b)):
            getattr(rnn, "weight_ih_l0" + suffix).copy_(torch.from_numpy(p["V"]))
            getattr(rnn, "weight_hh_l0" + suffix).copy_(torch.from_numpy(p["U"]))
            getattr(rnn, "bias_ih_l0" + suffix).copy_(torch.from_numpy(p["beta1"].ravel()))
            getattr(rnn, "bias_hh_l0" + suffix).zero_()
        # torch's layout: input (T, m, n_x), h0 (2, m, n_h), output (T, m, 2 n_h).
        out, h_n = rnn(
            torch.from_numpy(np.ascontiguousarray(X.transpose(2, 1, 0))),
            torch.from_numpy(np.stack([h0_f.T, h0_b.T])),
        )
    H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
    np.testing.assert_allclose(out.numpy().transpose(2, 1, 0), H, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[0], H[:n_h, :, -1].T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h_n.numpy()[1], H[n_h:, :, 0].T, rtol=0, atol=1e-12)


# --- bidirectional: backward ----------------------------------------------------------------------


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("n_x, n_h, m, T", BI_SHAPES)
def test_birnn_backward_matches_finite_differences(n_x, n_h, m, T, head):
    rng, X, h0_f, h0_b, params_f, params_b = bi_problem(
        n_x, n_h, m, T, seed=[n_x, n_h, m, T, HEADS.index(head)]
    )
    loss_on, backward_of = make_head(head, 2 * n_h, m, T, rng)

    def loss():
        return loss_on(birnn_forward(X, h0_f, h0_b, params_f, params_b))

    H = birnn_forward(X, h0_f, h0_b, params_f, params_b)
    dH, head_pairs = backward_of(H)
    grads_f, grads_b, dX = birnn_backward(dH, X, H, h0_f, h0_b, params_f, params_b)
    pairs = {
        **layer_pairs("forward", grads_f, params_f, h0_f),
        **layer_pairs("backward", grads_b, params_b, h0_b),
        **head_pairs,
        "dX": (dX, X),
    }
    assert_gradients(
        loss, pairs, f"with a {head} loss on shape (n_x, n_h, m, T) = {(n_x, n_h, m, T)}"
    )


# --- deep: forward --------------------------------------------------------------------------------


def deep_problem(n_x, widths, m, T, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_x, m, T))
    sizes = (n_x, *widths)
    layers = [random_layer(sizes[k], sizes[k + 1], rng) for k in range(len(widths))]
    h0s = [rng.normal(0, 0.5, (n_h, m)) for n_h in widths]
    return rng, X, h0s, layers


@pytest.mark.parametrize("n_x, widths, m, T", DEEP_SHAPES)
def test_deep_rnn_forward_each_layer_reads_the_one_below(n_x, widths, m, T):
    _, X, h0s, layers = deep_problem(n_x, widths, m, T, seed=7)
    Hs = deep_rnn_forward(X, h0s, layers)
    assert isinstance(Hs, list) and len(Hs) == len(widths)
    inputs = X
    for k, (H, n_h) in enumerate(zip(Hs, widths, strict=True)):
        assert H.shape == (n_h, m, T), f"layer {k}"
        expected = rnn_layer_forward(inputs, h0s[k], layers[k])
        np.testing.assert_allclose(H, expected, rtol=0, atol=1e-15, err_msg=f"layer {k}")
        inputs = expected


def test_deep_rnn_forward_layers_use_their_own_h0():
    _, X, h0s, layers = deep_problem(4, (5, 3, 6), 2, 4, seed=8)
    Hs = deep_rnn_forward(X, h0s, layers)
    h0s2 = [h.copy() for h in h0s]
    h0s2[1] += 1.0
    Hs2 = deep_rnn_forward(X, h0s2, layers)
    np.testing.assert_array_equal(Hs2[0], Hs[0])  # a layer does not read the layers above it
    assert np.any(Hs2[1] != Hs[1]) and np.any(Hs2[2] != Hs[2])


def test_deep_rnn_forward_rejects_a_missing_h0():
    _, X, h0s, layers = deep_problem(4, (5, 3), 2, 4, seed=9)
    with pytest.raises(ValueError, match="one initial state per layer"):
        deep_rnn_forward(X, h0s[:1], layers)


# --- deep: backward -------------------------------------------------------------------------------


@pytest.mark.parametrize("head", HEADS)
@pytest.mark.parametrize("n_x, widths, m, T", DEEP_SHAPES)
def test_deep_rnn_backward_matches_finite_differences(n_x, widths, m, T, head):
    rng, X, h0s, layers = deep_problem(
        n_x, widths, m, T, seed=[n_x, *widths, m, T, HEADS.index(head)]
    )
    loss_on, backward_of = make_head(head, widths[-1], m, T, rng)

    def loss():
        return loss_on(deep_rnn_forward(X, h0s, layers)[-1])

    Hs = deep_rnn_forward(X, h0s, layers)
    dH_top, head_pairs = backward_of(Hs[-1])
    grads, dX = deep_rnn_backward(dH_top, X, Hs, h0s, layers)
    assert isinstance(grads, list) and len(grads) == len(layers)
    pairs = {**head_pairs, "dX": (dX, X)}
    for k, (g, layer, h0) in enumerate(zip(grads, layers, h0s, strict=True)):
        pairs.update(layer_pairs(f"layer {k}", g, layer, h0))
    assert_gradients(loss, pairs, f"with a {head} loss, n_x={n_x}, widths={widths}, m={m}, T={T}")
