# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: = instead of += for every gradient: each ends up holding the contribution of step 0 alone
# message: overwritten instead of accumulated
# base: solutions.rnn.bptt
# replace:
#         gradients["dW"] += dZ[:, :, t] @ H[:, :, t].T
#         gradients["dbeta2"] += np.sum(dZ[:, :, t], axis=1, keepdims=True)
# with:
#         gradients["dW"] = dZ[:, :, t] @ H[:, :, t].T
#         gradients["dbeta2"] = np.sum(dZ[:, :, t], axis=1, keepdims=True)
# replace:
#         gradients["dV"] += da @ X[:, :, t].T
#         gradients["dU"] += da @ h_prev.T
#         gradients["dbeta1"] += np.sum(da, axis=1, keepdims=True)
# with:
#         gradients["dV"] = da @ X[:, :, t].T
#         gradients["dU"] = da @ h_prev.T
#         gradients["dbeta1"] = np.sum(da, axis=1, keepdims=True)
