# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: softmax normalized over the whole array (no axis): right only for m = 1
# message: normalized over the whole array
# base: solutions.rnn.rnn_cell_forward
# replace:
#     yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
# with:
#     e = np.exp(parameters["W"] @ h_next + parameters["beta2"])
#     yhat_t = e / np.sum(e)
