# ruff: noqa  (a notebook cell: np, softmax and the other graded functions come from the notebook)
# function: rnn_cell_forward
# kind: correct
# description: np.dot and an explicit, stabilized softmax

def rnn_cell_forward(x_t, h_prev, parameters):
    V, U, W = parameters["V"], parameters["U"], parameters["W"]
    a = np.dot(U, h_prev) + np.dot(V, x_t) + parameters["beta1"]
    h_next = np.tanh(a)
    z = np.dot(W, h_next) + parameters["beta2"]
    z = z - z.max(axis=0)
    yhat_t = np.exp(z) / np.exp(z).sum(axis=0)
    return h_next, yhat_t
