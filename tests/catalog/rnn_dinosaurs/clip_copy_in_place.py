# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: correct
# description: copies each array, then clips the copy in place

def clip(gradients, max_value):
    clipped = {key: value.copy() for key, value in gradients.items()}
    for value in clipped.values():
        np.clip(value, -max_value, max_value, out=value)
    return clipped
