# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: deep_rnn_forward
# kind: bug
# description: layer l reads the layer below's state of step t-1 (zeros at t = 0)
# message: Hs[
# base: solutions.deep.deep_rnn_forward
# replace:
#     for h0, layer in zip(h0s, layers, strict=True):
# with:
#     for l, (h0, layer) in enumerate(zip(h0s, layers, strict=True)):
# replace:
#             h = rnn_step(inputs[:, :, t], h, layer)
# with:
#             if l == 0:
#                 x = inputs[:, :, t]
#             else:
#                 x = inputs[:, :, t - 1] if t > 0 else np.zeros(inputs[:, :, 0].shape)
#             h = rnn_step(x, h, layer)
