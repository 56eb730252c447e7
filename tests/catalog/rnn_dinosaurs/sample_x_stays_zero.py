# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: never feeds the drawn character back: x stays zero
# message: feed the one-hot
# base: solutions.rnn.sample
# replace:
#         x = np.zeros((n_x, 1))
#         x[idx] = 1.0
# with:
