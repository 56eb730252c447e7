# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: no dh0 key in the gradients
# message: missing the key
# base: solutions.rnn.bptt
# replace:
#     gradients["dh0"] = dh_next
# with:
