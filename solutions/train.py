"""Training the dinosaur-name RNN: the lecture's classic loop and a fast minibatch trainer.

Sequence encoding (the same everywhere, and the one ``solutions.rnn.sample`` generates with): for a
name with character indices c_1..c_L and the end-of-name index 0 ("\\n"),

    x_0 = zero vector,   x_t = one_hot(c_t)   for t = 1..L      (inputs, T = L + 1 steps)
    y_t = c_{t+1}        for t = 0..L-1,      y_L = 0 ("\\n")   (targets)

so the model learns p(first character), p(next | prefix) and p(end | name), exactly what ``sample``
draws from. The held-out metric is nats per character: the summed loss ``-sum log yhat[target]``
over all held-out names divided by the number of targets, the end-of-name targets included.

Two trainers:

- ``train_classic``: one name per step, plain SGD on the summed loss, element-wise clipping with
  ``solutions.rnn.clip`` (the Coursera "Dinosaurus Island" loop), built on ``rnn_forward``/``bptt``.
- ``train_fast``: minibatches of 32 names, Adam (step 0.015, times 0.9 after each epoch), the
  gradient of the mean per-character loss clipped to a global L2 norm of 5 (``clip_global_norm``,
  the rule of torch's ``clip_grad_norm_``; the contract's element-wise ``clip`` would bend the
  gradient's direction), held-out evaluation every 10 steps outside the training clock, and the
  best weights kept.

Why ``train_fast`` has its own forward/backward (``fast_forward``/``fast_backward``) instead of
calling ``rnn_forward``/``bptt``: on a batch of 32 names of data/dinos.txt (n_h = 64, one BLAS
thread) the reference pair took 3.0 ms against 1.6 ms. The fast pair computes the same values
(tests/test_train.py checks H, yhat and every gradient to 1e-10) but

- packs the batch time step by time step (``pack_batch``), so padding is never computed;
- gathers columns of V instead of multiplying by one-hot vectors;
- does every time-independent product (output layer, softmax, dW, dU, dV) once over all steps,
  leaving only ``tanh(U h_{t-1} + ...)`` and its backward in the Python loop over t;
- computes tanh through exp (``_tanh_``), which NumPy vectorises on this CPU and tanh not.

Models are saved as ``.npz`` (``save_model``/``load_model``): the five parameters, the vocabulary
as an array of characters, and the hyperparameters as a JSON string; nothing needs pickle.
"""

from __future__ import annotations

import json
import math
import time
import zipfile

import numpy as np

from solutions.rnn import bptt, clip, initialize_parameters, rnn_forward, softmax

PARAM_KEYS = ("V", "U", "W", "beta1", "beta2")
NEWLINE = 0  # char_to_ix["\n"] in the contract's vocabulary


# ----------------------------------------------------------------------------------------------
# Encoding
# ----------------------------------------------------------------------------------------------


def make_batch(encoded, n_x):
    """Padded one-hot inputs and targets in the contract's layout, for rnn_forward and bptt.

    Arguments:
    encoded -- list of m names, each a list of character indices ending with 0 ("\\n"), as
               encode_name returns them
    n_x -- vocabulary size (27)

    Returns:
    X -- inputs, of shape (n_x, m, T), T the longest encoded length; X[:, i, 0] is the zero vector
         and X[:, i, t] the one-hot of name i's character t-1; padding columns are zero
    Y -- targets, of shape (n_x, m, T); Y[:, i, t] is the one-hot of encoded[i][t]; padding columns
         are all zero. cross_entropy_loss skips them, but bptt does not: its yhat_t - y_t is not
         zero there. So train rnn_forward and bptt on batches of names of equal length (as the
         training loop of notebook 1 does), where there is no padding.
    """
    x_idx, y_idx = index_batch(encoded)
    T, m = x_idx.shape
    X = np.zeros((n_x, m, T))
    Y = np.zeros((n_x, m, T))
    t, i = np.nonzero(x_idx >= 0)
    X[x_idx[t, i], i, t] = 1.0
    t, i = np.nonzero(y_idx >= 0)
    Y[y_idx[t, i], i, t] = 1.0
    return X, Y


def index_batch(encoded, T=None):
    """The same batch as make_batch, as integer index arrays (make_batch's one-hot positions).

    Arguments:
    encoded -- list of m names, each a list of indices ending with 0
    T -- number of time steps (default: the longest encoded length)

    Returns:
    x_idx -- int array of shape (T, m); x_idx[t, i] is the index of x_t for name i, -1 for the
             zero vector (t = 0 and padding)
    y_idx -- int array of shape (T, m); the target index, -1 for padding (no target)
    """
    if T is None:
        T = max(len(e) for e in encoded)
    m = len(encoded)
    x_idx = np.full((T, m), -1, dtype=np.int64)
    y_idx = np.full((T, m), -1, dtype=np.int64)
    for i, e in enumerate(encoded):
        y_idx[: len(e), i] = e
        x_idx[1 : len(e), i] = e[:-1]
    return x_idx, y_idx


# ----------------------------------------------------------------------------------------------
# The fast forward/backward pass (same values as rnn_forward/bptt, see the module docstring)
# ----------------------------------------------------------------------------------------------


def pack_batch(encoded):
    """Pack a batch of names time step by time step, without padding (like torch's PackedSequence).

    The names are sorted longest first, so that at time step t the names still running are the
    first k_t of them and their states form one contiguous block of rows.

    Arguments:
    encoded -- list of m names, each a list of indices ending with 0

    Returns:
    batch -- dict with
        "order" -- int array (m,): batch position i holds encoded[order[i]]
        "k" -- list of T ints, k[t] = number of names with more than t characters (incl. "\n")
        "offsets" -- list of T + 1 ints; step t's rows are offsets[t]:offsets[t+1]
        "x" -- int array (N,), N = sum(k): input index of each row, -1 for the zero vector x_0
        "y" -- int array (N,): target index of each row
        "prev" -- int array (N,): the row holding h_{t-1} of the same name, -1 at t = 0
    """
    lengths = np.array([len(e) for e in encoded])
    order = np.argsort(-lengths, kind="stable")
    x_idx, y_idx = index_batch([encoded[i] for i in order])
    valid = y_idx >= 0
    k = valid.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(k)])
    # Row-major order of the valid entries is time-major: step 0's names, then step 1's, ...
    rows = np.full(valid.shape, -1, dtype=np.int64)
    rows[valid] = np.arange(int(offsets[-1]))
    prev = np.full(valid.shape, -1, dtype=np.int64)
    prev[1:] = rows[:-1]
    return {
        "order": order,
        "k": k.tolist(),
        "offsets": offsets.tolist(),
        "x": x_idx[valid],
        "y": y_idx[valid],
        "prev": prev[valid],
    }


def _tanh_(a):
    """tanh in place, as 1 - 2 / (exp(2a) + 1).

    Why not np.tanh: NumPy has no SIMD float64 tanh on this kind of CPU (AVX2), and this form,
    built on the vectorised exp, measured 30 vs 17 microseconds on a (32, 64) array, the hot
    spot of the forward loop. It agrees with np.tanh to ~1e-16; exp overflowing to inf for
    a > ~355 still gives exactly 1 (the caller silences the overflow warning).
    """
    a *= 2.0
    np.exp(a, out=a)
    a += 1.0
    np.divide(-2.0, a, out=a)
    a += 1.0


def fast_forward(parameters, batch, h0=None):
    """Forward pass over a packed batch (pack_batch).

    Arguments:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h), "beta1" (n_h, 1),
                  "beta2" (n_y, 1)
    batch -- dict from pack_batch, N rows for m names
    h0 -- initial hidden state, of shape (n_h, m), columns in the order of the encoded list
          given to pack_batch; default zeros

    Returns:
    H -- hidden states, of shape (N, n_h); row r is h_t (transposed) of one name at one time step,
         laid out as batch["offsets"] says
    P -- predictions, of shape (n_y, N); column r is the yhat_t of row r
    """
    V, U, W = parameters["V"], parameters["U"], parameters["W"]
    n_h = U.shape[0]
    k, offsets = batch["k"], batch["offsets"]
    # V x_t with a one-hot x_t is one column of V: gather it (an appended zero row serves the
    # index -1 of x_0) instead of multiplying by a mostly-zero matrix.
    VT0 = np.vstack([V.T, np.zeros((1, n_h))])
    H = VT0[batch["x"]]
    H += parameters["beta1"].T
    h = np.zeros((k[0], n_h)) if h0 is None else h0.T[batch["order"]]
    UT = U.T
    with np.errstate(over="ignore"):
        for t in range(len(k)):
            ht = H[offsets[t] : offsets[t + 1]]
            # The k[t] running names are the first rows of the previous step's block.
            ht += h[: k[t]] @ UT
            _tanh_(ht)
            h = ht
    # The output layer does not feed back: one product over all time steps at once.
    P = softmax(W @ H.T + parameters["beta2"])
    return H, P


def fast_backward(parameters, batch, H, P, h0=None, scale=1.0):
    """Backward pass of L = -sum over t and m of log yhat[target], from fast_forward's H and P.

    Arguments:
    parameters -- dict with "V", "U", "W", "beta1", "beta2" as in fast_forward
    batch -- dict from pack_batch
    H, P -- fast_forward's outputs, of shapes (N, n_h) and (n_y, N)
    h0 -- initial hidden state, of shape (n_h, m), as given to fast_forward; default zeros
    scale -- every gradient is multiplied by it (1 / number of targets gives the mean's gradient)

    Returns:
    gradients -- dict with "dV" (n_h, n_x), "dU" (n_h, n_h), "dW" (n_y, n_h), "dbeta1" (n_h, 1),
                 "dbeta2" (n_y, 1), "dh0" (n_h, m): the same values as bptt's, times scale
    """
    U, W = parameters["U"], parameters["W"]
    n_h, n_x = parameters["V"].shape
    k, offsets = batch["k"], batch["offsets"]
    m = k[0]
    N = offsets[-1]
    dZ = P * scale
    dZ[batch["y"], np.arange(N)] -= scale  # yhat - y, scaled
    dW = dZ @ H
    dbeta2 = dZ.sum(axis=1, keepdims=True)
    dA = dZ.T @ W  # dL/dh_t through yhat_t; turned into dL/da_t (a = pre-activation) below
    dh = np.zeros((m, n_h))  # dL/dh_t through h_{t+1}; zero for names that end at t
    for t in reversed(range(len(k))):
        da = dA[offsets[t] : offsets[t + 1]]
        ht = H[offsets[t] : offsets[t + 1]]
        da += dh[: k[t]]
        da *= 1.0 - ht * ht
        dh[k[t] :] = 0.0
        np.matmul(da, U, out=dh[: k[t]])
    # Rows with t >= 1 read h_{t-1} from row prev and a one-hot x_t; rows with t = 0 read h0 and
    # the zero vector, so they add to dU only through h0 and never to dV.
    prev = batch["prev"][m:]
    dU = dA[m:].T @ H[prev]
    if h0 is not None:
        dU += dA[:m].T @ h0.T[batch["order"]]
    onehot = np.zeros((N - m, n_x))
    onehot[np.arange(N - m), batch["x"][m:]] = 1.0
    dV = dA[m:].T @ onehot
    dh0 = np.empty((n_h, m))
    dh0[:, batch["order"]] = dh.T
    return {
        "dV": dV,
        "dU": dU,
        "dW": dW,
        "dbeta1": dA.sum(axis=0)[:, None],
        "dbeta2": dbeta2,
        "dh0": dh0,
    }


def summed_nll(P, batch):
    """-sum of log yhat[target] over a packed batch.

    Arguments:
    P -- predictions, of shape (n_y, N) (fast_forward)
    batch -- dict from pack_batch

    Returns:
    (loss, n) -- the summed loss (float) and the number of targets N (int)
    """
    y = batch["y"]
    return float(-np.sum(np.log(P[y, np.arange(y.size)]))), int(y.size)


def evaluate_nll(parameters, encoded, batch_size=512):
    """Nats per character of a list of encoded names, the end-of-name character included.

    Arguments:
    parameters -- dict with "V", "U", "W", "beta1", "beta2"
    encoded -- list of names, each a list of indices ending with 0
    batch_size -- names per forward pass (sorted by length, so padding stays small)

    Returns:
    nll -- float, total -log yhat[target] over every target divided by the number of targets
    """
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    total, count = 0.0, 0
    for start in range(0, len(order), batch_size):
        chunk = [encoded[i] for i in order[start : start + batch_size]]
        batch = pack_batch(chunk)
        _, P = fast_forward(parameters, batch)
        loss, n = summed_nll(P, batch)
        total += loss
        count += n
    return total / count


def bigram_nll(train_encoded, val_encoded, n_x=27, alpha=1.0):
    """Held-out nats per character of a smoothed character bigram model (a baseline to beat).

    p(next | previous) = (count(previous, next) + alpha) / (count(previous) + alpha * n_x), where
    "previous" is the preceding character or a start-of-name state, and "next" ranges over the
    n_x characters including "\\n". alpha = 1 is add-one (Laplace) smoothing.

    Arguments:
    train_encoded, val_encoded -- lists of names, each a list of indices ending with 0
    n_x -- vocabulary size
    alpha -- additive smoothing constant, > 0

    Returns:
    nll -- float, nats per character on val_encoded (end-of-name included)
    """
    start = n_x  # a row of its own: the first character follows no character
    counts = np.zeros((n_x + 1, n_x))
    for e in train_encoded:
        prev = [start] + list(e[:-1])
        np.add.at(counts, (prev, list(e)), 1.0)
    logp = np.log(counts + alpha) - np.log(counts.sum(axis=1, keepdims=True) + alpha * n_x)
    total, count = 0.0, 0
    for e in val_encoded:
        prev = [start] + list(e[:-1])
        total -= float(np.sum(logp[prev, list(e)]))
        count += len(e)
    return total / count


# ----------------------------------------------------------------------------------------------
# Optimisation helpers
# ----------------------------------------------------------------------------------------------


def clip_global_norm(gradients, max_norm, keys=None):
    """Scale gradients down so that their joint L2 norm is at most max_norm.

    The same rule as torch.nn.utils.clip_grad_norm_: the direction is kept, only the length shrinks.
    The one global-norm clip of the project: train_fast and solutions.flavors use it.

    Arguments:
    gradients -- dict of arrays
    max_norm -- positive float
    keys -- the entries that count towards the norm and get scaled (default: every key but
            "dh0", which is not a parameter's gradient)

    Returns:
    (clipped, norm) -- a new dict (the arrays passed in are unchanged) and the norm before clipping
    """
    if keys is None:
        keys = [k for k in gradients if k != "dh0"]
    norm = math.sqrt(sum(float(np.sum(gradients[k] ** 2)) for k in keys))
    factor = min(1.0, max_norm / (norm + 1e-6))
    clipped = dict(gradients)
    if factor < 1.0:
        for k in keys:
            clipped[k] = gradients[k] * factor
    return clipped, norm


class Adam:
    """Adam (Kingma & Ba, 2015) with torch.optim.Adam's defaults, over a dict of parameters.

    Any keys: the gradient of parameters[k] is gradients["d" + k] (the five of notebook 1's RNN,
    or the flat dicts of solutions.flavors). State that belongs together (the moments and the
    step count), hence a class. update() changes the arrays of the parameters dict in place.
    """

    def __init__(self, parameters, learning_rate=0.01, b1=0.9, b2=0.999, eps=1e-8):
        self.learning_rate, self.b1, self.b2, self.eps = learning_rate, b1, b2, eps
        self.m = {k: np.zeros_like(v) for k, v in parameters.items()}
        self.v = {k: np.zeros_like(v) for k, v in parameters.items()}
        self.t = 0

    def update(self, parameters, gradients):
        """One step; gradients holds "d" + k for every key k of the parameters."""
        self.t += 1
        c1 = 1.0 - self.b1**self.t
        c2 = 1.0 - self.b2**self.t
        step = self.learning_rate / c1
        for k in self.m:
            g = gradients["d" + k]
            m, v = self.m[k], self.v[k]
            m *= self.b1
            m += (1.0 - self.b1) * g
            v *= self.b2
            v += (1.0 - self.b2) * (g * g)
            parameters[k] -= step * m / (np.sqrt(v / c2) + self.eps)


def same_length_batches(lengths, batch_size, rng):
    """Positions cut into batches of items of equal length, in random order (no padding needed).

    The one equal-length batcher of the project: notebook 1's training loop and
    solutions.flavors use it.

    Arguments:
    lengths -- sequence of n ints, the length of each item (an encoded name, say)
    batch_size -- the most items in a batch (m)
    rng -- numpy.random.Generator: the order of the items and of the batches

    Returns:
    batches -- list of lists of positions 0..n-1; every position is in exactly one batch, and
               the items of a batch all have the same length
    """
    by_length = {}
    for i in rng.permutation(len(lengths)):
        by_length.setdefault(int(lengths[i]), []).append(int(i))
    batches = [
        group[start : start + batch_size]
        for group in by_length.values()
        for start in range(0, len(group), batch_size)
    ]
    rng.shuffle(batches)
    return batches


# ----------------------------------------------------------------------------------------------
# Trainers
# ----------------------------------------------------------------------------------------------


def _encode_all(names, char_to_ix):
    from solutions.data import encode_name

    return [encode_name(name, char_to_ix) for name in names]


def _default_vocab():
    from solutions.data import build_vocab

    return build_vocab()


def train_classic(
    names,
    n_h=50,
    iterations=35000,
    learning_rate=0.01,
    clip_value=5.0,
    seed=0,
    val_names=None,
    eval_every=1000,
    max_seconds=None,
    char_to_ix=None,
    keep_best=False,
    callback=None,
):
    """The lecture's loop: one name per step, SGD on its summed loss, element-wise clipping.

    Step j trains on name j mod N of the names shuffled once with the seed: X is the zero vector
    followed by the name's characters, Y the characters followed by "\\n" (m = 1). The hidden state
    starts from zeros for every name, as sample() does.

    Arguments:
    names -- list of training names (strings of a-z)
    n_h -- hidden size
    iterations -- number of SGD steps (names seen)
    learning_rate -- SGD step size
    clip_value -- gradients are clipped element-wise into [-clip_value, clip_value] (rnn.clip)
    seed -- seeds the initialisation and the shuffle (numpy.random.default_rng(seed))
    val_names -- optional held-out names, evaluated every eval_every steps
    eval_every -- steps between held-out evaluations
    max_seconds -- optional budget of training seconds (evaluation time excluded)
    char_to_ix -- vocabulary (default solutions.data.build_vocab())
    keep_best -- return the weights that scored best on val_names instead of the last ones
    callback -- optional callable(step, history) called after every step

    Returns:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_x, n_h), "beta1" (n_h, 1),
                  "beta2" (n_x, 1): the weights after the last step (or the best, keep_best)
    history -- dict with "loss" (smoothed per-name summed loss, one per step), "val_curve" and
               "train_curve" (lists of [training seconds, nats/char]; train is the mean since the
               previous evaluation), "best_val_nll" (None without val_names), "train_seconds",
               "steps"
    """
    if char_to_ix is None:
        char_to_ix, _ = _default_vocab()
    n_x = len(char_to_ix)
    rng = np.random.default_rng(seed)
    parameters = initialize_parameters(n_x, n_h, n_x, rng)
    encoded = _encode_all(names, char_to_ix)
    order = rng.permutation(len(encoded))
    val_encoded = _encode_all(val_names, char_to_ix) if val_names else None
    h0 = np.zeros((n_h, 1))
    # The usual starting point of the smoothed loss: a uniform guess on a name of ~7 characters.
    smooth = -math.log(1.0 / n_x) * 7
    history = {"loss": [], "val_curve": [], "train_curve": [], "best_val_nll": None,
               "train_seconds": 0.0, "steps": 0}
    best = None
    if val_encoded is not None:
        history["val_curve"].append([0.0, evaluate_nll(parameters, val_encoded)])
    elapsed, run_loss, run_count = 0.0, 0.0, 0
    for j in range(iterations):
        started = time.perf_counter()
        X, Y = make_batch([encoded[order[j % len(order)]]], n_x)
        H, Y_hat = rnn_forward(X, h0, parameters)
        gradients = clip(bptt(X, Y, H, Y_hat, h0, parameters), clip_value)
        for k in PARAM_KEYS:
            parameters[k] -= learning_rate * gradients["d" + k]
        elapsed += time.perf_counter() - started
        loss = float(-np.sum(np.log(Y_hat[Y > 0])))
        smooth = 0.999 * smooth + 0.001 * loss
        history["loss"].append(smooth)
        history["steps"] = j + 1
        run_loss += loss
        run_count += X.shape[2]
        last = j + 1 == iterations or (max_seconds is not None and elapsed >= max_seconds)
        if val_encoded is not None and ((j + 1) % eval_every == 0 or last):
            val = evaluate_nll(parameters, val_encoded)
            history["val_curve"].append([elapsed, val])
            history["train_curve"].append([elapsed, run_loss / run_count])
            run_loss, run_count = 0.0, 0
            if keep_best and val <= min(v for _, v in history["val_curve"]):
                best = {k: v.copy() for k, v in parameters.items()}
        if callback is not None:
            callback(j + 1, history)
        if last:
            break
    history["train_seconds"] = elapsed
    if val_encoded is not None:
        history["best_val_nll"] = min(v for _, v in history["val_curve"])
    if keep_best and best is not None:
        parameters = best
    return parameters, history


def epoch_batches(lengths, batch_size, rng, bucket):
    """One epoch's minibatches, as arrays of name indices.

    With bucket=True the names are sorted by length (ties broken at random) and cut into batches,
    so a batch pads little; the batches' order is shuffled. Otherwise a plain shuffle.
    """
    n = len(lengths)
    if bucket:
        order = np.lexsort((rng.random(n), lengths))
    else:
        order = rng.permutation(n)
    batches = [order[s : s + batch_size] for s in range(0, n, batch_size)]
    rng.shuffle(batches)
    return batches


def train_fast(
    train_names,
    val_names,
    n_h=64,
    batch_size=32,
    learning_rate=0.015,
    clip_value=5.0,
    epochs=None,
    max_seconds=None,
    seed=0,
    eval_every=10,
    bucket=False,
    lr_decay=0.9,
    max_steps=None,
    char_to_ix=None,
    callback=None,
):
    """Minibatch training with Adam; returns the weights that scored best on the held-out names.

    Each step takes a padded batch (names of similar length when bucket=True), computes the mean
    per-character loss's gradient with fast_forward/fast_backward, clips it to a global L2 norm of
    clip_value (clip_global_norm, as torch's clip_grad_norm_), and takes an Adam step. Every
    eval_every steps the held-out nats/char is measured (outside the training clock).

    Arguments:
    train_names, val_names -- lists of names (strings of a-z)
    n_h -- hidden size
    batch_size -- names per step
    learning_rate -- Adam's step size; multiplied by lr_decay after every epoch
    clip_value -- maximum global L2 norm of the gradient
    epochs, max_seconds -- stop after this many epochs or training seconds, whichever first
                           (at least one must be given); training seconds exclude evaluation
    seed -- seeds initialisation and batching (numpy.random.default_rng(seed))
    eval_every -- steps between held-out evaluations (also done after the last step)
    bucket -- batch names of similar length together (off by default: packing already skips the
              padding, and on the benchmark plain shuffled batches reached lower held-out losses)
    lr_decay -- factor applied to the learning rate after each epoch
    max_steps -- optional: stop after this many steps
    char_to_ix -- vocabulary (default solutions.data.build_vocab())
    callback -- optional callable(event) with event a dict: "step", "epoch", "seconds",
                "train_nll", and "val_nll" on steps that evaluated

    Returns:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_x, n_h), "beta1" (n_h, 1),
                  "beta2" (n_x, 1): the best weights seen on the held-out names
    history -- dict with "val_curve" and "train_curve" (lists of [training seconds, nats/char];
               train is the mean over the steps since the previous evaluation), "best_val_nll",
               "train_seconds", "steps", "epochs"
    """
    if epochs is None and max_seconds is None:
        raise ValueError("train_fast needs epochs or max_seconds")
    if char_to_ix is None:
        char_to_ix, _ = _default_vocab()
    n_x = len(char_to_ix)
    rng = np.random.default_rng(seed)
    parameters = initialize_parameters(n_x, n_h, n_x, rng)
    encoded = _encode_all(train_names, char_to_ix)
    val_encoded = _encode_all(val_names, char_to_ix)
    lengths = np.array([len(e) for e in encoded])
    optimizer = Adam(parameters, learning_rate)

    best = {k: v.copy() for k, v in parameters.items()}
    best_nll = evaluate_nll(parameters, val_encoded)
    history = {
        "val_curve": [[0.0, best_nll]],
        "train_curve": [],
        "best_val_nll": best_nll,
        "train_seconds": 0.0,
        "steps": 0,
        "epochs": 0,
    }
    elapsed, step, epoch = 0.0, 0, 0
    run_loss, run_count = 0.0, 0
    done = False
    while not done and (epochs is None or epoch < epochs):
        for batch in epoch_batches(lengths, batch_size, rng, bucket):
            started = time.perf_counter()
            packed = pack_batch([encoded[i] for i in batch])
            H, P = fast_forward(parameters, packed)
            loss, n = summed_nll(P, packed)
            gradients = fast_backward(parameters, packed, H, P, scale=1.0 / n)
            gradients, _ = clip_global_norm(gradients, clip_value)
            optimizer.update(parameters, gradients)
            elapsed += time.perf_counter() - started
            step += 1
            run_loss += loss
            run_count += n
            event = {"step": step, "epoch": epoch, "seconds": elapsed, "train_nll": loss / n}
            out_of_time = (max_seconds is not None and elapsed >= max_seconds) or (
                max_steps is not None and step >= max_steps
            )
            if step % eval_every == 0 or out_of_time:
                val = evaluate_nll(parameters, val_encoded)
                history["val_curve"].append([elapsed, val])
                history["train_curve"].append([elapsed, run_loss / run_count])
                run_loss, run_count = 0.0, 0
                event["val_nll"] = val
                if val < best_nll:
                    best_nll = val
                    best = {k: v.copy() for k, v in parameters.items()}
            if callback is not None:
                callback(event)
            if out_of_time:
                done = True
                break
        epoch += 1
        optimizer.learning_rate *= lr_decay
    if history["val_curve"][-1][0] < elapsed:
        # The last steps since an evaluation still count.
        val = evaluate_nll(parameters, val_encoded)
        history["val_curve"].append([elapsed, val])
        if run_count:
            history["train_curve"].append([elapsed, run_loss / run_count])
        if val < best_nll:
            best_nll, best = val, {k: v.copy() for k, v in parameters.items()}
    history.update(best_val_nll=best_nll, train_seconds=elapsed, steps=step, epochs=epoch)
    return best, history


# ----------------------------------------------------------------------------------------------
# Saving and loading
# ----------------------------------------------------------------------------------------------


class ModelFileError(ValueError):
    """A model file that is missing, not an .npz, or lacks what a model needs."""


def save_model(path, parameters, ix_to_char, hyperparameters=None):
    """Write a model to an .npz file that loads without pickle.

    Arguments:
    path -- file name, used as given
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h), "beta1" (n_h, 1),
                  "beta2" (n_y, 1)
    ix_to_char -- dict index -> character, indices 0..n_x-1
    hyperparameters -- optional JSON-serialisable dict (hidden size, trainer, seed, scores, ...)
    """
    vocab = np.array([ix_to_char[i] for i in range(len(ix_to_char))], dtype="<U1")
    meta = json.dumps(hyperparameters or {}, sort_keys=True)
    arrays = {k: np.asarray(parameters[k], dtype=np.float64) for k in PARAM_KEYS}
    # Through a file object, so that numpy does not append ".npz" to a name without it.
    with open(path, "wb") as f:
        np.savez(f, vocab=vocab, hyperparameters=np.array(meta), **arrays)


def load_model(path):
    """Read a model written by save_model.

    Arguments:
    path -- the .npz file

    Returns:
    (parameters, char_to_ix, ix_to_char, hyperparameters) -- parameters as in save_model, the
    vocabulary as two plain dicts, the hyperparameters dict

    Raises:
    ModelFileError -- with a one-line message, for a missing, unreadable or incomplete file
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            contents = {k: data[k] for k in data.files}
    except FileNotFoundError:
        raise ModelFileError(f"model file not found: {path}") from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ModelFileError(f"cannot read model file {path}: not a valid .npz ({exc})") from None
    missing = [k for k in PARAM_KEYS + ("vocab",) if k not in contents]
    if missing:
        raise ModelFileError(f"model file {path} lacks {', '.join(missing)}")
    parameters = {k: contents[k] for k in PARAM_KEYS}
    vocab = [str(c) for c in contents["vocab"].ravel()]
    n_h, n_x = parameters["V"].shape if parameters["V"].ndim == 2 else (-1, -1)
    expected = {"V": (n_h, n_x), "U": (n_h, n_h), "W": (n_x, n_h), "beta1": (n_h, 1),
                "beta2": (n_x, 1)}
    for k, shape in expected.items():
        if parameters[k].shape != shape or parameters[k].dtype.kind != "f":
            raise ModelFileError(
                f"model file {path}: {k} has shape {parameters[k].shape}, expected {shape} floats"
            )
    if len(vocab) != n_x or len(set(vocab)) != n_x or "\n" not in vocab:
        raise ModelFileError(f"model file {path}: vocabulary does not match V's {n_x} columns")
    hyperparameters = {}
    if "hyperparameters" in contents:
        try:
            hyperparameters = json.loads(str(contents["hyperparameters"]))
        except json.JSONDecodeError:
            raise ModelFileError(f"model file {path}: hyperparameters are not JSON") from None
    ix_to_char = dict(enumerate(vocab))
    char_to_ix = {c: i for i, c in ix_to_char.items()}
    parameters = {k: v.astype(np.float64) for k, v in parameters.items()}
    return parameters, char_to_ix, ix_to_char, hyperparameters
