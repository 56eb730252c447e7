# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: draws max_length + 1 characters (<= in the loop test)
# message: draw at most max_length
# base: solutions.rnn.sample
# replace:
#     while len(indices) < max_length:
# with:
#     while len(indices) <= max_length:
