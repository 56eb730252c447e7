# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: returns only the top layer's states (an array, not a list)
# message: not only the top layer
# base: solutions.deep.deep_rnn_forward
# replace:
#     return Hs
# with:
#     return Hs[-1]
