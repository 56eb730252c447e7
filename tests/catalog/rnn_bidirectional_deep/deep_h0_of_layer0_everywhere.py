# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: every layer starts from h0s[0]
# message: starts from h0s[0]

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    inputs = X
    for l, layer in enumerate(layers):
        n_h = layer["U"].shape[0]
        H = np.zeros((n_h, m, T))
        h = h0s[0]
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layer)
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs
