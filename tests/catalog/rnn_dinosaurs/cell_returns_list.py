# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: bug
# description: returns Python lists (tolist) instead of arrays
# message: NumPy array

def rnn_cell_forward(x_t, h_prev, parameters):
    h_next = np.tanh(parameters["U"] @ h_prev + parameters["V"] @ x_t + parameters["beta1"])
    yhat_t = softmax(parameters["W"] @ h_next + parameters["beta2"])
    return h_next.tolist(), yhat_t.tolist()
