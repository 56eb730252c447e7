# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: Y_hat stored one step too early (index t - 1)
# message: holds the yhat of step t+1
# base: solutions.rnn.rnn_forward
# replace:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
# with:
#         h, Y_hat[:, :, t - 1] = rnn_cell_forward(X[:, :, t], h, parameters)
