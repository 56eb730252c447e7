# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: backward loop range(T - 1, 0, -1): x_0 never read, H[n_h:, :, 0] left at zero
# message: H[n_h:, :, 0]
# base: solutions.bidirectional.birnn_forward
# replace:
#     for t in reversed(range(T)):
# with:
#     for t in range(T - 1, 0, -1):
