# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: correct
# description: recursion over the layers, a tuple-free list returned

def deep_rnn_forward(X, h0s, layers):
    if not layers:
        return []
    T = X.shape[2]
    H = np.zeros((layers[0]["U"].shape[0], X.shape[1], T))
    h = h0s[0]
    for t in range(T):
        h = rnn_step(X[:, :, t], h, layers[0])
        H[:, :, t] = h
    return [H] + deep_rnn_forward(H, h0s[1:], layers[1:])
