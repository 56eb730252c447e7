# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: softmax written by hand over axis=1 (across the batch)
# message: sum to

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    z = parameters["W"] @ h_next + parameters["beta2"]
    e = np.exp(z)
    yhat_t = e / np.sum(e, axis=1, keepdims=True)
    return h_next, yhat_t
