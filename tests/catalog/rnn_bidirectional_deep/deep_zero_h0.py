# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: every layer starts from zeros instead of its h0
# message: starts from zeros

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    inputs = X
    for layer in layers:
        n_h = layer["U"].shape[0]
        H = np.zeros((n_h, m, T))
        h = np.zeros((n_h, m))
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layer)
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs
