# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: truncated BPTT: dh_t ignores the gradient from step t+1
# message: no gradient flows back through time
# base: solutions.rnn.bptt
# replace:
#         # h_t reaches the loss through yhat_t and through h_{t+1}.
#         dh = W.T @ dZ[:, :, t] + dh_next
# with:
#         dh = W.T @ dZ[:, :, t]
