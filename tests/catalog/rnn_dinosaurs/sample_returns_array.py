# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: returns a NumPy array instead of a list
# message: list of ints
# base: solutions.rnn.sample
# replace:
#     indices.append(newline)
#     return indices
# with:
#     indices.append(newline)
#     return np.array(indices)
