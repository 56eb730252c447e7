# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_forward
# kind: bug
# description: Y_hat stored one step too early (index t - 1)

def rnn_forward(X, h0, parameters):
    n_x, m, T = X.shape
    n_h, n_y = parameters["U"].shape[0], parameters["W"].shape[0]
    H = np.zeros((n_h, m, T))
    Y_hat = np.zeros((n_y, m, T))
    h = h0
    for t in range(T):
        h, yhat = rnn_cell_forward(X[:, :, t], h, parameters)
        H[:, :, t] = h
        Y_hat[:, :, t - 1] = yhat
    return H, Y_hat
