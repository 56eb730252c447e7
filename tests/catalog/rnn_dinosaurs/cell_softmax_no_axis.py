# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: softmax normalized over the whole array (no axis): right only for m = 1

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    e = np.exp(parameters["W"] @ h_next + parameters["beta2"])
    yhat_t = e / np.sum(e)
    return h_next, yhat_t
