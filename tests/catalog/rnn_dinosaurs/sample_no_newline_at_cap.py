# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: does not append the newline after max_length draws
# message: append
# base: solutions.rnn.sample
# replace:
#     indices.append(newline)
#     return indices
# with:
#     return indices
