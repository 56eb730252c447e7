# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: the two directions added instead of concatenated
# message: directions were added
# base: solutions.bidirectional.birnn_forward
# replace:
#     H = np.zeros((2 * n_h, m, T))
# with:
#     H = np.zeros((n_h, m, T))
# replace:
#         H[:n_h, :, t] = h
# with:
#         H[:, :, t] += h
# replace:
#         H[n_h:, :, t] = h
# with:
#         H[:, :, t] += h
