# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: backward states on top, forward states below
# message: halves are swapped
# base: solutions.bidirectional.birnn_forward
# replace:
#         h = rnn_step(X[:, :, t], h, params_f)
#         H[:n_h, :, t] = h
# with:
#         h = rnn_step(X[:, :, t], h, params_f)
#         H[n_h:, :, t] = h
# replace:
#         h = rnn_step(X[:, :, t], h, params_b)
#         H[n_h:, :, t] = h
# with:
#         h = rnn_step(X[:, :, t], h, params_b)
#         H[:n_h, :, t] = h
