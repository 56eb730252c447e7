# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: yhat_t computed from h_prev instead of the new state h_next

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_prev + parameters["beta2"])
    return h_next, yhat_t
