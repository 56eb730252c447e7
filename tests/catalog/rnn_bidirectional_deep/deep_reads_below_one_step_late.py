# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: bug
# description: layer l reads the layer below's state of step t-1 (zeros at t = 0)
# message: Hs[

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    Hs = []
    inputs = X
    for l, layer in enumerate(layers):
        H = np.zeros((layer["U"].shape[0], m, T))
        h = h0s[l]
        for t in range(T):
            if l == 0:
                x = inputs[:, :, t]
            else:
                x = inputs[:, :, t - 1] if t > 0 else np.zeros(inputs[:, :, 0].shape)
            h = rnn_step(x, h, layer)
            H[:, :, t] = h
        Hs.append(H)
        inputs = H
    return Hs
