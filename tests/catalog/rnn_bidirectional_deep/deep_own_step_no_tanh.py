# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: its own step without the tanh instead of rnn_step
# message: without the tanh
# base: solutions.deep.deep_rnn_forward
# replace:
#             h = rnn_step(inputs[:, :, t], h, layer)
# with:
#             h = layer["U"] @ h + layer["V"] @ inputs[:, :, t] + layer["beta1"]
