"""The reference RNN of notebook 1, in the lecture's notation.

    h_t    = tanh(U h_{t-1} + V x_t + beta1)
    yhat_t = softmax(W h_t + beta2)

Column vectors: a batch of m sequences is m columns. Shapes (see ``../shared/CONTRACT.md``):

    V (n_h, n_x)    U (n_h, n_h)    W (n_y, n_h)    beta1 (n_h, 1)    beta2 (n_y, 1)
    x_t (n_x, m)    X (n_x, m, T)   h0 (n_h, m)     H (n_h, m, T)     Y_hat, Y (n_y, m, T)

The five graded functions (``rnn_cell_forward``, ``rnn_forward``, ``bptt``, ``clip``, ``sample``)
are written to stand alone: the build copies each one's source into the solved notebook and turns
its signature and docstring into the student's stub. They may use ``np`` and ``softmax`` only,
besides each other.
"""

from __future__ import annotations

import numpy as np

GRADED = ("rnn_cell_forward", "rnn_forward", "bptt", "clip", "sample")
GRADIENT_KEYS = ("dV", "dU", "dW", "dbeta1", "dbeta2", "dh0")


def softmax(z):
    """Softmax over the first axis (each column is one distribution).

    Arguments:
    z -- scores, of shape (n_y, m) or (n_y, m, T)

    Returns:
    yhat -- probabilities of the same shape as z; every column sums to 1
    """
    # Subtracting the column maximum changes nothing mathematically and keeps exp() from
    # overflowing.
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def one_hot(indices, n):
    """One-hot vectors for an array of indices.

    Arguments:
    indices -- integer array of any shape S, each value in [0, n)
    n -- number of classes (n_x or n_y)

    Returns:
    onehot -- float64 array of shape (n, *S); onehot[k, ...] is 1 where indices == k
    """
    indices = np.asarray(indices)
    out = np.zeros((n,) + indices.shape)
    np.put_along_axis(out, indices[None, ...], 1.0, axis=0)
    return out


def initialize_parameters(n_x, n_h, n_y, rng, scale=None):
    """Random weights and zero biases for the lecture's RNN.

    Arguments:
    n_x, n_h, n_y -- input, hidden and output sizes
    rng -- numpy.random.Generator
    scale -- weights are uniform in [-scale, scale]; default 1/sqrt(n_h), as torch.nn.RNN does

    Returns:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h),
                  "beta1" (n_h, 1) and "beta2" (n_y, 1), all float64
    """
    if scale is None:
        scale = 1.0 / np.sqrt(n_h)
    return {
        "V": rng.uniform(-scale, scale, (n_h, n_x)),
        "U": rng.uniform(-scale, scale, (n_h, n_h)),
        "W": rng.uniform(-scale, scale, (n_y, n_h)),
        "beta1": np.zeros((n_h, 1)),
        "beta2": np.zeros((n_y, 1)),
    }


def rnn_cell_forward(x_t, h_prev, parameters):
    """One step of the recurrence.

    Arguments:
    x_t -- input at time step t, of shape (n_x, m)
    h_prev -- hidden state h_{t-1}, of shape (n_h, m) (at t = 0: h0, the initial state)
    parameters -- dict with
        "V" -- input-to-hidden weights, of shape (n_h, n_x)
        "U" -- hidden-to-hidden weights, of shape (n_h, n_h)
        "W" -- hidden-to-output weights, of shape (n_y, n_h)
        "beta1" -- hidden bias, of shape (n_h, 1)
        "beta2" -- output bias, of shape (n_y, 1)

    Returns:
    h_next -- hidden state at time step t, of shape (n_h, m)
    yhat_t -- prediction at time step t, of shape (n_y, m); every column sums to 1
    """
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next, yhat_t


def rnn_forward(X, h0, parameters):
    """The recurrence over T time steps, starting from h0.

    Arguments:
    X -- inputs, of shape (n_x, m, T); X[:, :, t] is x_t, for t = 0 .. T-1
    h0 -- initial hidden state, the state before the first input (h_{-1} in the formulas), of
          shape (n_h, m)
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h),
                  "beta1" (n_h, 1), "beta2" (n_y, 1)

    Returns:
    H -- hidden states, of shape (n_h, m, T); H[:, :, t] is h_t, the state after reading x_t
         (H[:, :, 0] is h_0 = tanh(U h0 + V x_0 + beta1); h0 itself is not stored)
    Y_hat -- predictions, of shape (n_y, m, T); Y_hat[:, :, t] is yhat_t
    """
    n_x, m, T = X.shape
    n_h = parameters["U"].shape[0]
    n_y = parameters["W"].shape[0]
    H = np.zeros((n_h, m, T))
    Y_hat = np.zeros((n_y, m, T))
    h = h0
    for t in range(T):
        h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
        H[:, :, t] = h
    return H, Y_hat


def bptt(X, Y, H, Y_hat, h0, parameters):
    """Backpropagation through time of L = -sum over t and m of log Y_hat[target].

    The loss is a sum over every time step and every sequence of the batch, not a mean.

    Arguments:
    X -- inputs, of shape (n_x, m, T)
    Y -- one-hot targets, of shape (n_y, m, T)
    H -- hidden states from rnn_forward, of shape (n_h, m, T)
    Y_hat -- predictions from rnn_forward, of shape (n_y, m, T)
    h0 -- initial hidden state (before the first input), of shape (n_h, m)
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h),
                  "beta1" (n_h, 1), "beta2" (n_y, 1)

    Returns:
    gradients -- dict with
        "dV" (n_h, n_x), "dU" (n_h, n_h), "dW" (n_y, n_h), "dbeta1" (n_h, 1), "dbeta2" (n_y, 1)
            -- dL/dV, dL/dU, dL/dW, dL/dbeta1, dL/dbeta2
        "dh0" (n_h, m) -- dL/dh0, the gradient with respect to the initial state
    """
    U, W = parameters["U"], parameters["W"]
    T = X.shape[2]
    # d(-log softmax)/dz is Y_hat - Y for a one-hot column of Y. Written as Y_hat * sum(Y) - Y it
    # also holds for an all-zero column, so padded time steps with no target contribute nothing.
    dZ = Y_hat * np.sum(Y, axis=0, keepdims=True) - Y
    gradients = {
        "dV": np.zeros_like(parameters["V"]),
        "dU": np.zeros_like(U),
        "dW": np.zeros_like(W),
        "dbeta1": np.zeros_like(parameters["beta1"]),
        "dbeta2": np.zeros_like(parameters["beta2"]),
    }
    dh_next = np.zeros_like(h0, dtype=float)
    for t in reversed(range(T)):
        h_prev = H[:, :, t - 1] if t > 0 else h0
        gradients["dW"] += dZ[:, :, t] @ H[:, :, t].T
        gradients["dbeta2"] += np.sum(dZ[:, :, t], axis=1, keepdims=True)
        # h_t reaches the loss through yhat_t and through h_{t+1}.
        dh = W.T @ dZ[:, :, t] + dh_next
        da = (1.0 - H[:, :, t] ** 2) * dh
        gradients["dV"] += da @ X[:, :, t].T
        gradients["dU"] += da @ h_prev.T
        gradients["dbeta1"] += np.sum(da, axis=1, keepdims=True)
        dh_next = U.T @ da
    gradients["dh0"] = dh_next
    return gradients


def clip(gradients, max_value):
    """Clip every gradient element by element into [-max_value, max_value].

    Arguments:
    gradients -- dict of arrays, e.g. "dV", "dU", "dW", "dbeta1", "dbeta2", "dh0", any shapes
    max_value -- a positive number

    Returns:
    clipped -- a new dict with the same keys, each array of the same shape as before, clipped;
               the dict and the arrays passed in are left unchanged
    """
    return {key: np.clip(value, -max_value, max_value) for key, value in gradients.items()}


def sample(parameters, char_to_ix, rng, max_length=50):
    """Generate one name, one character at a time, by sampling from yhat.

    Starts from x = zeros (n_x, 1) and h = zeros (n_h, 1). Each step computes yhat, draws the
    next index from yhat with rng, appends it, and feeds its one-hot vector back as the next x.
    Stops after drawing char_to_ix["\\n"], or after max_length draws, in which case
    char_to_ix["\\n"] is appended.

    Arguments:
    parameters -- dict with "V" (n_h, n_x), "U" (n_h, n_h), "W" (n_y, n_h),
                  "beta1" (n_h, 1), "beta2" (n_y, 1); here n_y = n_x
    char_to_ix -- dict mapping each character to its index; char_to_ix["\\n"] ends a name
    rng -- numpy.random.Generator, the only source of randomness
    max_length -- the most characters drawn before the name is cut off

    Returns:
    indices -- list of ints, the indices drawn, ending with char_to_ix["\\n"]
    """
    n_h, n_x = parameters["V"].shape
    newline = char_to_ix["\n"]
    x = np.zeros((n_x, 1))
    h = np.zeros((n_h, 1))
    indices = []
    while len(indices) < max_length:
        h, yhat = rnn_cell_forward(x, h, parameters)
        idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))
        indices.append(idx)
        if idx == newline:
            return indices
        x = np.zeros((n_x, 1))
        x[idx] = 1.0
    indices.append(newline)
    return indices


def cross_entropy_loss(Y_hat, Y):
    """The loss L = -sum over t and m of log Y_hat[target], a sum, not a mean.

    Arguments:
    Y_hat -- predictions, of shape (n_y, m, T) (or (n_y, m))
    Y -- one-hot targets of the same shape; an all-zero column (padding) adds nothing

    Returns:
    loss -- a float
    """
    mask = Y > 0
    return float(-np.sum(Y[mask] * np.log(Y_hat[mask])))
