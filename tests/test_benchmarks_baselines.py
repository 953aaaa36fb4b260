"""The hand-written NumPy gradients in benchmarks/ are the reference every
other implementation is checked against, so they are checked here, at the
quick sizes, against central finite differences of the plain forward pass
(the same ``forward``/``loss`` the frameworks differentiate, run with NumPy).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workloads import (elementwise, hvp, jacobian, likelihood, mlp, rnn,  # noqa: E402
                                  scalar_chain)

STEP = 1e-6
RTOL, ATOL = 1e-6, 1e-8


def numeric_grad(f, arrays):
    """Central differences of scalar f(list of arrays), entry by entry."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    grads = []
    for a in arrays:
        g = np.zeros_like(a)
        for index in np.ndindex(a.shape):
            saved = a[index]
            a[index] = saved + STEP
            plus = f(arrays)
            a[index] = saved - STEP
            minus = f(arrays)
            a[index] = saved
            g[index] = (plus - minus) / (2 * STEP)
        grads.append(g)
    return grads


def assert_close(got, want):
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_scalar_chain():
    x = scalar_chain.make_data(quick=True)["x"]
    value, grad = scalar_chain.numpy_value_and_grad(x)
    assert value == pytest.approx(scalar_chain.forward(x, np), rel=1e-14)
    (expected,) = numeric_grad(lambda a: scalar_chain.forward(a[0], np), [x])
    assert_close(grad, expected)


def test_scalar_chain_at_other_points():
    for x in (-1.3, 0.0, 0.2, 2.5):
        _, grad = scalar_chain.numpy_value_and_grad(np.float64(x))
        (expected,) = numeric_grad(lambda a: scalar_chain.forward(a[0], np), [x])
        assert_close(grad, expected)


def test_mlp():
    data = mlp.make_data(quick=True)
    x, y = data["x"], data["y"]
    flat = [t for pair in data["params"] for t in pair]

    def f(arrays):
        params = list(zip(arrays[0::2], arrays[1::2]))
        return mlp.loss(params, x, y, np)

    value, grads = mlp.numpy_value_and_grad(data["params"], x, y)
    assert value == pytest.approx(f(flat), rel=1e-12)
    for got, want in zip([t for pair in grads for t in pair], numeric_grad(f, flat)):
        assert_close(got, want)


def test_elementwise():
    x = elementwise.make_data(quick=True)["x"]
    value, grad = elementwise.numpy_value_and_grad(x)
    assert value == pytest.approx(elementwise.forward(x, np), rel=1e-12)
    (expected,) = numeric_grad(lambda a: elementwise.forward(a[0], np), [x])
    assert_close(grad, expected)


def test_hvp():
    data = hvp.make_data(quick=True)
    a, x, v = data["a"], data["x"], data["v"]
    value, grad = hvp.numpy_value_and_grad(a, x)
    assert value == pytest.approx(hvp.forward(a, x, np), rel=1e-12)
    (expected,) = numeric_grad(lambda arrays: hvp.forward(a, arrays[0], np), [x])
    assert_close(grad, expected)

    grad_again, product = hvp.numpy_grad_and_hvp(a, x, v)
    assert_close(grad_again, grad)
    # Directional derivative of the (checked) gradient along v.
    step = 1e-5
    plus = hvp.numpy_value_and_grad(a, x + step * v)[1]
    minus = hvp.numpy_value_and_grad(a, x - step * v)[1]
    assert_close(product, (plus - minus) / (2 * step))


def test_rnn():
    data = rnn.make_data(quick=True)
    xs, h0 = data["xs"], data["h0"]

    def f(arrays):
        return rnn.loss(tuple(arrays), xs, h0, np)

    value, grads = rnn.numpy_value_and_grad(data["params"], xs, h0)
    assert value == pytest.approx(f(list(data["params"])), rel=1e-12)
    for got, want in zip(grads, numeric_grad(f, list(data["params"]))):
        assert_close(got, want)


def test_jacobian():
    data = jacobian.make_data(quick=True)
    a, x = data["a"], data["x"]
    value, jac = jacobian.numpy_value_and_jacobian(a, x)
    np.testing.assert_allclose(value, jacobian.forward(a, x, np), rtol=1e-14)
    for i in range(len(x)):  # row i is the gradient of output i
        (expected,) = numeric_grad(lambda arrays: jacobian.forward(a, arrays[0], np)[i], [x])
        assert_close(jac[i], expected)


def test_likelihood_gradient_and_hessian():
    data = likelihood.make_data(quick=True)
    x, logy = data["x"], data["logy"]
    theta = np.array([0.2, -0.1, 0.4])
    f = lambda a: likelihood.negloglik(a[0], x, logy, np)  # noqa: E731
    grad, hess = likelihood.numpy_grad_hess(theta, x, logy)
    (expected,) = numeric_grad(f, [theta])
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-6)
    columns = [numeric_grad(lambda a: likelihood.numpy_grad_hess(a[0], x, logy)[0][j], [theta])[0]
               for j in range(3)]
    np.testing.assert_allclose(hess, np.array(columns), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(hess, hess.T, rtol=1e-12)
