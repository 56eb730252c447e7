# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: correct
# description: both directions in one loop, the backward one at index T-1-t, written with np.vstack

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    T = X.shape[2]
    forward = [None] * T
    backward = [None] * T
    h_f, h_b = h0_f, h0_b
    for t in range(T):
        h_f = rnn_step(X[:, :, t], h_f, params_f)
        h_b = rnn_step(X[:, :, T - 1 - t], h_b, params_b)
        forward[t] = h_f
        backward[T - 1 - t] = h_b
    return np.stack([np.vstack([f, b]) for f, b in zip(forward, backward)], axis=2)
