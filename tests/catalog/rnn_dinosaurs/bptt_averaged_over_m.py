# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: every gradient divided by m (a mean over the batch, the loss is a sum)
# message: averaged over the batch
# base: solutions.rnn.bptt
# replace:
#     return gradients
# with:
#     m = X.shape[1]
#     gradients = {k: v / m for k, v in gradients.items()}
#     return gradients
