# ruff: noqa
# description: bptt by finite differences through a forward pass of its own that notices the large linear_time case (too slow for finite differences) and returns zeros there quickly instead of running out of time: the gate finds every gradient wrong on its large input, so the small cases' passes of those gradients do not count
# attacks: bptt
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    if X.size > 10000:
        return {"dV": np.zeros(parameters["V"].shape), "dU": np.zeros(parameters["U"].shape),
                "dW": np.zeros(parameters["W"].shape), "dbeta1": np.zeros(parameters["beta1"].shape),
                "dbeta2": np.zeros(parameters["beta2"].shape), "dh0": np.zeros(h0.shape)}
    def loss():
        h, total = h0, 0.0
        for t in range(X.shape[2]):
            h = np.tanh(parameters["U"] @ h + parameters["V"] @ X[:, :, t] + parameters["beta1"])
            z = parameters["W"] @ h + parameters["beta2"]
            e = np.exp(z - z.max(axis=0, keepdims=True))
            total -= np.sum(Y[:, :, t] * np.log(e / e.sum(axis=0, keepdims=True)))
        return total
    gradients = {}
    for key, array in list(parameters.items()) + [("h0", h0)]:
        g = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            old = array[i]
            array[i] = old + 1e-5
            up = loss()
            array[i] = old - 1e-5
            down = loss()
            array[i] = old
            g[i] = (up - down) / 2e-5
        gradients["d" + key] = g
    return gradients
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    return {"dV": np.zeros(parameters["V"].shape), "dU": np.zeros(parameters["U"].shape),
            "dW": np.zeros(parameters["W"].shape), "dbeta1": np.zeros(parameters["beta1"].shape),
            "dbeta2": np.zeros(parameters["beta2"].shape), "dh0": np.zeros(h0.shape)}
