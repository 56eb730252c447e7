# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: adds each new one-hot vector to x (x += one_hot) instead of replacing it
# message: one-hot input not reset
# base: solutions.rnn.sample
# replace:
#         x = np.zeros((n_x, 1))
#         x[idx] = 1.0
# with:
#         x[idx] += 1.0
