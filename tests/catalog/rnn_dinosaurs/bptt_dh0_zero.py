# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: bptt
# kind: bug
# description: dh0 left at zero
# message: it is zero everywhere

def bptt(X, Y, H, Y_hat, h0, parameters):
    U, W = parameters["U"], parameters["W"]
    n_x, m, T = X.shape
    g = {"dV": np.zeros_like(parameters["V"]), "dU": np.zeros_like(U), "dW": np.zeros_like(W),
         "dbeta1": np.zeros_like(parameters["beta1"]), "dbeta2": np.zeros_like(parameters["beta2"])}
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        h_prev = H[:, :, t - 1] if t > 0 else h0
        dz = Y_hat[:, :, t] - Y[:, :, t]
        g["dW"] += dz @ H[:, :, t].T
        g["dbeta2"] += np.sum(dz, axis=1, keepdims=True)
        dh = W.T @ dz + dh_next
        da = (1 - H[:, :, t] ** 2) * dh
        g["dV"] += da @ X[:, :, t].T
        g["dU"] += da @ h_prev.T
        g["dbeta1"] += np.sum(da, axis=1, keepdims=True)
        dh_next = U.T @ da
    g["dh0"] = np.zeros_like(h0)
    return g
