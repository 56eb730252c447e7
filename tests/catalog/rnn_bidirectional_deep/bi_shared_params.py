# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: bug
# description: params_f used for both directions
# message: uses params_f

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_x, m, T = X.shape
    n_h = h0_f.shape[0]
    H = np.zeros((2 * n_h, m, T))
    h = h0_f
    for t in range(T):
        h = rnn_step(X[:, :, t], h, params_f)
        H[:n_h, :, t] = h
    h = h0_b
    for t in reversed(range(T)):
        h = rnn_step(X[:, :, t], h, params_f)
        H[n_h:, :, t] = h
    return H
