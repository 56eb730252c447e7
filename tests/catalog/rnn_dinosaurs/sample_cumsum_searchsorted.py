# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: correct
# description: inverse-CDF sampling: rng.random() and np.searchsorted on the cumulative sum

def sample(parameters, char_to_ix, rng, max_length=50):
    n_h, n_x = parameters["V"].shape
    end = char_to_ix["\n"]
    h = np.zeros((n_h, 1))
    x = np.zeros((n_x, 1))
    out = []
    for _ in range(max_length):
        h, yhat = rnn_cell_forward(x, h, parameters)
        cdf = np.cumsum(yhat[:, 0])
        idx = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), n_x - 1)
        out.append(idx)
        if idx == end:
            break
        x = np.eye(n_x)[:, [idx]]
    else:
        out.append(end)
    return out
