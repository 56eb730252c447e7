# ruff: noqa
# description: a cell replaces np.allclose, np.isclose, np.array_equal and np.testing's asserts so that every comparison passes, with a wrong rnn_forward
# attacks: rnn_forward
# ran: PATCHED-COMPARISONS
# %% attack
import numpy as np
import numpy.testing

np.allclose = lambda *a, **k: True
np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(a, b).shape, dtype=bool)
np.array_equal = lambda *a, **k: True
np.array_equiv = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None
np.testing.assert_array_almost_equal = lambda *a, **k: None
np.testing.assert_almost_equal = lambda *a, **k: None
np.all = lambda *a, **k: True
np.any = lambda *a, **k: False
print("PATCHED-COMPARISONS")
# %% replace rnn_forward
def rnn_forward(X, h0, parameters):
    n_h, m, T = h0.shape[0], X.shape[1], X.shape[2]
    n_y = parameters["W"].shape[0]
    return np.zeros((n_h, m, T)), np.full((n_y, m, T), 1.0 / n_y)
# %% honest rnn_forward
def rnn_forward(X, h0, parameters):
    n_h, m, T = h0.shape[0], X.shape[1], X.shape[2]
    n_y = parameters["W"].shape[0]
    return np.zeros((n_h, m, T)), np.full((n_y, m, T), 1.0 / n_y)
