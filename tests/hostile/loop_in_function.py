# ruff: noqa
# description: an infinite loop inside a graded function (clip): that function loses its points, nothing else
# attacks: clip
# %% replace clip
def clip(gradients, max_value):
    while True:
        pass
# %% honest clip
def clip(gradients, max_value):
    return None
