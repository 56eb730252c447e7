# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: resets h to zeros at every step
# message: h is reset to zeros at every step
# base: solutions.rnn.sample
# replace:
#         h, yhat = rnn_cell_forward(x, h, parameters)
# with:
#         h = np.zeros((n_h, 1))
#         h, yhat = rnn_cell_forward(x, h, parameters)
