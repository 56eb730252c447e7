# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: yhat_t computed from h_prev instead of the new state h_next
# message: computed from h_prev
# base: solutions.rnn.rnn_cell_forward
# replace:
#     yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
# with:
#     yhat_t = softmax(parameters["W"] @ h_prev + parameters["beta2"])
