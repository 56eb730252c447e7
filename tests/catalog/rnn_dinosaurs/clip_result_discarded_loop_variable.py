# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: rebinds the loop variable (value = np.clip(...)), so the dict returned keeps the unclipped arrays
# message: np.clip's result not kept

def clip(gradients, max_value):
    clipped = {key: value.copy() for key, value in gradients.items()}
    for value in clipped.values():
        value = np.clip(value, -max_value, max_value)
    return clipped
