# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: every layer reads the inputs X instead of the layer below
# message: reads the inputs X

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    for h0, layer in zip(h0s, layers):
        H = np.zeros((h0.shape[0], m, T))
        h = h0
        for t in range(T):
            h = rnn_step(X[:, :, t], h, layer)
            H[:, :, t] = h
        Hs.append(H)
    return Hs
