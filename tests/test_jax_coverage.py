"""Coverage of JAX's API (issue 15): every public name of jax.numpy, jax.numpy.linalg,
jax.nn, jax.tree_util, jax.tree and jax.lax is implemented by vjpkit's namespace, or is
on a short list of deliberate omissions, each with its reason. Skipped without JAX.

``PENDING`` holds the names that other branches implement (convolutions, special
functions); it is pruned when they are merged, and
``test_pending_names_are_still_missing`` says which entries to remove.
"""
from __future__ import annotations

import importlib

import pytest

import vjpkit

NAMESPACES = {
    "jax.numpy": "vjpkit.numpy",
    "jax.numpy.linalg": "vjpkit.numpy.linalg",
    "jax.nn": "vjpkit.nn",
    "jax.tree_util": "vjpkit.tree_util",
    "jax.tree": "vjpkit.tree",
    "jax.lax": "vjpkit.lax",
}

_ML_DTYPES = ("ML dtypes NumPy has no type for (bfloat16, float8/6/4, int4/2/1 live in the "
              "ml_dtypes package); vjpkit computes with NumPy's dtypes")
_XLA_CONFIG = ("XLA configuration types (precision, dot algorithms, rounding, tolerances): "
               "vjpkit computes in NumPy, in the arrays' own precision")
_GATHER = ("XLA's general gather/scatter interface (dimension numbers, modes): vjpkit.lax's "
           "gather/scatter* take (indices, axes), and x.at[...] covers NumPy-style updates")
_DEVICES = ("tokens, effects, sharding, devices and multi-host transfers: vjpkit runs on one "
            "device, the host")
_RANDOM = "random number generation: vjpkit has no PRNG (use numpy.random outside transforms)"
_CONV_HELPER = ("a convolution helper or variant not yet implemented (shape-tuple helpers, "
                "patches, locally connected convolutions); conv_general_dilated, conv, "
                "conv_transpose and conv_dimension_numbers are")
_COMPOSITE = ("a JAX primitive object whose operation vjpkit implements as a composite of "
              "other primitives (the function of the same name exists)")
_MULTI_DEVICE = ("a multi-device collective without a vmap meaning vjpkit implements "
                 "(all-to-all exchanges); psum/pmean/pmax/pmin/all_gather/ppermute/pshuffle/"
                 "psum_scatter/axis_index work inside vmap(axis_name=...)")
_BITS = ("bit-level XLA operations (reinterpreting bits, reduced mantissas, high halves of "
         "products): not implemented")

OMITTED: dict[str, dict[str, str]] = {
    "jax.numpy": {
        **{n: _ML_DTYPES for n in (
            "bfloat16", "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4",
            "float8_e4m3", "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz",
            "float8_e5m2", "float8_e5m2fnuz", "float8_e8m0fnu", "int1", "int2", "int4", "uint1",
            "uint2", "uint4")},
        "ufunc": ("JAX's ufunc class (.reduce/.accumulate/.outer/.at on jnp objects): "
                  "vjpkit.numpy's ufuncs are functions, and NumPy's own ufunc methods work on "
                  "traced values through dispatch"),
        "frompyfunc": "builds a JAX ufunc object (see ufunc); use vjpkit.numpy.vectorize",
    },
    "jax.numpy.linalg": {},
    "jax.nn": {
        "initializers": "parameter initializers draw random numbers: " + _RANDOM,
        "scaled_dot_general": "block-scaled low-precision (MX) matrix products: " + _ML_DTYPES,
        "scaled_matmul": "block-scaled low-precision (MX) matrix products: " + _ML_DTYPES,
        "get_scaled_dot_general_config": "configuration of scaled_dot_general (see it)",
    },
    "jax.tree_util": {
        "default_registry": ("JAX's C++ registry object; vjpkit registers node types with "
                             "register_pytree_node and friends"),
    },
    "jax.tree": {},
    "jax.lax": {
        **{n: _XLA_CONFIG for n in (
            "AccuracyMode", "DotAlgorithm", "DotAlgorithmPreset", "DotDimensionNumbers",
            "Precision", "PrecisionLike", "RoundingMethod", "Tolerance")},
        **{n: _GATHER for n in ("GatherDimensionNumbers", "GatherScatterMode",
                                "ScatterDimensionNumbers", "scatter_apply", "scatter_sub",
                                "scatter_sub_p")},
        **{n: _DEVICES for n in (
            "after_all", "after_all_p", "create_token", "create_token_p", "dce_sink",
            "dce_sink_p", "device_put_p", "sharding_constraint_p", "with_sharding_constraint",
            "pbroadcast", "pcast", "psend", "precv", "platform_dependent", "composite", "stage",
            "stage_p", "copy_p", "shape_as_value")},
        **{n: _RANDOM for n in ("RandomAlgorithm", "rng_bit_generator", "rng_bit_generator_p",
                                "rng_uniform", "rng_uniform_p")},
        **{n: _CONV_HELPER for n in (
            "ConvGeneralDilatedDimensionNumbers", "conv_general_dilated_local",
            "conv_general_dilated_patches", "conv_general_permutations",
            "conv_general_shape_tuple", "conv_shape_tuple", "conv_transpose_shape_tuple")},
        **{n: _COMPOSITE for n in (
            "igamma_p", "igamma_grad_a_p", "igammac_p", "regularized_incomplete_beta_p",
            "approx_top_k_p", "axis_index_p", "clamp_p", "eq_to_p", "iota_p", "le_to_p",
            "linear_solve_p", "lt_to_p", "optimization_barrier_p", "reduce_and_p", "reduce_or_p",
            "reduce_p", "reduce_window_max_p", "reduce_window_min_p",
            "reduce_window_p", "reduce_window_sum_p", "reduce_xor_p", "select_and_gather_add_p",
            "select_and_scatter_add_p", "select_and_scatter_p", "sort_p", "split_p", "stack_p",
            "tile_p", "top_k_p", "unstack_p")},
        **{n: _MULTI_DEVICE for n in ("all_to_all", "all_to_all_p", "ragged_all_to_all",
                                      "ragged_all_to_all_p", "pswapaxes")},
        **{n: _BITS for n in ("bitcast_convert_type", "bitcast_convert_type_p", "mulhi",
                              "mulhi_p", "reduce_precision", "reduce_precision_p")},
        "ragged_dot": "grouped matrix products of ragged groups (mixture-of-experts kernels)",
        "ragged_dot_general": "grouped matrix products of ragged groups (see ragged_dot)",
        "RaggedDotDimensionNumbers": "configuration of ragged_dot_general (see it)",
        "scaled_dot": "block-scaled low-precision (MX) matrix products: " + _ML_DTYPES,
    },
}

# -- pending: implemented by another branch (pruned when it is merged) ----------------------

PENDING: dict[str, set[str]] = {
    "jax.numpy": set(),
    "jax.numpy.linalg": set(),
    "jax.nn": set(),
    "jax.tree_util": set(),
    "jax.tree": set(),
    "jax.lax": set(),
}


def _public(module) -> list[str]:
  return sorted(n for n in dir(module) if not n.startswith("_"))


@pytest.mark.parametrize("jax_name", sorted(NAMESPACES))
def test_every_jax_name_is_implemented_or_omitted(jax_name):
  jax_module = pytest.importorskip(jax_name)
  ours = importlib.import_module(NAMESPACES[jax_name])
  missing = [n for n in _public(jax_module) if not hasattr(ours, n)
             and n not in OMITTED[jax_name] and n not in PENDING[jax_name]]
  assert not missing, (f"{jax_name} names that {NAMESPACES[jax_name]} lacks (implement them, "
                       f"or add them with a reason to OMITTED in {__file__}): {missing}")


@pytest.mark.parametrize("jax_name", sorted(NAMESPACES))
def test_omissions_are_really_missing(jax_name):
  """An omitted name that vjpkit now has should leave the list."""
  ours = importlib.import_module(NAMESPACES[jax_name])
  stale = sorted(n for n in OMITTED[jax_name] if hasattr(ours, n))
  assert not stale, f"implemented now, remove from OMITTED[{jax_name!r}]: {stale}"


@pytest.mark.parametrize("jax_name", sorted(NAMESPACES))
def test_pending_names_are_still_missing(jax_name):
  """Once the branch implementing a pending name is merged, the name leaves PENDING."""
  ours = importlib.import_module(NAMESPACES[jax_name])
  done = sorted(n for n in PENDING[jax_name] if hasattr(ours, n))
  assert not done, f"implemented now, remove from PENDING[{jax_name!r}]: {done}"


def test_counts(capsys):
  """The coverage per namespace (printed with ``pytest -s``)."""
  pytest.importorskip("jax")
  lines = []
  for jax_name, ours_name in sorted(NAMESPACES.items()):
    names = _public(importlib.import_module(jax_name))
    ours = importlib.import_module(ours_name)
    have = sum(hasattr(ours, n) for n in names)
    lines.append(f"{jax_name}: {have} of {len(names)} implemented, "
                 f"{len(set(names) & set(OMITTED[jax_name]))} omitted, "
                 f"{len(set(names) & PENDING[jax_name])} pending")
  print("\n".join(lines))
  assert vjpkit.tree is importlib.import_module("vjpkit.tree")
