# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: correct
# description: time in the outer loop, layers in the inner loop (the stack advances one step at a time)

def deep_rnn_forward(X, h0s, layers):
    n_x, m, T = X.shape
    L = len(layers)
    Hs = [np.zeros((layers[l]["U"].shape[0], m, T)) for l in range(L)]
    h = list(h0s)
    for t in range(T):
        x = X[:, :, t]
        for l in range(L):
            h[l] = rnn_step(x, h[l], layers[l])
            Hs[l][:, :, t] = h[l]
            x = h[l]
    return Hs
