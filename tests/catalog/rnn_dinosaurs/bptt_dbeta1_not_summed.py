# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dbeta1 not summed over the batch (shape (n_h, m))
# message: dbeta1 is not summed over the batch
# base: solutions.rnn.bptt
# replace:
#         gradients["dbeta1"] += np.sum(da, axis=1, keepdims=True)
# with:
#         gradients["dbeta1"] = gradients["dbeta1"] + da
