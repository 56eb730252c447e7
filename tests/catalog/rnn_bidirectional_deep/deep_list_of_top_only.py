# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: returns [H_top], a list holding only the top layer
# message: one entry per layer
# base: solutions.deep.deep_rnn_forward
# replace:
#     return Hs
# with:
#     return [Hs[-1]]
