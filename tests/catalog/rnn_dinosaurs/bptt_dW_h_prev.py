# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dW uses h_{t-1} instead of h_t
# message: not h_{t-1}
# base: solutions.rnn.bptt
# replace:
#         gradients["dW"] += dZ[:, :, t] @ H[:, :, t].T
# with:
#         gradients["dW"] += dZ[:, :, t] @ h_prev.T
