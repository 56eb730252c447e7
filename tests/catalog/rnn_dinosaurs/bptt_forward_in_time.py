# ruff: noqa: E501  (a block quotes a whole line of the reference)
# function: bptt
# kind: bug
# description: loops forward in time, so dh_next comes from the wrong step
# message: runs forward in time
# base: solutions.rnn.bptt
# replace:
#     for t in reversed(range(T)):
# with:
#     for t in range(T):
