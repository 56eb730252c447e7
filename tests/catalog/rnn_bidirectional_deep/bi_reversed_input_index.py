# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: backward direction reads X[:, :, T - t] (off by one in the reversed index)
# message: off by one
# base: solutions.bidirectional.birnn_forward
# replace:
#     for t in reversed(range(T)):
#         h = rnn_step(X[:, :, t], h, params_b)
#         H[n_h:, :, t] = h
# with:
#     for t in range(T):
#         h = rnn_step(X[:, :, (T - t) % T], h, params_b)
#         H[n_h:, :, T - 1 - t] = h
