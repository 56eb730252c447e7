# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: correct
# description: one x reused: zeroed in place (x[:] = 0) before each new one-hot; a for loop with a counter

def sample(parameters, char_to_ix, rng, max_length=50):
    vocab_size = parameters["W"].shape[0]
    n_h = parameters["U"].shape[0]
    x = np.zeros((vocab_size, 1))
    h_prev = np.zeros((n_h, 1))
    indices = []
    newline = char_to_ix["\n"]
    for counter in range(max_length):
        h_prev, y = rnn_cell_forward(x, h_prev, parameters)
        idx = rng.choice(list(range(vocab_size)), p=y[:, 0])
        indices.append(int(idx))
        if idx == newline:
            break
        x[:] = 0
        x[idx] = 1
    else:
        indices.append(newline)
    return indices
