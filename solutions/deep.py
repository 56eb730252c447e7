"""Notebook 2: a deep (stacked) RNN, in the lecture's notation.

Layer 0 reads the inputs X; layer l+1 reads layer l's states as its input sequence:

    h^0_t     = tanh(U^0 h^0_{t-1} + V^0 x_t + beta1^0)
    h^{l+1}_t = tanh(U^{l+1} h^{l+1}_{t-1} + V^{l+1} h^l_t + beta1^{l+1})

Layers may have different widths n_h_l; layer l's V then has shape (n_h_l, n_h_{l-1}), with n_x
in place of n_h_{l-1} for l = 0.
``deep_rnn_forward`` is graded: the build copies its source into the solved notebook, so it uses
only ``np`` and the provided helper ``rnn_step``.
"""

from __future__ import annotations

import numpy as np

from solutions.layers import rnn_layer_backward, rnn_step

GRADED = ("deep_rnn_forward",)


def deep_rnn_forward(X, h0s, layers):
    """A stack of RNN layers: layer 0 reads X, layer l+1 reads layer l's states.

    Arguments:
    X -- inputs, of shape (n_x, m, T); X[:, :, t] is x_t
    h0s -- list of L initial states; h0s[l] is layer l's state before time step 0, of shape
           (n_h_l, m)
    layers -- list of L parameter dicts; layers[l] has
        "V" (n_h_l, n_in_l), "U" (n_h_l, n_h_l), "beta1" (n_h_l, 1),
        where n_in_0 = n_x and n_in_l = n_h_{l-1} for l >= 1

    Returns:
    Hs -- list of L state sequences; Hs[l] is layer l's, of shape (n_h_l, m, T), and
          Hs[l][:, :, t] is its state after reading time step t of its input
    """
    if len(h0s) != len(layers):
        raise ValueError(f"need one initial state per layer: {len(h0s)} h0s, {len(layers)} layers")
    _, m, T = X.shape
    Hs = []
    inputs = X
    for h0, layer in zip(h0s, layers, strict=True):
        H = np.zeros((layer["U"].shape[0], m, T))
        h = h0
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layer)
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs


def deep_rnn_backward(dH_top, X, Hs, h0s, layers):
    """Backpropagation through a stack of RNN layers, from the top layer down.

    Arguments:
    dH_top -- dL/dH of the top layer's states (the loss reads only those), of shape (n_h_top, m, T)
    X -- inputs, of shape (n_x, m, T)
    Hs -- the states deep_rnn_forward returned, a list of (n_h_l, m, T) arrays
    h0s -- the initial states, a list of (n_h_l, m) arrays
    layers -- the parameter dicts, a list; layers[l] has "V" (n_h_l, n_in_l), "U" (n_h_l, n_h_l),
              "beta1" (n_h_l, 1)

    Returns:
    grads -- list of L dicts; grads[l] has "dV" (n_h_l, n_in_l), "dU" (n_h_l, n_h_l),
             "dbeta1" (n_h_l, 1), "dh0" (n_h_l, m)
    dX -- dL/dX, of shape (n_x, m, T)
    """
    grads = [None] * len(layers)
    dH = dH_top
    for k in reversed(range(len(layers))):
        inputs = Hs[k - 1] if k > 0 else X
        # What reaches layer k's inputs is, for k >= 1, the dL/dH of the layer below.
        grads[k], dH = rnn_layer_backward(dH, inputs, Hs[k], h0s[k], layers[k])
    return grads, dH
