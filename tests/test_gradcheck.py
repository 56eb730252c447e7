"""solutions.gradcheck: the finite-difference helpers every gradient test relies on."""

import numpy as np
import pytest

from solutions.gradcheck import numerical_gradient, relative_error


def test_numerical_gradient_of_cube_sum_is_three_x_squared():
    x = np.random.default_rng(0).normal(size=(3, 4))
    grad = numerical_gradient(lambda: float(np.sum(x**3)), x)
    assert grad.shape == x.shape
    # Centered differences are exact up to eps^2 * f''' / 6 = 1e-10 for a cubic, plus rounding.
    np.testing.assert_allclose(grad, 3 * x**2, rtol=0, atol=1e-8)


def test_numerical_gradient_sees_each_element_separately():
    # f couples elements, so an implementation that perturbs all of x at once would be wrong.
    x = np.array([1.0, 2.0, -3.0])
    grad = numerical_gradient(lambda: float(x[0] * x[1] + np.sin(x[2])), x)
    np.testing.assert_allclose(grad, [2.0, 1.0, np.cos(-3.0)], rtol=0, atol=1e-9)


def test_numerical_gradient_restores_x_exactly():
    x = np.random.default_rng(1).normal(size=(2, 3, 2))
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(np.tanh(x))), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_of_a_constant_is_zero():
    x = np.ones((2, 2))
    assert np.array_equal(numerical_gradient(lambda: 7.0, x), np.zeros((2, 2)))


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    a = np.array([1.0, -2.0, 3.0])
    assert relative_error(a, a.copy()) == 0.0
    # One side zero: the whole difference is as large as the scale.
    assert relative_error(np.zeros(3), a) == pytest.approx(1.0)
    assert relative_error(a, -a) == pytest.approx(2.0)
    # Scaled by the largest magnitude of either side, so symmetric and scale-free.
    b = a + np.array([0.0, 0.0, 3e-6])
    assert relative_error(a, b) == pytest.approx(relative_error(b, a))
    assert relative_error(a, b) == pytest.approx(3e-6 / (3.0 + 3e-6))
    assert relative_error(1e6 * a, 1e6 * b) == pytest.approx(relative_error(a, b))
    assert relative_error(2.0, 2.0) == 0.0
    assert isinstance(relative_error(a, b), float)
