# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: no tanh: the hidden state is linear

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"]
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next, yhat_t
