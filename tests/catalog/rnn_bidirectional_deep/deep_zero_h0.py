# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: every layer starts from zeros instead of its h0
# message: starts from zeros
# base: solutions.deep.deep_rnn_forward
# replace:
#         h = h0
# with:
#         h = np.zeros((layer["U"].shape[0], m))
