# ruff: noqa
# description: hundreds of MB printed and written to fd 1 and 2 (a cell and a graded function, clip); results.json's output must stay capped
# attacks: clip
# ran: xxxxxxxxxx
# %% attack
import os, sys
chunk = "x" * 2**20 + "\n"
for _ in range(300):
    print(chunk, end="")
    sys.stderr.write(chunk)
data = chunk.encode()
for _ in range(300):
    os.write(1, data)
    os.write(2, data)
# %% replace clip
def clip(gradients, max_value):
    import os
    print("y" * 2**27)
    os.write(1, b"z" * 2**27)
    return None
# %% honest clip
def clip(gradients, max_value):
    return None
