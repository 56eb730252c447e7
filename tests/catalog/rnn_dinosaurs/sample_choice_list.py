# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: correct
# description: rng.choice on a list of indices, a for-else loop

def sample(parameters, char_to_ix, rng, max_length=50):
    vocab = list(range(parameters["W"].shape[0]))
    x = np.zeros((len(vocab), 1))
    h = np.zeros((parameters["U"].shape[0], 1))
    indices = []
    for _ in range(max_length):
        h, yhat = rnn_cell_forward(x, h, parameters)
        idx = rng.choice(vocab, p=list(yhat.flatten()))
        indices.append(int(idx))
        if idx == char_to_ix["\n"]:
            return indices
        x = np.zeros_like(x)
        x[idx, 0] = 1.0
    return indices + [char_to_ix["\n"]]
