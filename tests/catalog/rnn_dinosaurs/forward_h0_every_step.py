# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_forward
# kind: bug
# description: every step starts from h0 instead of the previous state
# message: updated at each step

def rnn_forward(X, h0, parameters):
    n_x, m, T = X.shape
    n_h, n_y = parameters["U"].shape[0], parameters["W"].shape[0]
    H = np.zeros((n_h, m, T))
    Y_hat = np.zeros((n_y, m, T))
    for t in range(T):
        h, yhat = rnn_cell_forward(X[:, :, t], h0, parameters)
        H[:, :, t] = h
        Y_hat[:, :, t] = yhat
    return H, Y_hat
