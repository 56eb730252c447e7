"""solutions.train: the fast path against the reference, the optimiser, training, saving."""

import math
import string

import numpy as np
import pytest

from solutions.data import DINOS_PATH, build_vocab, decode, encode_name, load_names, split_names
from solutions.rnn import (
    bptt,
    clip,
    cross_entropy_loss,
    initialize_parameters,
    rnn_forward,
    sample,
)
from solutions.train import (
    PARAM_KEYS,
    Adam,
    ModelFileError,
    bigram_nll,
    clip_global_norm,
    evaluate_nll,
    fast_backward,
    fast_forward,
    load_model,
    make_batch,
    pack_batch,
    save_model,
    summed_nll,
    train_classic,
    train_fast,
)

CHAR_TO_IX, IX_TO_CHAR = build_vocab()
NAMES = ["rex", "tyrannosaurus", "a", "velociraptor", "zby", "aa", "stegosaurus", "q"]


@pytest.fixture(scope="module")
def dinos_split():
    return split_names(load_names(DINOS_PATH), 0.1, 0)


def _encoded(names):
    return [encode_name(n, CHAR_TO_IX) for n in names]


def _params(n_h=7, seed=0):
    rng = np.random.default_rng(seed)
    p = initialize_parameters(27, n_h, 27, rng, scale=0.6)
    # Non-zero biases, so that a bias mix-up shows.
    p["beta1"] = rng.normal(size=(n_h, 1)) * 0.3
    p["beta2"] = rng.normal(size=(27, 1)) * 0.3
    return p


@pytest.mark.parametrize("with_h0", [False, True])
def test_fast_path_equals_rnn_forward_and_bptt(with_h0):
    encoded = _encoded(NAMES)
    m, n_h = len(encoded), 7
    p = _params(n_h)
    h0 = np.random.default_rng(5).normal(size=(n_h, m)) * 0.5 if with_h0 else None
    X, Y = make_batch(encoded, 27)
    H_ref, Yhat_ref = rnn_forward(X, h0 if with_h0 else np.zeros((n_h, m)), p)
    g_ref = bptt(X, Y, H_ref, Yhat_ref, h0 if with_h0 else np.zeros((n_h, m)), p)

    batch = pack_batch(encoded)
    H, P = fast_forward(p, batch, h0)
    g = fast_backward(p, batch, H, P, h0)

    # Row r of the packed batch is (time step t, name order[i]), time-major over running names.
    rows = [(t, batch["order"][i]) for t, k in enumerate(batch["k"]) for i in range(k)]
    assert len(rows) == H.shape[0] == sum(len(e) for e in encoded)
    for r, (t, name) in enumerate(rows):
        np.testing.assert_allclose(H[r], H_ref[:, name, t], rtol=0, atol=1e-10)
        np.testing.assert_allclose(P[:, r], Yhat_ref[:, name, t], rtol=0, atol=1e-10)
    assert set(g) == set(g_ref)
    for key in g_ref:
        assert g[key].shape == g_ref[key].shape, key
        np.testing.assert_allclose(g[key], g_ref[key], rtol=0, atol=1e-10, err_msg=key)
    # The scale argument gives the mean's gradient.
    g_half = fast_backward(p, batch, H, P, h0, scale=0.5)
    np.testing.assert_allclose(g_half["dU"], 0.5 * g_ref["dU"], rtol=0, atol=1e-10)


def test_summed_and_evaluated_loss_match_the_reference():
    encoded = _encoded(NAMES)
    p = _params()
    X, Y = make_batch(encoded, 27)
    _, Yhat = rnn_forward(X, np.zeros((7, len(encoded))), p)
    expected = cross_entropy_loss(Yhat, Y)
    batch = pack_batch(encoded)
    _, P = fast_forward(p, batch)
    loss, n = summed_nll(P, batch)
    assert n == sum(len(e) for e in encoded) == int(Y.sum())
    assert loss == pytest.approx(expected, rel=1e-12)
    # In pieces of 3 names it is still the total over all targets divided by their number.
    assert evaluate_nll(p, encoded, batch_size=3) == pytest.approx(expected / n, rel=1e-12)


def test_make_batch_follows_the_sampling_encoding():
    X, Y = make_batch(_encoded(["ab", "c"]), 27)
    assert X.shape == Y.shape == (27, 2, 3)
    assert not X[:, :, 0].any()  # x_0 is the zero vector
    assert X[1, 0, 1] == 1 and X[2, 0, 2] == 1 and X[3, 1, 1] == 1
    assert not X[:, 1, 2].any()  # padding
    assert [int(np.argmax(Y[:, 0, t])) for t in range(3)] == [1, 2, 0]
    assert not Y[:, 1, 2].any()  # padding has no target


def test_adam_first_step_moves_each_weight_by_the_learning_rate():
    p = _params()
    before = {k: v.copy() for k, v in p.items()}
    rng = np.random.default_rng(1)
    grads = {"d" + k: rng.normal(size=p[k].shape) for k in PARAM_KEYS}
    Adam(p, learning_rate=0.01).update(p, grads)
    for k in PARAM_KEYS:
        g = grads["d" + k]
        # After one step the bias-corrected moments are g and g**2: the step is lr * g / |g|.
        np.testing.assert_allclose(before[k] - p[k], 0.01 * g / (np.abs(g) + 1e-8), atol=1e-15)


def test_same_length_batches_cover_every_item_once_with_equal_lengths():
    from solutions.train import same_length_batches

    lengths = [3, 5, 3, 3, 7, 5, 3, 3]
    batches = same_length_batches(lengths, 2, np.random.default_rng(0))
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 2 and len({lengths[i] for i in b}) == 1 for b in batches)
    assert len(batches) == 5  # five names of length 3 make 3 batches, two of 5 one, one of 7 one
    again = same_length_batches(lengths, 2, np.random.default_rng(0))
    assert again == batches  # the rng decides everything


def test_adam_serves_any_keys():
    params = {"f.V": np.ones((2, 2)), "W": np.zeros((1, 2))}
    Adam(params, learning_rate=0.1).update(params, {"df.V": np.ones((2, 2)),
                                                    "dW": -np.ones((1, 2))})
    np.testing.assert_allclose(params["f.V"], 0.9)
    np.testing.assert_allclose(params["W"], 0.1)


def test_clip_global_norm_scales_down_and_keeps_direction():
    grads = {"dV": np.full((2, 2), 3.0), "dU": np.full((1, 1), 4.0), "dW": np.zeros((1, 1)),
             "dbeta1": np.array([[12.0]]), "dbeta2": np.zeros((1, 1)), "dh0": np.full((3, 3), 99.0)}
    original = {k: v.copy() for k, v in grads.items()}
    clipped, norm = clip_global_norm(grads, 5.0)
    assert norm == pytest.approx(math.sqrt(4 * 9 + 16 + 144))
    total = math.sqrt(sum(float(np.sum(clipped[k] ** 2)) for k in grads if k != "dh0"))
    assert total == pytest.approx(5.0, rel=1e-6)
    np.testing.assert_allclose(clipped["dV"] / clipped["dbeta1"], grads["dV"] / 12.0)
    np.testing.assert_array_equal(clipped["dh0"], grads["dh0"])  # not a parameter's gradient
    for k in grads:
        np.testing.assert_array_equal(grads[k], original[k])  # inputs untouched
    small, _ = clip_global_norm({k: v / 100 for k, v in grads.items()}, 5.0)
    np.testing.assert_array_equal(small["dV"], grads["dV"] / 100)


def test_classic_step_is_sgd_on_clipped_bptt():
    names = ["rex", "stegosaurus", "abc"]
    params, _ = train_classic(names, n_h=6, iterations=1, learning_rate=0.5, clip_value=0.01,
                              seed=3)
    rng = np.random.default_rng(3)
    expected = initialize_parameters(27, 6, 27, rng)
    first = names[rng.permutation(3)[0]]
    X, Y = make_batch(_encoded([first]), 27)
    h0 = np.zeros((6, 1))
    H, Yhat = rnn_forward(X, h0, expected)
    grads = clip(bptt(X, Y, H, Yhat, h0, expected), 0.01)
    for k in PARAM_KEYS:
        np.testing.assert_allclose(params[k], expected[k] - 0.5 * grads["d" + k], atol=1e-12)


def test_bigram_by_hand():
    # Training names "ab", "ab": from the start state "a" always follows, then "b", then "\n".
    nll = bigram_nll(_encoded(["ab", "ab"]), _encoded(["ab"]), alpha=1.0)
    expected = -(math.log(3 / 29) * 3) / 3  # each transition: (2 + 1) / (2 + 27)
    assert nll == pytest.approx(expected)


def test_short_training_beats_the_bigram_model(dinos_split):
    train, val = dinos_split
    enc_train, enc_val = _encoded(train), _encoded(val)
    # The strongest bigram over a range of smoothings, chosen on the held-out names themselves.
    bigram = min(bigram_nll(enc_train, enc_val, alpha=a) for a in (0.01, 0.03, 0.1, 0.3, 1.0))
    assert 2.0 < bigram < 2.4
    params, history = train_fast(train, val, n_h=32, epochs=6, max_seconds=20, seed=0,
                                 learning_rate=0.02)
    assert history["best_val_nll"] < bigram - 0.1, (history["best_val_nll"], bigram)
    # The returned weights are the best ones, and the curve is consistent with them.
    assert evaluate_nll(params, enc_val) == pytest.approx(history["best_val_nll"], rel=1e-12)
    assert min(v for _, v in history["val_curve"]) == history["best_val_nll"]
    seconds = [s for s, _ in history["val_curve"]]
    assert seconds == sorted(seconds) and seconds[-1] == pytest.approx(history["train_seconds"])

    rng = np.random.default_rng(0)
    names = [decode(sample(params, CHAR_TO_IX, rng), IX_TO_CHAR) for _ in range(30)]
    assert all(set(name) <= set(string.ascii_lowercase) for name in names), names
    # An empty name (end-of-name drawn first) is possible but should be rare.
    assert sum(len(name) >= 3 for name in names) >= 25, names


def test_same_seed_same_training():
    names = ["rex", "stegosaurus", "abc", "diplodocus", "ankylosaurus"]
    a, ha = train_fast(names[:4], names[4:], n_h=5, batch_size=2, epochs=2, seed=4)
    b, hb = train_fast(names[:4], names[4:], n_h=5, batch_size=2, epochs=2, seed=4)
    for k in PARAM_KEYS:
        np.testing.assert_array_equal(a[k], b[k])
    assert [v for _, v in ha["val_curve"]] == [v for _, v in hb["val_curve"]]


def test_save_load_roundtrip(tmp_path):
    p = _params()
    path = tmp_path / "model"  # no .npz suffix: the name is kept as given
    save_model(path, p, IX_TO_CHAR, {"hidden": 7, "trainer": "fast"})
    loaded, char_to_ix, ix_to_char, hyper = load_model(path)
    for k in PARAM_KEYS:
        np.testing.assert_array_equal(loaded[k], p[k])
    assert char_to_ix == CHAR_TO_IX and ix_to_char == IX_TO_CHAR
    assert hyper == {"hidden": 7, "trainer": "fast"}
    with np.load(path, allow_pickle=False) as data:
        assert set(data.files) == set(PARAM_KEYS) | {"vocab", "hyperparameters"}


def test_load_rejects_bad_files(tmp_path):
    with pytest.raises(ModelFileError, match="not found"):
        load_model(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file")
    with pytest.raises(ModelFileError, match="not a valid .npz"):
        load_model(junk)
    p = _params()
    partial = tmp_path / "partial.npz"
    np.savez(partial, V=p["V"], U=p["U"])
    with pytest.raises(ModelFileError, match="lacks W, beta1, beta2, vocab"):
        load_model(partial)
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, vocab=np.array(list("\nab"), dtype=object), **p)
    with pytest.raises(ModelFileError):
        load_model(pickled)  # object arrays need pickle, which load_model never allows
    wrong = tmp_path / "wrong.npz"
    save_model(wrong, {**p, "U": np.zeros((3, 3))}, IX_TO_CHAR)
    with pytest.raises(ModelFileError, match="U has shape"):
        load_model(wrong)
