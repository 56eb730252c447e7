"""Building blocks for notebook 2: one hidden RNN layer, and an output layer with its loss.

A hidden layer is a dict of parameters, in the lecture's notation

    h_t = tanh(U h_{t-1} + V x_t + beta1)

    "V" (n_h, n_in)    "U" (n_h, n_h)    "beta1" (n_h, 1)

where n_in is the size of what the layer reads: n_x for the first layer, the width of the layer
below for a stacked one. The output layer is yhat = softmax(W h + beta2) with W (n_y, n_h') and
beta2 (n_y, 1), where h may be one state (n_h', m) (many-to-one) or a sequence (n_h', m, T)
(many-to-many). The loss is the lecture's sum (not mean) of -log yhat[target].

Forward and backward come in pairs; each backward pass takes the gradient of the loss with
respect to what its forward pass returned, so that layers can be stacked and any loss put on top.
``rnn_step`` is given to students in notebook 2 and must stay self-contained (``np`` only).
"""

from __future__ import annotations

import numpy as np

from solutions.rnn import cross_entropy_loss, softmax

LAYER_GRADIENT_KEYS = ("dV", "dU", "dbeta1", "dh0")


def rnn_step(x_t, h_prev, layer):
    """One step of a hidden RNN layer: h_next = tanh(U h_prev + V x_t + beta1).

    Arguments:
    x_t -- the layer's input at time step t, of shape (n_in, m)
    h_prev -- the layer's hidden state at time step t-1, of shape (n_h, m)
    layer -- dict with
        "V" -- input-to-hidden weights, of shape (n_h, n_in)
        "U" -- hidden-to-hidden weights, of shape (n_h, n_h)
        "beta1" -- hidden bias, of shape (n_h, 1)

    Returns:
    h_next -- the hidden state at time step t, of shape (n_h, m)
    """
    return np.tanh(layer["U"] @ h_prev + layer["V"] @ x_t + layer["beta1"])


def init_layer(n_in, n_h, rng, scale=None):
    """Random weights and a zero bias for one hidden layer.

    Arguments:
    n_in -- size of the layer's input (n_x, or the width of the layer below)
    n_h -- the layer's width (hidden size)
    rng -- numpy.random.Generator
    scale -- weights are uniform in [-scale, scale]; default 1/sqrt(n_h), as torch.nn.RNN does

    Returns:
    layer -- dict with "V" (n_h, n_in), "U" (n_h, n_h), "beta1" (n_h, 1), all float64
    """
    if scale is None:
        scale = 1.0 / np.sqrt(n_h)
    return {
        "V": rng.uniform(-scale, scale, (n_h, n_in)),
        "U": rng.uniform(-scale, scale, (n_h, n_h)),
        "beta1": np.zeros((n_h, 1)),
    }


def rnn_layer_forward(X, h0, layer):
    """Run one hidden layer over T time steps, starting from h0.

    Arguments:
    X -- the layer's inputs, of shape (n_in, m, T); X[:, :, t] is x_t
    h0 -- initial hidden state, of shape (n_h, m)
    layer -- dict with "V" (n_h, n_in), "U" (n_h, n_h), "beta1" (n_h, 1)

    Returns:
    H -- hidden states, of shape (n_h, m, T); H[:, :, t] is h_t, the state after reading x_t
    """
    n_h = layer["U"].shape[0]
    _, m, T = X.shape
    H = np.zeros((n_h, m, T))
    h = h0
    for t in range(T):
        h = rnn_step(X[:, :, t], h, layer)
        H[:, :, t] = h
    return H


def rnn_layer_backward(dH, X, H, h0, layer):
    """Backpropagation through time for one hidden layer.

    Arguments:
    dH -- dL/dH, the gradient of the loss with respect to the states that rnn_layer_forward
          returned, of shape (n_h, m, T); it holds only what reaches each h_t from above, not
          through h_{t+1}, which this function adds
    X -- the layer's inputs, of shape (n_in, m, T)
    H -- the states rnn_layer_forward returned, of shape (n_h, m, T)
    h0 -- initial hidden state, of shape (n_h, m)
    layer -- dict with "V" (n_h, n_in), "U" (n_h, n_h), "beta1" (n_h, 1)

    Returns:
    grads -- dict with "dV" (n_h, n_in), "dU" (n_h, n_h), "dbeta1" (n_h, 1), "dh0" (n_h, m)
    dX -- dL/dX, of shape (n_in, m, T), what a layer below needs as its own dH
    """
    V, U = layer["V"], layer["U"]
    T = X.shape[2]
    grads = {
        "dV": np.zeros_like(V),
        "dU": np.zeros_like(U),
        "dbeta1": np.zeros_like(layer["beta1"]),
    }
    dX = np.zeros(X.shape)
    dh_next = np.zeros(h0.shape)
    for t in reversed(range(T)):
        h_prev = H[:, :, t - 1] if t > 0 else h0
        # h_t reaches the loss directly (dH) and through h_{t+1} (dh_next); tanh' = 1 - h_t^2.
        da = (1.0 - H[:, :, t] ** 2) * (dH[:, :, t] + dh_next)
        grads["dV"] += da @ X[:, :, t].T
        grads["dU"] += da @ h_prev.T
        grads["dbeta1"] += np.sum(da, axis=1, keepdims=True)
        dX[:, :, t] = V.T @ da
        dh_next = U.T @ da
    grads["dh0"] = dh_next
    return grads, dX


def _column(beta2, ndim):
    # beta2 (n_y, 1) must broadcast over m and, for a sequence, over T too.
    return beta2.reshape((-1,) + (1,) * (ndim - 1))


def output_forward(H, W, beta2):
    """The output layer: yhat = softmax(W h + beta2), for one state or a sequence of states.

    Arguments:
    H -- states, of shape (n_h, m) (many-to-one) or (n_h, m, T) (many-to-many)
    W -- hidden-to-output weights, of shape (n_y, n_h)
    beta2 -- output bias, of shape (n_y, 1)

    Returns:
    Y_hat -- probabilities, of shape (n_y, m) or (n_y, m, T); every column sums to 1
    """
    Z = np.tensordot(W, H, axes=1) + _column(beta2, H.ndim)
    return softmax(Z)


def softmax_cross_entropy(Y_hat, Y):
    """The loss L = -sum of log Y_hat[target] (a sum, not a mean) and dL/dZ, Z the logits.

    Arguments:
    Y_hat -- probabilities from output_forward, of shape (n_y, m) or (n_y, m, T)
    Y -- one-hot targets of the same shape; an all-zero column (padding) adds nothing

    Returns:
    loss -- a float
    dZ -- dL/dZ, where Y_hat = softmax(Z), of the same shape as Y_hat
    """
    # Y_hat - Y for a one-hot column, 0 for an all-zero (padded) column.
    dZ = Y_hat * np.sum(Y, axis=0, keepdims=True) - Y
    return cross_entropy_loss(Y_hat, Y), dZ


def output_backward(dZ, H, W):
    """Backward pass of the output layer Z = W h + beta2.

    Arguments:
    dZ -- dL/dZ, of shape (n_y, m) or (n_y, m, T)
    H -- the states output_forward read, of shape (n_h, m) or (n_h, m, T)
    W -- hidden-to-output weights, of shape (n_y, n_h)

    Returns:
    dW -- dL/dW, of shape (n_y, n_h)
    dbeta2 -- dL/dbeta2, of shape (n_y, 1)
    dH -- dL/dH, of the shape of H
    """
    batch_axes = tuple(range(1, H.ndim))
    dW = np.tensordot(dZ, H, axes=(batch_axes, batch_axes))
    dbeta2 = np.sum(dZ, axis=batch_axes).reshape(-1, 1)
    dH = np.tensordot(W.T, dZ, axes=1)
    return dW, dbeta2, dH
