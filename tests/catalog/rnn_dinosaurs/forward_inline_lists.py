# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_forward
# kind: correct
# description: the recurrence written inline (no rnn_cell_forward), states collected in lists and stacked

def rnn_forward(X, h0, parameters):
    V, U, W = parameters["V"], parameters["U"], parameters["W"]
    b1, b2 = parameters["beta1"], parameters["beta2"]
    hs, ys = [], []
    h = h0
    for t in range(X.shape[2]):
        h = np.tanh(np.dot(U, h) + np.dot(V, X[:, :, t]) + b1)
        z = W.dot(h) + b2
        e = np.exp(z - np.max(z, axis=0))
        hs.append(h)
        ys.append(e / e.sum(axis=0, keepdims=True))
    return np.stack(hs, axis=2), np.stack(ys, axis=-1)
