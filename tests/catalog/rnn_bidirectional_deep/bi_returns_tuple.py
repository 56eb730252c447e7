# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: returns the two halves as a tuple (H_f, H_b)
# message: one array
# base: solutions.bidirectional.birnn_forward
# replace:
#     return H
# with:
#     return H[:n_h], H[n_h:]
