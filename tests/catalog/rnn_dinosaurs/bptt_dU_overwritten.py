# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: = instead of += for dU only
# message: overwritten instead of accumulated
# base: solutions.rnn.bptt
# replace:
#         gradients["dU"] += da @ h_prev.T
# with:
#         gradients["dU"] = da @ h_prev.T
