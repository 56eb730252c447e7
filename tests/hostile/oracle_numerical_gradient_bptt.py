# ruff: noqa
# description: bptt takes finite differences with the notebook's own numerical_gradient and cross_entropy_loss through rnn_forward, which the grader used to answer with the reference during bptt's cases (20/20 for bptt with every other function a stub); bptt now gets no oracle, and the forward pass and numerical_gradient refuse to run during its cases
# attacks: bptt
# note: bptt must not call rnn_forward, rnn_cell_forward or numerical_gradient
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    loss = lambda: cross_entropy_loss(rnn_forward(X, h0, parameters)[1], Y)
    gradients = {"d" + key: numerical_gradient(loss, parameters[key]) for key in parameters}
    gradients["dh0"] = numerical_gradient(loss, h0)
    return gradients
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    return None
