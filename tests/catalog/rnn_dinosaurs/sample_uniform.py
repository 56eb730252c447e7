# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: draws uniformly, ignoring yhat
# message: the draws look uniform
# base: solutions.rnn.sample
# replace:
#         idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))
# with:
#         idx = int(rng.integers(yhat.shape[0]))
