# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: clips a fixed list of keys and drops the rest (dh0, any other)
# message: missing the key

def clip(gradients, max_value):
    clipped = {}
    for key in ["dV", "dU", "dW", "dbeta1", "dbeta2"]:
        clipped[key] = np.clip(gradients[key], -max_value, max_value)
    return clipped
