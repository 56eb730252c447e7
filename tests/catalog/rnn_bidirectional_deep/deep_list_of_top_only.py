# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: returns [H_top], a list holding only the top layer
# message: one entry per layer

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    inputs = X
    for h0, layer in zip(h0s, layers):
        H = np.zeros((layer["U"].shape[0], m, T))
        h = h0
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layer)
            H[:, :, t] = h
        inputs = H
    return [inputs]
