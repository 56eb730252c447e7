# ruff: noqa
# description: an infinite loop at top level in a cell; the rest of the notebook must still be graded, with a note naming the cell
# note: cell from the top, starting `while True:`: skipped: ran longer than
# %% attack
while True:
    pass
