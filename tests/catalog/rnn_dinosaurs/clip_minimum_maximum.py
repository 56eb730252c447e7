# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: correct
# description: np.minimum and np.maximum, a loop over items

def clip(gradients, max_value):
    clipped = {}
    for key, value in gradients.items():
        clipped[key] = np.minimum(np.maximum(value, -max_value), max_value)
    return clipped
