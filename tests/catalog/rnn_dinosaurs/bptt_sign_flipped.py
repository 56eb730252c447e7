# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dz = Y - Y_hat: every gradient has the wrong sign
# message: sign is flipped
# base: solutions.rnn.bptt
# replace:
#     # d(-log softmax)/dz is Y_hat - Y for a one-hot column of Y. Written as Y_hat * sum(Y) - Y it
#     # also holds for an all-zero column, so padded time steps with no target contribute nothing.
#     dZ = Y_hat * np.sum(Y, axis=0, keepdims=True) - Y
# with:
#     dZ = Y - Y_hat
