# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: clips into [0, max_value]
# message: clipped into [0, max_value]

def clip(gradients, max_value):
    return {key: np.clip(value, 0, max_value) for key, value in gradients.items()}
