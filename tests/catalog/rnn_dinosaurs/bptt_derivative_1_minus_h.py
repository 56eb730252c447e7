# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: tanh derivative written as (1 - h) instead of (1 - h**2)
# message: not 1 - h_t
# base: solutions.rnn.bptt
# replace:
#         da = (1.0 - H[:, :, t] ** 2) * dh
# with:
#         da = (1.0 - H[:, :, t]) * dh
