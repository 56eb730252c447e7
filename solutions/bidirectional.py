"""Notebook 2: a bidirectional RNN layer, in the lecture's notation.

Two independent hidden layers read the same sequence, one from x_0 to x_{T-1} (forward) and one
from x_{T-1} to x_0 (backward); at each time step their states are stacked (concatenated, not
added), the layout of a bidirectional ``torch.nn.RNN`` output:

    H[:n_h, :, t]  forward state after reading x_0 .. x_t
    H[n_h:, :, t]  backward state after reading x_{T-1} .. x_t

``birnn_forward`` is graded: the build copies its source into the solved notebook, so it uses only
``np`` and the provided helper ``rnn_step``.
"""

from __future__ import annotations

import numpy as np

from solutions.layers import rnn_layer_backward, rnn_step

GRADED = ("birnn_forward",)


def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    """A bidirectional RNN layer: one layer reads X forward in time, another backward.

    Arguments:
    X -- inputs, of shape (n_x, m, T); X[:, :, t] is x_t
    h0_f -- initial state of the forward direction (before reading x_0), of shape (n_h, m)
    h0_b -- initial state of the backward direction (before reading x_{T-1}), of shape (n_h, m)
    params_f -- forward direction's parameters, dict with
        "V" (n_h, n_x), "U" (n_h, n_h), "beta1" (n_h, 1)
    params_b -- backward direction's parameters, a dict with the same keys and shapes

    Returns:
    H -- states, of shape (2 n_h, m, T):
        H[:n_h, :, t] is the forward state after reading x_0, ..., x_t
        H[n_h:, :, t] is the backward state after reading x_{T-1}, ..., x_t
    """
    n_x, m, T = X.shape
    n_h = params_f["U"].shape[0]
    if params_b["U"].shape[0] != n_h:
        raise ValueError(
            f"both directions must have the same hidden size n_h; forward has "
            f"{n_h}, backward has {params_b['U'].shape[0]}"
        )
    H = np.zeros((2 * n_h, m, T))
    h = h0_f
    for t in range(T):
        h = rnn_step(X[:, :, t], h, params_f)
        H[:n_h, :, t] = h
    # The backward direction starts at the last time step, so its state at t has seen x_t..x_{T-1}.
    h = h0_b
    for t in reversed(range(T)):
        h = rnn_step(X[:, :, t], h, params_b)
        H[n_h:, :, t] = h
    return H


def birnn_backward(dH, X, H, h0_f, h0_b, params_f, params_b):
    """Backpropagation through a bidirectional RNN layer.

    Arguments:
    dH -- dL/dH, the gradient of the loss with respect to the states birnn_forward returned,
          of shape (2 n_h, m, T)
    X -- inputs, of shape (n_x, m, T)
    H -- the states birnn_forward returned, of shape (2 n_h, m, T)
    h0_f, h0_b -- the initial states of the two directions, each of shape (n_h, m)
    params_f, params_b -- the two directions' parameters, each a dict with
        "V" (n_h, n_x), "U" (n_h, n_h), "beta1" (n_h, 1)

    Returns:
    grads_f -- the forward direction's gradients, dict with
        "dV" (n_h, n_x), "dU" (n_h, n_h), "dbeta1" (n_h, 1), "dh0" (n_h, m)
    grads_b -- the backward direction's gradients, a dict with the same keys and shapes
    dX -- dL/dX, of shape (n_x, m, T): the sum of what reaches X through both directions
    """
    n_h = params_f["U"].shape[0]
    grads_f, dX_f = rnn_layer_backward(dH[:n_h], X, H[:n_h], h0_f, params_f)
    # The backward direction is an ordinary layer run on the time-reversed sequence.
    grads_b, dX_b = rnn_layer_backward(
        dH[n_h:, :, ::-1], X[:, :, ::-1], H[n_h:, :, ::-1], h0_b, params_b
    )
    return grads_f, grads_b, dX_f + dX_b[:, :, ::-1]
