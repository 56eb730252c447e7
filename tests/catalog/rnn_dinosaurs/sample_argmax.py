# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: takes the argmax of yhat instead of sampling
# message: argmax
# base: solutions.rnn.sample
# replace:
#         idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))
# with:
#         idx = int(np.argmax(yhat))
