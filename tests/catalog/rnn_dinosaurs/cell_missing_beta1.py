# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: the hidden bias beta1 is left out of h_next
# message: h_next differs

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t)
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next, yhat_t
