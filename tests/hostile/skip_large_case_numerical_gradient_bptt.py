# ruff: noqa
# description: bptt by finite differences through a forward pass of its own that notices the large linear_time case (too slow for finite differences) and returns zeros there quickly instead of running out of time: the gate finds every gradient wrong on its large input, so the small cases' passes of those gradients do not count
# attacks: bptt
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    if X.size > 10000:
        return {"dV": np.zeros(parameters["V"].shape), "dU": np.zeros(parameters["U"].shape),
                "dW": np.zeros(parameters["W"].shape), "dbeta1": np.zeros(parameters["beta1"].shape),
                "dbeta2": np.zeros(parameters["beta2"].shape), "dh0": np.zeros(h0.shape)}
    return finite_difference_gradients(X, Y, h0, parameters)

# include: finite_differences.finite_difference_gradients
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    return {"dV": np.zeros(parameters["V"].shape), "dU": np.zeros(parameters["U"].shape),
            "dW": np.zeros(parameters["W"].shape), "dbeta1": np.zeros(parameters["beta1"].shape),
            "dbeta2": np.zeros(parameters["beta2"].shape), "dh0": np.zeros(h0.shape)}
