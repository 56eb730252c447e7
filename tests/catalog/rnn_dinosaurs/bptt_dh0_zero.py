# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dh0 left at zero
# message: it is zero everywhere
# base: solutions.rnn.bptt
# replace:
#     gradients["dh0"] = dh_next
# with:
#     gradients["dh0"] = np.zeros_like(h0)
