# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: rnn_cell_forward
# kind: bug
# description: returns Python lists (tolist) instead of arrays
# message: NumPy array
# base: solutions.rnn.rnn_cell_forward
# replace:
#     return h_next, yhat_t
# with:
#     return h_next.tolist(), yhat_t.tolist()
