# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: bug
# description: backward loop range(T - 1, 0, -1): x_0 never read, H[n_h:, :, 0] left at zero
# message: H[n_h:, :, 0]

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_x, m, T = X.shape
    n_h = h0_f.shape[0]
    H = np.zeros((2 * n_h, m, T))
    h = h0_f
    for t in range(T):
        h = rnn_step(X[:, :, t], h, params_f)
        H[:n_h, :, t] = h
    h = h0_b
    for t in range(T - 1, 0, -1):
        h = rnn_step(X[:, :, t], h, params_b)
        H[n_h:, :, t] = h
    return H
