# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: bptt
# kind: correct
# description: the WildML double loop without truncation: each step's loss is backpropagated to step 0 on its own (quadratic in T)

def bptt(X, Y, H, Y_hat, h0, parameters):
    U, V, W = parameters["U"], parameters["V"], parameters["W"]
    T = X.shape[2]
    dU, dV, dW = np.zeros(U.shape), np.zeros(V.shape), np.zeros(W.shape)
    dbeta1 = np.zeros(parameters["beta1"].shape)
    dbeta2 = np.zeros(parameters["beta2"].shape)
    dh0 = np.zeros(h0.shape)
    delta_o = Y_hat - Y
    for t in np.arange(T)[::-1]:
        dW += delta_o[:, :, t] @ H[:, :, t].T
        dbeta2 += delta_o[:, :, t].sum(axis=1, keepdims=True)
        delta_t = (W.T @ delta_o[:, :, t]) * (1 - H[:, :, t] ** 2)
        for step in np.arange(0, t + 1)[::-1]:
            h_before = H[:, :, step - 1] if step > 0 else h0
            dU += delta_t @ h_before.T
            dV += delta_t @ X[:, :, step].T
            dbeta1 += delta_t.sum(axis=1, keepdims=True)
            if step == 0:
                dh0 += U.T @ delta_t
            else:
                delta_t = (U.T @ delta_t) * (1 - H[:, :, step - 1] ** 2)
    return {"dV": dV, "dU": dU, "dW": dW, "dbeta1": dbeta1, "dbeta2": dbeta2, "dh0": dh0}
