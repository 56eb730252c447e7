# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: the tanh derivative is left out (da = dh)
# message: tanh derivative is missing
# base: solutions.rnn.bptt
# replace:
#         da = (1.0 - H[:, :, t] ** 2) * dh
# with:
#         da = dh
