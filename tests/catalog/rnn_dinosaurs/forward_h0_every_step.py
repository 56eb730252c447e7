# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: every step starts from h0 instead of the previous state
# message: h is not updated
# base: solutions.rnn.rnn_forward
# replace:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
# with:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h0, parameters)
