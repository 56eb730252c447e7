# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dU uses h_t instead of h_{t-1}
# message: state before step t
# base: solutions.rnn.bptt
# replace:
#         gradients["dU"] += da @ h_prev.T
# with:
#         gradients["dU"] += da @ H[:, :, t].T
