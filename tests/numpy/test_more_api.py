"""The last of issue 15's jax.numpy names: bitwise and integer functions, float
representation, function application (vectorize, apply_along_axis, ...), the in-place
functions (inplace=False), r_/c_/resize/grids, poly/polydiv/roots/unwrap, histogramdd,
``at(x)[...]`` on plain arrays (power, get modes), astype/einsum_path and NumPy's names:
values vs NumPy, derivatives, jit vs eager, vmap vs a loop, errors."""
from __future__ import annotations

import numpy as np
import pytest

import vjpkit
import vjpkit.numpy as vnp
from numpy_testutil import assert_values, check, uniform

RNG = np.random.default_rng(0)
I1 = np.array([12, -7, 0, 255, 5])
I2 = np.array([10, 3, 9, 3, 0])
F = uniform(RNG, (3, 4), avoid=(0.0,))
P = np.cumsum(RNG.normal(size=12)) * 2

# name -> (call on a module, argument arrays, derivative order)
TABLE = {
    "bitwise_and": (lambda m: m.bitwise_and(I1, I2), 0),
    "bitwise_or": (lambda m: m.bitwise_or(I1, I2), 0),
    "bitwise_xor": (lambda m: m.bitwise_xor(I1 > 0, I2 > 3), 0),
    "invert": (lambda m: m.invert(I1.astype(np.int8)), 0),
    "bitwise_not_bool": (lambda m: m.bitwise_not(I1 > 0), 0),
    "left_shift": (lambda m: m.left_shift(I1, I2 % 8), 0),
    "right_shift": (lambda m: m.right_shift(I1, I2 % 8), 0),
    "right_shift_unsigned": (lambda m: m.right_shift(I1.astype(np.uint8), np.uint8(2)), 0),
    "bitwise_count": (lambda m: m.bitwise_count(I1), 0),
    "gcd": (lambda m: m.gcd(I1, I2), 0),
    "lcm": (lambda m: m.lcm(I1, I2), 0),
    "packbits": (lambda m: m.packbits(np.array([[1, 0, 1], [0, 1, 1]]), axis=1), 0),
    "unpackbits": (lambda m: m.unpackbits(np.array([7, 200], np.uint8)), 0),
    "nextafter": (lambda m: m.nextafter(F, 0.0), 0),
    "spacing": (lambda m: m.spacing(F), 0),
    "frexp": (lambda m: m.frexp(np.array([8.0, -0.3, 0.0, 1e-310, np.inf])), 0),
    "mask_indices": (lambda m: m.mask_indices(4, np.triu, 1), 0),
    "einsum_path": (lambda m: m.einsum_path("ij,jk,kl->il", F, F.T, F)[0], 0),
    "mgrid": (lambda m: m.mgrid[0:2, 0:3], 0),
    "ogrid": (lambda m: m.ogrid[0:2, 0:3][1], 0),
    "fromfunction": (lambda m: m.fromfunction(lambda i, j: i * 3 + j, (2, 3)), 0),
    "roots": (lambda m: m.roots(np.array([1.0, -6.0, 11.0, -6.0])), 0),
}

# differentiable rows: (call(module, *arrays), shapes)
DIFF = {
    "ldexp": (lambda m, x: m.ldexp(x, np.array([1, -2, 3])), [(2, 3)]),
    "frexp_mantissa": (lambda m, x: m.frexp(x)[0], [(2, 3)]),
    "apply_along_axis": (lambda m, x: m.apply_along_axis(lambda v: v * m.sum(v), 1, x), [(2, 3)]),
    "apply_along_axis_scalar": (lambda m, x: m.apply_along_axis(m.prod, 0, x), [(3, 2)]),
    "apply_over_axes": (lambda m, x: m.apply_over_axes(m.sum, x, [0, 2]), [(2, 3, 2)]),
    "r_": (lambda m, x, y: m.r_[x, 0.5, y], [(2,), (3,)]),
    "r_directive": (lambda m, x, y: m.r_["0,2", x, y], [(3,), (3,)]),
    "c_": (lambda m, x, y: m.c_[x, y, x], [(3,), (3,)]),
    "resize": (lambda m, x: m.resize(x, (3, 5)), [(2, 3)]),
    "poly": (lambda m, x: m.poly(x), [(4,)]),
    "polydiv_quotient": (lambda m, u, v: m.polydiv(u, v)[0], [(5,), (2,)]),
    "unwrap": (lambda m, x: m.unwrap(x * 3), [(2, 6)]),
    "put": (lambda m, x, v: m.put(x, [0, 5], v, inplace=False) if m is vnp
            else _np_put(x, [0, 5], v), [(2, 3), (2,)]),
    "place": (lambda m, x, v: m.place(x, x > 0, v, inplace=False) if m is vnp
              else _np_inplace(np.place, x, x > 0, v), [(3, 3), (2,)]),
    "put_along_axis": (lambda m, x, v: m.put_along_axis(x, np.array([[2], [0]]), v, 1, False)
                       if m is vnp else _np_inplace(np.put_along_axis, x, np.array([[2], [0]]),
                                                    v, 1), [(2, 3), (2, 1)]),
    "fill_diagonal": (lambda m, x, v: m.fill_diagonal(x, v, inplace=False) if m is vnp
                      else _np_inplace(np.fill_diagonal, x, v), [(3, 3), (3,)]),
    "astype": (lambda m, x: m.astype(x, np.float32) if m is vnp else x.astype(np.float32), [(3,)]),
    "histogramdd_weights": (lambda m, x, w: m.histogramdd(np.array([[0.0, 1.0], [1.0, 1.0],
                                                                    [0.5, 0.0]]),
                                                          bins=2, weights=w)[0], [(1,), (3,)]),
}


def _np_put(x, ind, v):
  x = x.copy()
  np.put(x, ind, v)
  return x


def _np_inplace(f, x, *args):
  x = x.copy()
  f(x, *args)
  return x


@pytest.mark.parametrize("name", sorted(TABLE))
def test_values_match_numpy(name):
  call, _ = TABLE[name]
  with np.errstate(all="ignore"):
    assert_values(call(vnp), call(np))


@pytest.mark.parametrize("name", sorted(DIFF))
def test_values_and_derivatives(name):
  call, shapes = DIFF[name]
  args = [uniform(RNG, s, avoid=(0.0,)) for s in shapes]
  order = 0 if name == "astype" else (1 if name in ("unwrap", "histogramdd_weights") else 2)
  check(lambda *xs: call(vnp, *xs), lambda *xs: call(np, *xs), args, order, rtol=1e-10,
        atol=1e-11)
  jitted = vjpkit.jit(lambda *xs: call(vnp, *xs))(*args)
  assert_values(jitted, call(np, *args), rtol=1e-10, atol=1e-11)


@pytest.mark.parametrize("name", ["gcd", "lcm", "bitwise_and", "left_shift", "right_shift"])
def test_integer_functions_under_jit_and_vmap(name):
  f = getattr(vnp, name)
  ref = getattr(np, name)
  a, b = I1, I2 % 8
  assert_values(vjpkit.jit(f)(a, b), ref(a, b))
  got = vjpkit.vmap(f)(np.stack([a, a + 1]), np.stack([b, b]))
  assert_values(got, np.stack([ref(a, b), ref(a + 1, b)]))


def test_vectorize():
  x = uniform(RNG, (2, 3, 4))
  v = vnp.vectorize(lambda a, b: a * b + 1.0)
  np.testing.assert_allclose(v(x, np.arange(4.0)), x * np.arange(4.0) + 1)
  dot = vnp.vectorize(lambda a, b: vnp.sum(a * b), signature="(n),(n)->()")
  np.testing.assert_allclose(dot(x, np.arange(4.0)), x @ np.arange(4.0))
  g = vjpkit.grad(lambda x: vnp.sum(dot(x, x)))(x)
  np.testing.assert_allclose(g, 2 * x)
  pair = vnp.vectorize(lambda a, b: (a + b, a - b))(x, 1.0)
  assert [p.shape for p in pair] == [(2, 3, 4)] * 2
  power = vnp.vectorize(lambda a, p: a ** p, excluded={1})
  np.testing.assert_allclose(power(x, 3), x ** 3)
  with pytest.raises(ValueError, match="signature"):
    vnp.vectorize(lambda a: a, signature="(n)->")(x)
  with pytest.raises(TypeError, match="inputs"):
    dot(x)


def test_at_on_plain_arrays_and_tracers():
  x = np.arange(6.0).reshape(2, 3) + 1.0
  out = vnp.at(vnp.zeros(4))[np.array([0, 0, 3])].add(1.0)
  assert_values(out, np.array([2.0, 0.0, 0.0, 1.0]))
  assert_values(vnp.at(x)[1].set(0.0), np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
  assert x[1, 0] == 4.0  # never written
  assert_values(vnp.at(x)[0, np.array([1, 1])].power(2.0), np.array([[1.0, 16.0, 3.0],
                                                                       [4.0, 5.0, 6.0]]))
  g = vjpkit.grad(lambda x: vnp.sum(x.at[0, np.array([1, 1, 2])].power(np.array([2.0, 3.0, 0.5]))))(x)
  np.testing.assert_allclose(g, [[1.0, 6 * 2.0 ** 5, 0.5 / np.sqrt(3.0)], [1.0, 1.0, 1.0]])
  g = vjpkit.grad(lambda x: vnp.sum(x.at[0, 0].power(2.0)))(-x)  # no nan from untouched entries
  np.testing.assert_allclose(g, [[-2.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
  idx = np.array([0, 5, -1])
  assert_values(vnp.at(x)[:, idx].get(mode="fill"), np.where(np.array([1, 0, 1], bool), x[:, [0, 0, 2]], np.nan))
  assert_values(vnp.at(x)[np.array([3, -3]), 1].get(mode="clip"), np.array([5.0, 2.0]))
  assert_values(vnp.at(x)[np.array([3, 1]), 1].get(mode="fill", fill_value=-1.0), np.array([-1.0, 5.0]))
  assert_values(vnp.at(np.arange(3))[7].get(mode="fill"), np.array(np.iinfo(np.int64).min))
  jitted = vjpkit.jit(lambda x, j: x.at[:, j].get(mode="fill", fill_value=0.0))(x, np.array([0, 3]))
  assert_values(jitted, np.array([[1.0, 0.0], [4.0, 0.0]]))
  g = vjpkit.grad(lambda x: vnp.sum(vnp.at(x)[:, idx].get(mode="fill", fill_value=0.0)))(x)
  np.testing.assert_array_equal(g, [[1.0, 0.0, 1.0], [1.0, 0.0, 1.0]])
  with pytest.raises(ValueError, match="mode must be"):
    vnp.at(x)[0].get(mode="wrap")


def test_in_place_functions_point_to_at():
  x = np.zeros(3)
  for f, args in ((vnp.put, ([0], [1.0])), (vnp.place, (x > 0, [1.0])),
                  (vnp.put_along_axis, (np.array([0]), 1.0, 0)), (vnp.fill_diagonal, (1.0,))):
    with pytest.raises(ValueError, match=r"inplace=False.*\.at\[|inplace=False.*where"):
      f(x if f is not vnp.fill_diagonal else np.zeros((2, 2)), *args)
  with pytest.raises(ValueError, match="at least 2-d"):
    vnp.fill_diagonal(x, 1.0, inplace=False)
  with pytest.raises(ValueError, match="equal"):
    vnp.fill_diagonal(np.zeros((2, 3, 2)), 1.0, inplace=False)


def test_polydiv_and_roots_and_histograms():
  u, v = RNG.normal(size=6), RNG.normal(size=3)
  q, r = vnp.polydiv(u, v, trim_leading_zeros=True)
  for got, want in zip((q, r), np.polydiv(u, v)):
    np.testing.assert_allclose(got, want, rtol=1e-12)
  q, r = vnp.polydiv(u, v)
  assert r.shape == (6,)
  np.testing.assert_allclose(vnp.polyadd(vnp.polymul(q, v), r), u, rtol=1e-12)
  with pytest.raises(ValueError, match="concrete"):
    vjpkit.jit(lambda u: vnp.polydiv(u, v, trim_leading_zeros=True))(u)
  with pytest.raises(TypeError, match="concrete"):
    vjpkit.jit(vnp.roots)(u)
  s, w = RNG.normal(size=(40, 3)), RNG.uniform(size=40)
  for kw in (dict(bins=4), dict(bins=[3, 4, 2], weights=w), dict(bins=3, density=True),
             dict(bins=2, range=[(-1, 1), (0, 2), (-2, 0)])):
    got, want = vnp.histogramdd(s, **kw), np.histogramdd(s, **kw)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    for a, b in zip(got[1], want[1]):
      np.testing.assert_allclose(a, b)
  got, want = vnp.histogram2d(s[:, 0], s[:, 1], bins=[3, 5]), np.histogram2d(s[:, 0], s[:, 1], bins=[3, 5])
  for a, b in zip(got, want):
    np.testing.assert_allclose(a, b)


def test_names_are_numpys():
  for name in ("float32", "int32", "uint8", "bool", "float16", "int_", "double", "single",
               "floating", "integer", "generic", "finfo", "iinfo", "euler_gamma", "dtype"):
    assert getattr(vnp, name) is getattr(np, {"bool": "bool_", "int_": "int64", "double": "float64",
                                              "single": "float32"}.get(name, name))
  with vnp.printoptions(precision=2):
    assert vnp.get_printoptions()["precision"] == 2
  assert vnp.frombuffer(np.arange(3.0).tobytes()).tolist() == [0.0, 1.0, 2.0]
  assert vnp.fromiter(range(3), float).tolist() == [0.0, 1.0, 2.0]
  assert vnp.from_dlpack(np.arange(2.0)).tolist() == [0.0, 1.0]
  assert vnp.astype(np.arange(3), np.float32).dtype == np.float32
  assert vjpkit.grad(lambda x: vnp.sum(vnp.astype(x, np.float32)))(np.ones(2)).dtype == np.float64
  assert vnp.s_[1:2] == slice(1, 2) and vnp.index_exp[1] == (1,)
  with pytest.raises(TypeError, match="integer"):
    vnp.gcd(1.5, 2.0)
  with pytest.raises(TypeError, match="exponent"):
    vnp.ldexp(1.0, 2.5)


def test_operators_on_integer_tracers_are_bitwise_as_numpy():
  a, b = np.array([12, 7, 3]), np.array([2, 3, 1])
  ops = lambda a, b: (a & b, a | b, a ^ b, ~a, a << b, a >> b, 3 & a, (a > 5) & (b > 2), ~(a > 5))  # noqa: E731
  for got, want in zip(vjpkit.jit(ops)(a, b), ops(a, b)):
    assert_values(got, want)
  funcs = lambda a, b: (np.gcd(a, b), np.left_shift(a, b), np.bitwise_xor(a, b), np.invert(a))  # noqa: E731
  for got, want in zip(vjpkit.jit(funcs)(a, b), funcs(a, b)):
    assert_values(got, want)
  with pytest.raises(TypeError, match="integer and boolean"):
    vjpkit.jit(lambda x: x & x)(np.ones(2))
