# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: every layer uses layers[0]'s parameters
# message: layers[0]'s parameters

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    inputs = X
    for l in range(len(layers)):
        H = np.zeros((h0s[l].shape[0], m, T))
        h = h0s[l]
        for t in range(T):
            h = rnn_step(inputs[:, :, t], h, layers[0])
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs
