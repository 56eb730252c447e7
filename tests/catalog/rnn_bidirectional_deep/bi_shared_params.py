# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: params_f used for both directions
# message: uses params_f
# base: solutions.bidirectional.birnn_forward
# replace:
#         h = rnn_step(X[:, :, t], h, params_b)
# with:
#         h = rnn_step(X[:, :, t], h, params_f)
