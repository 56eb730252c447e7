# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dh_next = U @ da instead of U.T @ da
# message: not U da_{t+1}
# base: solutions.rnn.bptt
# replace:
#         dh_next = U.T @ da
# with:
#         dh_next = U @ da
