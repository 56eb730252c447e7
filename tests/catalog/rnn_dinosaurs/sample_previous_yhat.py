# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: draws from the previous step's yhat (computed before the state update)
# message: before the state update
# base: solutions.rnn.sample
# replace:
#         h, yhat = rnn_cell_forward(x, h, parameters)
# with:
#         yhat = softmax(parameters["W"] @ h + parameters["beta2"])
#         h, _ = rnn_cell_forward(x, h, parameters)
