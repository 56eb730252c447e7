# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: every layer above the first reads layer 0's states (inputs never updated after layer 0)

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    for l, layer in enumerate(layers):
        inputs = X if l == 0 else Hs[0]
        H = np.zeros((layer["U"].shape[0], m, T))
        h = h0s[l]
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layer)
            H[:, :, t] = h
        Hs.append(H)
    return Hs
