# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: bptt
# kind: correct
# description: einsum for every product, a reversed list of steps

def bptt(X, Y, H, Y_hat, h0, parameters):
    U, W = parameters["U"], parameters["W"]
    T = X.shape[2]
    dZ = Y_hat - Y
    H_prev = np.concatenate([h0[:, :, None], H[:, :, :-1]], axis=2)
    dW = np.einsum("ymt,hmt->yh", dZ, H)
    dbeta2 = dZ.sum(axis=(1, 2))[:, None]
    dA = np.zeros_like(H)
    carry = np.zeros_like(h0)
    for t in range(T - 1, -1, -1):
        dh = np.einsum("yh,ym->hm", W, dZ[:, :, t]) + carry
        dA[:, :, t] = dh * (1.0 - np.square(H[:, :, t]))
        carry = np.einsum("ij,im->jm", U, dA[:, :, t])
    return {
        "dV": np.einsum("hmt,xmt->hx", dA, X),
        "dU": np.einsum("hmt,kmt->hk", dA, H_prev),
        "dW": dW,
        "dbeta1": dA.sum(axis=(1, 2)).reshape(-1, 1),
        "dbeta2": dbeta2,
        "dh0": carry,
    }
