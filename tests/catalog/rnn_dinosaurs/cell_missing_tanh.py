# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: no tanh: the hidden state is linear
# message: the tanh is missing
# base: solutions.rnn.rnn_cell_forward
# replace:
#     h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
# with:
#     h_next = parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"]
