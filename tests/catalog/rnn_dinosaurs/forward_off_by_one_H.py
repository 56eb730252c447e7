# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: H[:, :, t] stores the state before the step (h_{t-1}), not after
# message: holds the state before reading x_t
# base: solutions.rnn.rnn_forward
# replace:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
#         H[:, :, t] = h
# with:
#         H[:, :, t] = h
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
