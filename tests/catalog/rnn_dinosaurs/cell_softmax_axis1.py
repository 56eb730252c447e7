# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: softmax written by hand over axis=1 (across the batch)
# message: normalized over axis 1
# base: solutions.rnn.rnn_cell_forward
# replace:
#     yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
# with:
#     z = parameters["W"] @ h_next + parameters["beta2"]
#     e = np.exp(z)
#     yhat_t = e / np.sum(e, axis=1, keepdims=True)
