# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: birnn_forward
# kind: bug
# description: its own step without the tanh instead of rnn_step
# message: backward
# base: solutions.bidirectional.birnn_forward
# replace:
#     n_x, m, T = X.shape
# with:
#     def step(x, h, p):
#         return p["U"] @ h + p["V"] @ x + p["beta1"]
#
#     n_x, m, T = X.shape
# replace:
#         h = rnn_step(X[:, :, t], h, params_f)
# with:
#         h = step(X[:, :, t], h, params_f)
# replace:
#         h = rnn_step(X[:, :, t], h, params_b)
# with:
#         h = step(X[:, :, t], h, params_b)
