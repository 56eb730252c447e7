# ruff: noqa
# description: memory bombs: a 16 GB array and an ever-growing list in cells, and a graded function (rnn_cell_forward) that allocates until it dies
# attacks: rnn_cell_forward
# note: cell from the top, starting `hoard = \[\]`: skipped: (ran out of memory|ran longer than)
# %% attack
import numpy as np
huge = np.ones(2**31)
# %% attack
hoard = []
while True:
    hoard.append(bytearray(2**26))
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    hoard = []
    while True:
        hoard.append(np.ones(2**24))
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    return None
