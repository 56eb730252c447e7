# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: V and U swapped (U multiplies x_t, V multiplies h_prev)
# message: V and U are swapped
# base: solutions.rnn.rnn_cell_forward
# replace:
#     h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
# with:
#     h_next = np.tanh(parameters["V"] @ h_prev + parameters["U"] @ x_t + parameters["beta1"])
