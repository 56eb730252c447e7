# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: starts from zeros instead of h0
# message: it starts from zeros
# base: solutions.rnn.rnn_forward
# replace:
#     h = h0
# with:
#     h = np.zeros((n_h, m))
