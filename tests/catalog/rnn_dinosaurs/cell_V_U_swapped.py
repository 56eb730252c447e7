# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: V and U swapped (U multiplies x_t, V multiplies h_prev)

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["V"] @ h_prev + parameters["U"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next, yhat_t
