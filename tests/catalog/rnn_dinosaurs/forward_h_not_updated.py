# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_forward
# kind: bug
# description: the new state is stored but never fed back (h is not updated)
# message: h is not updated
# base: solutions.rnn.rnn_forward
# replace:
#         h, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
#         H[:, :, t] = h
# with:
#         h_next, Y_hat[:, :, t] = rnn_cell_forward(X[:, :, t], h, parameters)
#         H[:, :, t] = h_next
