# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_forward
# kind: bug
# description: H[:, :, t] stores the state before the step (h_{t-1}), not after
# message: H[:, :, 0]

def rnn_forward(X, h0, parameters):
    n_x, m, T = X.shape
    n_h, n_y = parameters["U"].shape[0], parameters["W"].shape[0]
    H = np.zeros((n_h, m, T))
    Y_hat = np.zeros((n_y, m, T))
    h = h0
    for t in range(T):
        H[:, :, t] = h
        h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
    return H, Y_hat
