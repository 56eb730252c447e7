# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: dbeta2 summed over axis 0 (the classes) instead of the batch
# message: over axis 0 (the classes)
# base: solutions.rnn.bptt
# replace:
#         gradients["dbeta2"] += np.sum(dZ[:, :, t], axis=1, keepdims=True)
# with:
#         gradients["dbeta2"] += np.sum(dZ[:, :, t], axis=0, keepdims=True).T[:1]
