# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: the hidden bias beta1 is left out of h_next
# message: beta1 is missing
# base: solutions.rnn.rnn_cell_forward
# replace:
#     h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
# with:
#     h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t)
