# ruff: noqa
# description: os._exit in a cell, and inside a graded function (rnn_forward)
# attacks: rnn_forward
# note: skipped: the process running it exited with status 3
# %% attack
import os
os._exit(3)
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    import os
    os._exit(0)
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    return None
