# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: sets x[idx] = 1 without zeroing x first: from the third letter on, x holds every letter drawn so far
# message: one-hot input not reset
# base: solutions.rnn.sample
# replace:
#         x = np.zeros((n_x, 1))
#         x[idx] = 1.0
# with:
#         x[idx] = 1.0
