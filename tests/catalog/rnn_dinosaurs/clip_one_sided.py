# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: only the upper bound: np.minimum(g, max_value)
# message: below -max_value

def clip(gradients, max_value):
    return {key: np.minimum(value, max_value) for key, value in gradients.items()}
