# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: its own step without the tanh instead of rnn_step

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    inputs = X
    for h0, layer in zip(h0s, layers):
        H = np.zeros((layer["U"].shape[0], m, T))
        h = h0
        for t in range(T):
            h = layer["U"] @ h + layer["V"] @ inputs[:, :, t] + layer["beta1"]
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs
