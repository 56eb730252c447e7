# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: every layer uses layers[0]'s parameters
# message: layers[0]'s parameters
# base: solutions.deep.deep_rnn_forward
# replace:
#             h = rnn_step(inputs[:, :, t], h, layer)
# with:
#             h = rnn_step(inputs[:, :, t], h, layers[0])
