# ruff: noqa
# description: bptt takes central finite differences through a forward pass of its own, written inline (no call the grader could refuse): exact enough to pass every small case, but one forward pass per parameter cannot meet the large linear_time case's limit, and that gate voids all of bptt's cases
# attacks: bptt
# %% replace bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    return finite_difference_gradients(X, Y, h0, parameters)

# include: finite_differences.finite_difference_gradients
# %% honest bptt
def bptt(X, Y, H, Y_hat, h0, parameters):
    return None
