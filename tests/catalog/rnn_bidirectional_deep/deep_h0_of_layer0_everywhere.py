# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: every layer starts from h0s[0]
# message: starts from h0s[0]
# base: solutions.deep.deep_rnn_forward
# replace:
#         h = h0
# with:
#         h = h0s[0]
