# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: every layer above the first reads layer 0's states (inputs never updated after layer 0)
# message: reads layer 0's states
# base: solutions.deep.deep_rnn_forward
# replace:
#         inputs = H
# with:
#         inputs = Hs[0]
