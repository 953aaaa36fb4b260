"""vjpkit.nn: activation functions and friends, as in ``jax.nn``.

All are composites of lax primitives, written so that their values are stable
and their derivatives are JAX's at the kinks: ``relu'(0) = 0``, and
``softplus`` is exact on both sides of 0 (no ``max(x, 0)`` tie).

>>> import vjpkit
>>> vjpkit.grad(relu)(0.0), vjpkit.grad(softplus)(0.0)
(np.float64(0.0), np.float64(0.5))
"""
from ._basic import (gelu, log_sigmoid, log_softmax, logsumexp, one_hot, relu, sigmoid, silu,
                     softmax, softplus, swish)
from .activations import (celu, elu, glu, hard_sigmoid, hard_silu, hard_swish, hard_tanh,
                          identity, leaky_relu, log1mexp, mish, relu6, selu, soft_sign,
                          sparse_plus, sparse_sigmoid, squareplus, tanh)
from .attention import dot_product_attention
from .normalization import logmeanexp, standardize

__all__ = ["celu", "dot_product_attention", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu",
           "hard_swish", "hard_tanh", "identity", "leaky_relu", "log1mexp", "log_sigmoid",
           "log_softmax", "logmeanexp", "logsumexp", "mish", "one_hot", "relu", "relu6", "selu",
           "sigmoid", "silu", "soft_sign", "softmax", "softplus", "sparse_plus", "sparse_sigmoid",
           "squareplus", "standardize", "swish", "tanh"]
