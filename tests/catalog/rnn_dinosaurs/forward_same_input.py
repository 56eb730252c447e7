# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: reads X[:, :, 0] at every step (the time index forgotten)
# message: every step reads X[:, :, 0]
# base: solutions.rnn.rnn_forward
# replace:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
# with:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, 0], h, parameters)
