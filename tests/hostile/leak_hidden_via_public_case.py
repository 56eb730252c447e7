# ruff: noqa
# description: rnn_cell_forward records the inputs of every case it is given; rnn_forward, whose calls to rnn_cell_forward the grader answers with the reference, asks that oracle for the recorded inputs during its PUBLIC case and raises an exception carrying the reference's answers, which the public case's line shows at once. Public cases now run first, in a child of their own (only the public cell case has been recorded), and the oracle answers only for the current case's own parameters
# attacks: rnn_cell_forward, rnn_forward
# note: rnn_forward raised RuntimeError: LEAK recorded=1 answered=0
# %% attack
SEEN = []
# %% replace rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    SEEN.append((np.array(x_t), np.array(h_prev), {k: np.array(v) for k, v in parameters.items()}))
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape), np.full((n_y, m), 1.0 / n_y)
# %% honest rnn_cell_forward
def rnn_cell_forward(x_t, h_prev, parameters):
    n_y, m = parameters["W"].shape[0], x_t.shape[1]
    return np.zeros(h_prev.shape), np.full((n_y, m), 1.0 / n_y)
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    answers = []
    for x_t, h_prev, p in SEEN:
        try:
            answers.append(rnn_cell_forward(x_t, h_prev, p))
        except Exception:
            pass
    raise RuntimeError(f"LEAK recorded={len(SEEN)} answered={len(answers)} "
                       + repr([[np.round(a, 8).tolist() for a in pair] for pair in answers])[:3000])
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    raise RuntimeError("not written yet")
