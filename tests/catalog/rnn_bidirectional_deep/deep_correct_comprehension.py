# ruff: noqa  (a notebook cell: np, rnn_step and the other graded functions come from the notebook)
# function: deep_rnn_forward
# kind: correct
# description: each layer's states built by a list comprehension of steps, then np.stack

def deep_rnn_forward(X, h0s, layers):
    Hs = []
    below = X
    for h0, layer in zip(h0s, layers):
        states = [h0]
        for x_t in [below[:, :, t] for t in range(below.shape[2])]:
            states.append(rnn_step(x_t, states[-1], layer))
        below = np.stack(states[1:], axis=-1)
        Hs.append(below)
    return Hs
