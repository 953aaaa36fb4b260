"""A small maximum-likelihood fit: Weibull regression, ``hessian`` inside scipy's minimize.

The typical statistics workload: a log-likelihood over a few hundred points with
a handful of parameters, maximised by a second-order optimiser that asks for the
gradient and the Hessian (3×3) at every iterate. Each call differentiates small
arrays many times over (reverse mode, then forward over reverse for the
Hessian), so per-operation overhead dominates.

Model: y_i ~ Weibull(shape k, scale λ_i), log λ_i = b0 + b1·x_i, θ = (log k, b0, b1).
With u = log y − η (η = b0 + b1 x) and w = e^{k u}, the log-density is
log k − η + (k − 1)u − w. The timed call runs ``scipy.optimize.minimize`` with
``method="trust-exact"`` from θ = 0 and returns the fitted θ; every framework
differentiates the same code, so each fit takes the same steps and agrees with the
hand-written one to rounding.
"""

import numpy as np

from benchmarks import peers
from benchmarks.workloads._builders import implementations

NAME = "likelihood hessian"
MEASURE_MEMORY = False


def make_data(quick):
    n = 50 if quick else 500
    rng = np.random.default_rng(5)
    x = rng.normal(size=n)
    y = rng.weibull(1.5, size=n) * np.exp(0.3 + 0.5 * x)
    return {"x": x, "logy": np.log(y), "theta0": np.zeros(3)}


def negloglik(theta, x, logy, m):
    """−Σ log f(y_i | θ); ``m`` is numpy, autograd.numpy, jax.numpy or vjpkit.numpy."""
    k = m.exp(theta[0])
    u = logy - (theta[1] + theta[2] * x)
    return -m.sum(theta[0] + u - logy + (k - 1.0) * u - m.exp(k * u))


def _fit(fun, jac, hess, theta0):
    from scipy.optimize import minimize

    res = minimize(fun, theta0, jac=jac, hess=hess, method="trust-exact",
                   options={"gtol": 1e-10})
    return res.x


# --- hand-written NumPy value, gradient and Hessian (the baseline) -----------


def numpy_grad_hess(theta, x, logy):
    """∇ and ∇² of the negative log-likelihood, by hand (see the module docstring)."""
    k = np.exp(theta[0])
    u = logy - (theta[1] + theta[2] * x)
    w = np.exp(k * u)
    ku = k * u
    g_a = 1 + ku - ku * w  # ∂ℓ/∂log k per point
    g_eta = k * (w - 1)  # ∂ℓ/∂η
    h_aa = ku * (1 - w - ku * w)
    h_ae = -k + k * w + k * ku * w
    h_ee = -k * k * w
    grad = -np.array([g_a.sum(), g_eta.sum(), (g_eta * x).sum()])
    hess = -np.array([
        [h_aa.sum(), h_ae.sum(), (h_ae * x).sum()],
        [h_ae.sum(), h_ee.sum(), (h_ee * x).sum()],
        [(h_ae * x).sum(), (h_ee * x).sum(), (h_ee * x * x).sum()],
    ])
    return grad, hess


def build_numpy(data):
    x, logy, theta0 = data["x"], data["logy"], data["theta0"]
    return lambda: _fit(lambda t: negloglik(t, x, logy, np),
                        lambda t: numpy_grad_hess(t, x, logy)[0],
                        lambda t: numpy_grad_hess(t, x, logy)[1], theta0)


# --- peers ---------------------------------------------------------------


def build_autograd(data):
    autograd, anp = peers.load_autograd()
    x, logy, theta0 = data["x"], data["logy"], data["theta0"]
    f = lambda t: negloglik(t, x, logy, anp)  # noqa: E731
    return lambda: _fit(f, autograd.grad(f), autograd.hessian(f), theta0)


def _jax_fns(jax, jnp, data, jit):
    x, logy = jnp.asarray(data["x"]), jnp.asarray(data["logy"])
    f = lambda t: negloglik(t, x, logy, jnp)  # noqa: E731
    wrap = jax.jit if jit else (lambda g: g)
    fns = (wrap(f), wrap(jax.grad(f)), wrap(jax.hessian(f)))
    return [lambda t, g=g: np.asarray(g(jnp.asarray(t))) for g in fns]


def build_jax_eager(data):
    jax, jnp = peers.load_jax()
    fns = _jax_fns(jax, jnp, data, jit=False)
    return lambda: _fit(*fns, data["theta0"])


def build_jax_jit(data):
    jax, jnp = peers.load_jax()
    fns = _jax_fns(jax, jnp, data, jit=True)
    return lambda: _fit(*fns, data["theta0"])


def build_torch_eager(data):
    torch = peers.load_torch()
    from torch.func import grad, hessian

    x, logy = peers.torch_f64(torch, data["x"]), peers.torch_f64(torch, data["logy"])
    f = lambda t: negloglik(t, x, logy, torch)  # noqa: E731
    fns = (f, grad(f), hessian(f))
    wrapped = [lambda t, g=g: g(peers.torch_f64(torch, t)).detach().numpy() for g in fns]
    return lambda: _fit(*wrapped, data["theta0"])


# --- vjpkit slot (library under test; JAX-style public API only) -----------


def _vjpkit_fns(vjpkit, vnp, data, jit):
    x, logy = data["x"], data["logy"]
    f = lambda t: negloglik(t, x, logy, vnp)  # noqa: E731
    wrap = vjpkit.jit if jit else (lambda g: g)
    return wrap(f), wrap(vjpkit.grad(f)), wrap(vjpkit.hessian(f))


def build_vjpkit_eager(data):
    vjpkit, vnp = peers.load_vjpkit()
    fns = _vjpkit_fns(vjpkit, vnp, data, jit=False)
    return lambda: _fit(*fns, data["theta0"])


def build_vjpkit_jit(data):
    vjpkit, vnp = peers.load_vjpkit()
    fns = _vjpkit_fns(vjpkit, vnp, data, jit=True)
    return lambda: _fit(*fns, data["theta0"])


IMPLEMENTATIONS = implementations(globals())
