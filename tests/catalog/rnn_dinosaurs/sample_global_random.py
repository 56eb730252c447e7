# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: np.random.choice (global state) instead of rng
# message: rng
# base: solutions.rnn.sample
# replace:
#         idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))
# with:
#         idx = int(np.random.choice(yhat.shape[0], p=yhat.ravel()))
