# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: the output bias beta2 is left out of yhat_t
# message: beta2 is missing
# base: solutions.rnn.rnn_cell_forward
# replace:
#     yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
# with:
#     yhat_t = softmax(parameters["W"] @ h_next)
