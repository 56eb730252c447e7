# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: clips the arrays in place (out=) and returns the same dict
# message: leave the inputs unchanged

def clip(gradients, max_value):
    for key in gradients:
        np.clip(gradients[key], -max_value, max_value, out=gradients[key])
    return gradients
