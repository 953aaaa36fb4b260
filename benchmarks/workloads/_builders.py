"""Plumbing shared by the workloads: the IMPLEMENTATIONS table, and the builders of the
workloads that differentiate a scalar function of one array ``x``."""

from benchmarks import harness, peers


def implementations(namespace):
    """IMPLEMENTATIONS from a module's ``build_<impl>`` functions (``"jax eager"`` ->
    ``build_jax_eager``), in the table's order."""
    names = {impl: "build_" + impl.replace(" ", "_") for impl in harness.IMPLEMENTATIONS}
    return {impl: namespace[fn] for impl, fn in names.items() if fn in namespace}


def gradient_of_x(forward, numpy_value_and_grad):
    """Builders for ``d forward(x, m) / dx`` with ``x = data["x"]``; ``m`` is each
    framework's array namespace."""

    def build_numpy(data):
        x = data["x"]
        return lambda: numpy_value_and_grad(x)[1]

    def build_autograd(data):
        autograd, anp = peers.load_autograd()
        grad = autograd.grad(lambda x: forward(x, anp))
        x = data["x"]
        return lambda: grad(x)

    def build_jax_eager(data):
        jax, jnp = peers.load_jax()
        grad = peers.jax_blocking(jax.grad(lambda x: forward(x, jnp)))
        x = jnp.asarray(data["x"])
        return lambda: grad(x)

    def build_jax_jit(data):
        jax, jnp = peers.load_jax()
        grad = peers.jax_blocking(jax.jit(jax.grad(lambda x: forward(x, jnp))))
        x = jnp.asarray(data["x"])
        return lambda: grad(x)

    def build_torch_eager(data):
        torch = peers.load_torch()
        x = peers.torch_f64(torch, data["x"], requires_grad=True)

        def step():
            (dx,) = torch.autograd.grad(forward(x, torch), x)
            return dx

        return step

    def build_vjpkit_eager(data):
        vjpkit, vnp = peers.load_vjpkit()
        grad = vjpkit.grad(lambda x: forward(x, vnp))
        x = data["x"]
        return lambda: grad(x)

    def build_vjpkit_jit(data):
        vjpkit, vnp = peers.load_vjpkit()
        grad = vjpkit.jit(vjpkit.grad(lambda x: forward(x, vnp)))
        x = data["x"]
        return lambda: grad(x)

    return implementations(locals())
