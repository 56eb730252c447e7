# ruff: noqa
# description: thousands of cells that each raise an exception with a long message (2,000 here to keep the suite quick; 20,000 measured in the README): the grader must neither write a results.json of hundreds of MB nor hold every traceback in memory
# repeat: 2000
# note: more cells with problems \(not listed\)
# %% attack
raise ValueError("spam " * 400)
