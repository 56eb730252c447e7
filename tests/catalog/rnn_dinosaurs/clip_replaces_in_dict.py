# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: clip
# kind: bug
# description: writes the clipped arrays back into the dict passed in
# message: leave the inputs unchanged

def clip(gradients, max_value):
    for key, value in gradients.items():
        gradients[key] = np.clip(value, -max_value, max_value)
    return gradients
