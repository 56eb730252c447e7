# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: keeps drawing after the newline until max_length
# message: kept drawing
# base: solutions.rnn.sample
# replace:
#         if idx == newline:
#             return indices
# with:
#         if idx == newline:
#             pass
