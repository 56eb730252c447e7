"""A student's bptt by central finite differences, as notebook-cell text for hostile submissions.

The attack (tests/hostile/*numerical_gradient_bptt.py, tests/test_oracle_scope.py): the loss's
forward pass written inline, so that bptt calls nothing the grader could refuse during its cases
(rnn_forward, rnn_cell_forward, numerical_gradient), only NumPy. Exact enough for every small case;
one forward pass per parameter entry is far too slow for the large linear_time case.

The function is not called from here: its source (``inspect.getsource``) is put into the student's
cell, by a hostile entry's ``# include: finite_differences.finite_difference_gradients`` line
(tests/hostile/README.md) or by tests/test_oracle_scope.py. Not a package (no ``__init__.py`` under
``tests/``): import it by path.
"""

import numpy as np


def finite_difference_gradients(X, Y, h0, parameters):
    """{"dV": ..., "dh0": ...}: central differences of the cross-entropy loss of rnn_forward."""
    def loss():
        h, total = h0, 0.0
        for t in range(X.shape[2]):
            h = np.tanh(parameters["U"] @ h + parameters["V"] @ X[:, :, t] + parameters["beta1"])
            z = parameters["W"] @ h + parameters["beta2"]
            e = np.exp(z - z.max(axis=0, keepdims=True))
            total -= np.sum(Y[:, :, t] * np.log(e / e.sum(axis=0, keepdims=True)))
        return total
    gradients = {}
    for key, array in list(parameters.items()) + [("h0", h0)]:
        g = np.zeros(array.shape)
        for i in np.ndindex(array.shape):
            old = array[i]
            array[i] = old + 1e-5
            up = loss()
            array[i] = old - 1e-5
            down = loss()
            array[i] = old
            g[i] = (up - down) / 2e-5
        gradients["d" + key] = g
    return gradients

