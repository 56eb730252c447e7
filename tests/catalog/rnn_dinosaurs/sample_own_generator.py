# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: sample
# kind: bug
# description: makes its own Generator with a fixed seed, ignoring rng
# message: a Generator made inside sample
# base: solutions.rnn.sample
# replace:
#         idx = int(rng.choice(yhat.shape[0], p=yhat.ravel()))
# with:
#         idx = int(np.random.default_rng(0).choice(yhat.shape[0], p=yhat.ravel()))
