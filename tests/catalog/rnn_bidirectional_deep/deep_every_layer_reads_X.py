# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: every layer reads the inputs X instead of the layer below
# message: reads the inputs X
# base: solutions.deep.deep_rnn_forward
# replace:
#             h = rnn_step(inputs[:, :, t], h, layer)
# with:
#             h = rnn_step(X[:, :, t], h, layer)
