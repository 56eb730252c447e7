"""solutions.rnn, the reference of notebook 1: gradients by finite differences, and properties.

Every gradient is compared with centered finite differences of the loss itself, in float64, and must
agree to a relative error below 1e-6 (solutions.gradcheck.relative_error).
"""

import numpy as np
import pytest
from scipy.stats import chisquare

from solutions.gradcheck import numerical_gradient, relative_error
from solutions.layers import (
    output_backward,
    output_forward,
    rnn_layer_backward,
    rnn_layer_forward,
    softmax_cross_entropy,
)
from solutions.rnn import (
    GRADIENT_KEYS,
    bptt,
    clip,
    cross_entropy_loss,
    one_hot,
    rnn_cell_forward,
    rnn_forward,
    sample,
    softmax,
)

TOLERANCE = 1e-6
# (n_x, n_h, n_y, m, T): a single step of a single sequence, all sizes different, the names' sizes.
SHAPES = [(3, 5, 4, 1, 1), (6, 4, 5, 3, 7), (27, 8, 27, 2, 5)]
CHAR_TO_IX = {"\n": 0, **{chr(ord("a") + i): i + 1 for i in range(26)}}


def random_parameters(n_x, n_h, n_y, rng, scale=0.5):
    # Nonzero biases, so that a gradient that forgets one cannot pass by accident.
    return {
        "V": rng.normal(0, scale, (n_h, n_x)),
        "U": rng.normal(0, scale, (n_h, n_h)),
        "W": rng.normal(0, scale, (n_y, n_h)),
        "beta1": rng.normal(0, scale, (n_h, 1)),
        "beta2": rng.normal(0, scale, (n_y, 1)),
    }


def random_problem(n_x, n_h, n_y, m, T, seed):
    """Parameters, inputs X (n_x, m, T), h0 (n_h, m), one-hot targets Y (n_y, m, T), some padded."""
    rng = np.random.default_rng(seed)
    parameters = random_parameters(n_x, n_h, n_y, rng)
    # Real-valued inputs rather than one-hot: dX is then checked in every direction.
    X = rng.normal(size=(n_x, m, T))
    h0 = rng.normal(0, 0.5, (n_h, m))
    Y = one_hot(rng.integers(n_y, size=(m, T)), n_y)
    if T > 1:
        Y[:, 0, T - 1] = 0.0  # the first sequence is shorter: its last step is padding
    return parameters, X, h0, Y


@pytest.mark.parametrize("n_x, n_h, n_y, m, T", SHAPES)
def test_bptt_matches_finite_differences(n_x, n_h, n_y, m, T):
    parameters, X, h0, Y = random_problem(n_x, n_h, n_y, m, T, seed=n_x * 100 + T)

    def loss():
        return cross_entropy_loss(rnn_forward(X, h0, parameters)[1], Y)

    H, Y_hat = rnn_forward(X, h0, parameters)
    gradients = bptt(X, Y, H, Y_hat, h0, parameters)
    assert set(gradients) == set(GRADIENT_KEYS)
    wrt = {**{"d" + name: value for name, value in parameters.items()}, "dh0": h0}
    for key, value in wrt.items():
        assert gradients[key].shape == value.shape, key
        err = relative_error(gradients[key], numerical_gradient(loss, value))
        assert err < TOLERANCE, f"{key} on shape {(n_x, n_h, n_y, m, T)}: relative error {err:.2e}"


@pytest.mark.parametrize("n_x, n_h, n_y, m, T", SHAPES)
def test_dX_through_layers_matches_finite_differences_of_the_rnn_loss(n_x, n_h, n_y, m, T):
    # bptt does not return dX; the same model assembled from solutions.layers does.
    parameters, X, h0, Y = random_problem(n_x, n_h, n_y, m, T, seed=n_x * 100 + T + 1)
    layer = {name: parameters[name] for name in ("V", "U", "beta1")}

    H = rnn_layer_forward(X, h0, layer)
    Y_hat = output_forward(H, parameters["W"], parameters["beta2"])
    H_ref, Y_hat_ref = rnn_forward(X, h0, parameters)
    np.testing.assert_allclose(H, H_ref, rtol=0, atol=1e-14)
    np.testing.assert_allclose(Y_hat, Y_hat_ref, rtol=0, atol=1e-14)

    loss, dZ = softmax_cross_entropy(Y_hat, Y)
    assert loss == pytest.approx(cross_entropy_loss(Y_hat_ref, Y), rel=1e-14)
    dW, dbeta2, dH = output_backward(dZ, H, parameters["W"])
    grads, dX = rnn_layer_backward(dH, X, H, h0, layer)

    def rnn_loss():
        return cross_entropy_loss(rnn_forward(X, h0, parameters)[1], Y)

    err = relative_error(dX, numerical_gradient(rnn_loss, X))
    assert dX.shape == X.shape
    assert err < TOLERANCE, f"dX on shape {(n_x, n_h, n_y, m, T)}: relative error {err:.2e}"
    # The layered model's parameter gradients are bptt's.
    reference = bptt(X, Y, H_ref, Y_hat_ref, h0, parameters)
    ours = {**grads, "dW": dW, "dbeta2": dbeta2}
    for key in GRADIENT_KEYS:
        assert relative_error(ours[key], reference[key]) < 1e-12, key


def test_trailing_padding_changes_no_gradient():
    parameters, X, h0, Y = random_problem(5, 4, 6, 3, 6, seed=7)
    Y[:, :, -2:] = 0.0  # the last two steps of every sequence are padding
    H, Y_hat = rnn_forward(X, h0, parameters)
    padded = bptt(X, Y, H, Y_hat, h0, parameters)
    H_cut, Y_hat_cut = rnn_forward(X[:, :, :-2], h0, parameters)
    cut = bptt(X[:, :, :-2], Y[:, :, :-2], H_cut, Y_hat_cut, h0, parameters)
    for key in GRADIENT_KEYS:
        np.testing.assert_allclose(padded[key], cut[key], rtol=1e-12, atol=1e-14, err_msg=key)
    assert cross_entropy_loss(Y_hat, Y) == pytest.approx(cross_entropy_loss(Y_hat_cut, Y[..., :-2]))


def test_all_padding_gives_zero_gradients():
    parameters, X, h0, Y = random_problem(4, 3, 5, 2, 3, seed=8)
    Y[:] = 0.0
    H, Y_hat = rnn_forward(X, h0, parameters)
    for key, value in bptt(X, Y, H, Y_hat, h0, parameters).items():
        assert np.array_equal(value, np.zeros_like(value)), key


# --- softmax and one_hot -------------------------------------------------------------------------


def test_softmax_columns_are_distributions():
    z = np.random.default_rng(0).normal(0, 3, (7, 4, 5))
    for scores in (z, z[:, :, 0]):
        yhat = softmax(scores)
        assert yhat.shape == scores.shape
        assert np.all(yhat > 0)
        np.testing.assert_allclose(np.sum(yhat, axis=0), 1.0, rtol=0, atol=1e-15)
    # Adding a constant to a column changes nothing; softmax is over axis 0 only.
    shift = np.arange(4.0)[None, :, None] * 10
    np.testing.assert_allclose(softmax(z + shift), softmax(z), rtol=1e-13, atol=0)


def test_softmax_is_stable_for_huge_scores():
    z = np.array([[1000.0, -1000.0], [1001.0, -1001.0], [999.0, -5000.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yhat = softmax(z)
    expected0 = np.exp([-1.0, 0.0, -2.0]) / np.sum(np.exp([-1.0, 0.0, -2.0]))
    np.testing.assert_allclose(yhat[:, 0], expected0, rtol=1e-14)
    np.testing.assert_allclose(
        yhat[:, 1], [1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0)), 0.0], rtol=1e-14, atol=1e-300
    )


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1], 3), np.eye(3)[:, [2, 0, 1]])
    indices = np.random.default_rng(1).integers(27, size=(4, 6))
    onehot = one_hot(indices, 27)
    assert onehot.shape == (27, 4, 6)
    assert onehot.dtype == np.float64
    np.testing.assert_array_equal(np.sum(onehot, axis=0), 1.0)
    np.testing.assert_array_equal(np.argmax(onehot, axis=0), indices)


# --- forward -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_x, n_h, n_y, m, T", SHAPES)
def test_rnn_cell_forward_is_the_lecture_formula(n_x, n_h, n_y, m, T):
    rng = np.random.default_rng(2)
    p = random_parameters(n_x, n_h, n_y, rng)
    x_t, h_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_h, m))
    h_next, yhat_t = rnn_cell_forward(x_t, h_prev, p)
    assert h_next.shape == (n_h, m) and yhat_t.shape == (n_y, m)
    expected_h = np.tanh(p["U"] @ h_prev + p["V"] @ x_t + p["beta1"])
    np.testing.assert_allclose(h_next, expected_h, rtol=1e-14)
    z = p["W"] @ expected_h + p["beta2"]
    np.testing.assert_allclose(yhat_t, np.exp(z) / np.exp(z).sum(axis=0), rtol=1e-13)


@pytest.mark.parametrize("n_x, n_h, n_y, m, T", SHAPES)
def test_rnn_forward_loops_rnn_cell_forward(n_x, n_h, n_y, m, T):
    parameters, X, h0, _ = random_problem(n_x, n_h, n_y, m, T, seed=3)
    H, Y_hat = rnn_forward(X, h0, parameters)
    assert H.shape == (n_h, m, T) and Y_hat.shape == (n_y, m, T)
    h = h0
    for t in range(T):
        h, yhat = rnn_cell_forward(X[:, :, t], h, parameters)
        np.testing.assert_array_equal(H[:, :, t], h)
        np.testing.assert_array_equal(Y_hat[:, :, t], yhat)


# --- clip ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("max_value", [5.0, 0.1])
def test_clip(max_value):
    rng = np.random.default_rng(4)
    gradients = {
        key: rng.normal(0, 10, shape)
        for key, shape in [
            ("dV", (4, 3)),
            ("dU", (4, 4)),
            ("dW", (3, 4)),
            ("dbeta1", (4, 1)),
            ("dbeta2", (3, 1)),
            ("dh0", (4, 2)),
        ]
    }
    copies = {key: value.copy() for key, value in gradients.items()}
    clipped = clip(gradients, max_value)
    assert clipped is not gradients
    assert list(clipped) == list(gradients)
    for key, value in gradients.items():
        out = clipped[key]
        assert out.shape == value.shape, key
        assert np.all(np.abs(out) <= max_value), key
        inside = np.abs(value) <= max_value
        np.testing.assert_array_equal(out[inside], value[inside])
        np.testing.assert_array_equal(out[~inside], np.sign(value[~inside]) * max_value)
        assert not np.shares_memory(out, value), key
        np.testing.assert_array_equal(value, copies[key], err_msg=f"clip changed its input {key}")
    assert set(gradients) == set(copies)


# --- sample --------------------------------------------------------------------------------------


def name_parameters(seed, n_h=8, scale=1.0):
    return random_parameters(27, n_h, 27, np.random.default_rng(seed), scale=scale)


def test_sample_returns_ints_ending_with_one_newline():
    parameters = name_parameters(5)
    for seed in range(20):
        indices = sample(parameters, CHAR_TO_IX, np.random.default_rng(seed))
        assert isinstance(indices, list)
        assert all(isinstance(i, int) and 0 <= i < 27 for i in indices)
        assert indices[-1] == CHAR_TO_IX["\n"]
        assert CHAR_TO_IX["\n"] not in indices[:-1]
        assert 1 <= len(indices) <= 51


@pytest.mark.parametrize("max_length", [1, 7, None])
def test_sample_is_cut_at_max_length(max_length):
    parameters = name_parameters(6)
    parameters["beta2"][0] = -50.0  # the newline is (practically) never drawn
    kwargs = {} if max_length is None else {"max_length": max_length}
    indices = sample(parameters, CHAR_TO_IX, np.random.default_rng(0), **kwargs)
    expected_draws = 50 if max_length is None else max_length
    assert len(indices) == expected_draws + 1
    assert indices[-1] == CHAR_TO_IX["\n"]
    assert CHAR_TO_IX["\n"] not in indices[:-1]


def test_sample_stops_at_the_first_newline():
    parameters = name_parameters(6)
    parameters["beta2"][0] = 50.0
    assert sample(parameters, CHAR_TO_IX, np.random.default_rng(0)) == [0]


def test_sample_same_rng_state_same_name_and_no_global_randomness():
    parameters = name_parameters(7, scale=0.3)  # flat-ish yhat: long, varied names
    for seed in range(5):
        np.random.seed(1)
        global_state = np.random.get_state()
        first = sample(parameters, CHAR_TO_IX, np.random.default_rng(seed))
        after = np.random.get_state()
        assert np.array_equal(global_state[1], after[1]) and global_state[2] == after[2], (
            "sample used the global np.random"
        )
        np.random.seed(2)
        assert sample(parameters, CHAR_TO_IX, np.random.default_rng(seed)) == first
    rng = np.random.default_rng(0)
    before = rng.bit_generator.state
    sample(parameters, CHAR_TO_IX, rng)
    assert rng.bit_generator.state != before, "sample did not draw from rng"


# Chi-square goodness of fit of sample's draws. A correct sampler fails each such test with
# probability ALPHA (a false alarm); N is large enough that the plausible wrong samplers below fail
# it, which test_chi_square_test_rejects_wrong_samplers checks on the same parameters and N.
ALPHA = 1e-6
N_NAMES = 10_000
MIN_EXPECTED = 5  # the chi-square approximation needs about 5 expected counts per bin


def chi_square_pvalue(counts, probs):
    """p-value of counts (k,) under probs (k,); bins expected to hold < 5 are pooled into one."""
    expected = probs * counts.sum()
    small = expected < MIN_EXPECTED
    if small.any():
        counts = np.append(counts[~small], counts[small].sum())
        expected = np.append(expected[~small], expected[small].sum())
    assert expected.min() >= MIN_EXPECTED, "too few draws for a chi-square test"
    return chisquare(counts, expected).pvalue


@pytest.fixture(scope="module")
def sampling():
    """Parameters, N_NAMES names of at most 2 draws, the exact first and second-step yhat."""
    rng = np.random.default_rng(11)
    p = random_parameters(27, 8, 27, rng, scale=1.0)
    names = [sample(p, CHAR_TO_IX, rng, max_length=2) for _ in range(N_NAMES)]
    # From x = 0 and h = 0, h_1 = tanh(beta1); written out here rather than with rnn_cell_forward.
    h1 = np.tanh(p["beta1"])
    first = softmax(p["W"] @ h1 + p["beta2"]).ravel()
    c = int(np.argmax(first[1:])) + 1  # the most likely first letter

    def second_given(char):
        h2 = np.tanh(p["U"] @ h1 + p["V"][:, [char]] + p["beta1"])
        return softmax(p["W"] @ h2 + p["beta2"]).ravel()

    return {
        "p": p,
        "names": names,
        "first": first,
        "c": c,
        "second": second_given(c),
        "second_without_feedback": softmax(
            p["W"] @ np.tanh(p["U"] @ h1 + p["beta1"]) + p["beta2"]
        ).ravel(),
    }


def test_sample_first_character_frequencies(sampling):
    counts = np.bincount([name[0] for name in sampling["names"]], minlength=27)
    pvalue = chi_square_pvalue(counts, sampling["first"])
    assert pvalue > ALPHA, f"first characters do not follow yhat_1 (p = {pvalue:.1e})"


def test_sample_second_character_given_the_first(sampling):
    c = sampling["c"]
    seconds = [name[1] for name in sampling["names"] if name[0] == c]
    assert len(seconds) > 2000
    counts = np.bincount(seconds, minlength=27)
    pvalue = chi_square_pvalue(counts, sampling["second"])
    assert pvalue > ALPHA, f"second characters after {c} do not follow yhat_2 (p = {pvalue:.1e})"


def test_chi_square_test_rejects_wrong_samplers(sampling):
    rng = np.random.default_rng(12)
    p, first = sampling["p"], sampling["first"]
    wrong_first = {
        "uniform": np.full(27, 1 / 27),
        "argmax": np.eye(27)[np.argmax(first)],
        "h_1 = 0 (beta1 forgotten)": softmax(p["beta2"]).ravel(),
    }
    for what, probs in wrong_first.items():
        counts = np.bincount(rng.choice(27, size=N_NAMES, p=probs), minlength=27)
        assert chi_square_pvalue(counts, first) < ALPHA, what
    # The second step with x = 0 instead of the first character's one-hot vector.
    n_second = int(round(N_NAMES * first[sampling["c"]]))
    draws = rng.choice(27, size=n_second, p=sampling["second_without_feedback"])
    assert chi_square_pvalue(np.bincount(draws, minlength=27), sampling["second"]) < ALPHA
