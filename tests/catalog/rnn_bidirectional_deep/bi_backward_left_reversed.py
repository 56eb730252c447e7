# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: bug
# description: backward states stored in the order computed (index T-1-t), not aligned in time
# message: reversed in time

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_x, m, T = X.shape
    n_h = h0_f.shape[0]
    forward, backward = [], []
    h = h0_f
    for t in range(T):
        h = rnn_step(X[:, :, t], h, params_f)
        forward.append(h)
    h = h0_b
    for t in range(T - 1, -1, -1):
        h = rnn_step(X[:, :, t], h, params_b)
        backward.append(h)
    return np.concatenate([np.stack(forward, axis=2), np.stack(backward, axis=2)], axis=0)
