# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: h_prev replaced by zeros: no recurrence
# message: h_prev is not used
# base: solutions.rnn.rnn_cell_forward
# replace:
#     h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
# with:
#     h = np.zeros_like(h_prev)
#     h_next = np.tanh(parameters["U"] @ h + parameters["V"] @ x_t + parameters["beta1"])
