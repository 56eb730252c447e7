# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: bug
# description: takes the argmax of yhat instead of sampling
# message: argmax

def sample(parameters, char_to_ix, rng, max_length=50):
    n_h, n_x = parameters["V"].shape
    newline = char_to_ix["\n"]
    x = np.zeros((n_x, 1))
    h = np.zeros((n_h, 1))
    indices = []
    while len(indices) < max_length:
        h, yhat = rnn_cell_forward(x, h, parameters)
        idx = int(np.argmax(yhat))
        indices.append(idx)
        if idx == newline:
            return indices
        x = np.zeros((n_x, 1))
        x[idx] = 1
    indices.append(newline)
    return indices
