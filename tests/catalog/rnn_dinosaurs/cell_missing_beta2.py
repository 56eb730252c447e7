# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: the output bias beta2 is left out of yhat_t
# message: yhat_t differs

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next)
    return h_next, yhat_t
