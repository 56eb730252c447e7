# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: sample
# kind: correct
# description: the one-hot input as a column of np.eye, the probabilities flattened with ravel

def sample(parameters, char_to_ix, rng, max_length=50):
    n_x = parameters["V"].shape[1]
    eye = np.eye(n_x)
    h = np.zeros((parameters["U"].shape[0], 1))
    x = np.zeros((n_x, 1))
    out = []
    while True:
        h, yhat = rnn_cell_forward(x, h, parameters)
        idx = int(rng.choice(n_x, p=np.ravel(yhat)))
        out.append(idx)
        if idx == char_to_ix["\n"]:
            return out
        if len(out) == max_length:
            return out + [char_to_ix["\n"]]
        x = eye[:, [idx]]
