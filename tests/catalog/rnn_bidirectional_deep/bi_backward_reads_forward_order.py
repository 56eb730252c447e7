# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: bug
# description: the backward direction reads x_0 first (the loop is not reversed)
# message: reads x_0 first

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_x, m, T = X.shape
    n_h = h0_f.shape[0]
    H = np.zeros((2 * n_h, m, T))
    h_f, h_b = h0_f, h0_b
    for t in range(T):
        h_f = rnn_step(X[:, :, t], h_f, params_f)
        h_b = rnn_step(X[:, :, t], h_b, params_b)
        H[:n_h, :, t] = h_f
        H[n_h:, :, t] = h_b
    return H
