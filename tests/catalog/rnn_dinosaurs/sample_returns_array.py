# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: bug
# description: returns a NumPy array instead of a list
# message: list of ints

def sample(parameters, char_to_ix, rng, max_length=50):
    n_h, n_x = parameters["V"].shape
    newline = char_to_ix["\n"]
    x = np.zeros((n_x, 1))
    h = np.zeros((n_h, 1))
    indices = []
    while len(indices) < max_length:
        h, yhat = rnn_cell_forward(x, h, parameters)
        idx = int(rng.choice(n_x, p=yhat.ravel()))
        indices.append(idx)
        if idx == newline:
            return indices
        x = np.zeros((n_x, 1))
        x[idx] = 1
    indices.append(newline)
    indices = np.array(indices)
    return indices
