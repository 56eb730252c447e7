# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: rescales by the global norm instead of clipping element by element
# message: do not rescale

def clip(gradients, max_value):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    scale = min(1.0, max_value / norm)
    return {key: value * scale for key, value in gradients.items()}
