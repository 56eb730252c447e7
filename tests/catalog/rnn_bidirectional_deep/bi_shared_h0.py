# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: h0_f used as the initial state of both directions
# message: starts from h0_f
# base: solutions.bidirectional.birnn_forward
# replace:
#     h = h0_b
# with:
#     h = h0_f
