"""Centered finite differences, for checking analytic gradients.

Notebook 1 gives students ``numerical_gradient`` and ``relative_error`` to check their own ``bptt``;
the project's tests use the same two functions.
"""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, eps=1e-5):
    """dL/dx by centered differences, (f(x + eps) - f(x - eps)) / (2 eps), one element at a time.

    Arguments:
    f -- a function of no arguments returning the scalar loss; it must read x (changed in place)
    x -- float64 array of any shape, perturbed in place and restored
    eps -- the step

    Returns:
    grad -- array of the same shape as x
    """
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2.0 * eps)
    return grad


def relative_error(a, b):
    """max |a - b| / max(|a|, |b|), over all elements; 0 when both are zero.

    Arguments:
    a, b -- arrays of the same shape

    Returns:
    error -- a float; below 1e-6 means the two agree to about six significant digits
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    scale = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0))
    if scale == 0.0:
        return 0.0
    return float(np.max(np.abs(a - b)) / scale)
