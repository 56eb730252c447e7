# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: bug
# description: returns the two halves as a tuple (H_f, H_b)
# message: one array

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_x, m, T = X.shape
    n_h = h0_f.shape[0]
    H_f, H_b = np.zeros((n_h, m, T)), np.zeros((n_h, m, T))
    h = h0_f
    for t in range(T):
        h = rnn_step(X[:, :, t], h, params_f)
        H_f[:, :, t] = h
    h = h0_b
    for t in reversed(range(T)):
        h = rnn_step(X[:, :, t], h, params_b)
        H_b[:, :, t] = h
    return H_f, H_b
