# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: calls np.clip without keeping its result (no out=, no assignment): nothing is clipped
# message: np.clip's result not kept

def clip(gradients, max_value):
    clipped = {}
    for key, value in gradients.items():
        np.clip(value, -max_value, max_value)
        clipped[key] = value.copy()
    return clipped
