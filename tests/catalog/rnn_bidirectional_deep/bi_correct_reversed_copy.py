# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: birnn_forward
# kind: correct
# description: backward direction run forward over X[:, :, ::-1], its states flipped back

def birnn_forward(X, h0_f, h0_b, params_f, params_b):
    def run(inputs, h, params):
        states = []
        for t in range(inputs.shape[2]):
            h = rnn_step(inputs[:, :, t], h, params)
            states.append(h)
        return np.stack(states, axis=2)

    H_f = run(X, h0_f, params_f)
    H_b = run(X[:, :, ::-1], h0_b, params_b)[:, :, ::-1]
    return np.concatenate([H_f, H_b], axis=0)
