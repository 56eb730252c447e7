# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: h_prev replaced by zeros: no recurrence

def rnn_cell_forward(x_t, h_prev, parameters):
    h = np.zeros_like(h_prev)
    h_next = np.tanh(parameters["U"] @ h + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next, yhat_t
