# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: correct
# description: its own tanh step with np.dot, preallocated halves

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    n_h, m = h0_f.shape
    T = X.shape[2]
    H = np.empty((2 * n_h, m, T))
    h = h0_f.copy()
    for t in range(T):
        h = np.tanh(np.dot(params_f["U"], h) + np.dot(params_f["V"], X[:, :, t]) + params_f["beta1"])
        H[:n_h, :, t] = h
    h = h0_b.copy()
    for t in range(T - 1, -1, -1):
        h = np.tanh(np.dot(params_b["U"], h) + np.dot(params_b["V"], X[:, :, t]) + params_b["beta1"])
        H[n_h:, :, t] = h
    return H
