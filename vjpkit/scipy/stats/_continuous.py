"""Continuous distributions in SciPy's location-scale form.

A distribution is given by its standardized functions of ``z = (x - loc) / scale`` and its
shape parameters; ``Continuous.methods`` builds pdf/logpdf/cdf/logcdf/sf/logsf/ppf with
SciPy's signature ``(x, *shapes, loc=0, scale=1)``. Outside the support ``[lo, hi]`` of
``z`` the pdf is 0, the logpdf -inf, the cdf 0 or 1; a non-positive scale or an invalid
shape gives nan, as in SciPy; ``q`` outside ``[0, 1]`` gives a nan ppf.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy as np

from ... import numpy as vnp
from . import _common as c

Array = Any
Fn = Optional[Callable[..., Array]]


class Continuous:
  """One continuous family: standardized functions of ``(z, *shapes)`` (``ppf`` of
  ``(q, *shapes)``); ``valid(*shapes)`` the parameter domain (all positive by default)."""

  def __init__(self, name: str, shapes: tuple[str, ...], logpdf: Callable, *, cdf: Fn = None,
               logcdf: Fn = None, sf: Fn = None, logsf: Fn = None, ppf: Fn = None,
               lo: float | Callable = -np.inf, hi: float | Callable = np.inf, valid: Fn = None,
               inner: Fn = None, fill: tuple[float, ...] = ()):
    self.name, self.shapes = name, shapes
    self.lo, self.hi = lo, hi
    self.std: dict[str, Any] = {"logpdf": logpdf, "cdf": cdf, "logcdf": logcdf, "sf": sf, "logsf": logsf,
                "ppf": ppf}
    if logcdf is None and cdf is not None:
      self.std["logcdf"] = lambda z, *s: vnp.log(cdf(z, *s))
    if logsf is None and sf is not None:
      self.std["logsf"] = lambda z, *s: vnp.log(sf(z, *s))
    self.valid = valid
    self.fill = fill or (1.0,) * len(shapes)
    self._inner = inner
    if callable(lo) or callable(hi):
      assert inner is not None, "shape-dependent supports need inner(*shapes)"
    elif np.isfinite(lo) and np.isfinite(hi):
      self._inner = lambda *s: (lo + hi) / 2
    elif np.isfinite(lo):
      self._inner = lambda *s: lo + 1.0
    elif np.isfinite(hi):
      self._inner = lambda *s: hi - 1.0
    else:
      self._inner = lambda *s: 0.0

  def _bounds(self, shapes):
    """The support of ``z`` (lo, hi) and a point inside it, for the (safe) shapes."""
    lo = self.lo(*shapes) if callable(self.lo) else self.lo
    hi = self.hi(*shapes) if callable(self.hi) else self.hi
    assert self._inner is not None
    return lo, hi, self._inner(*shapes)

  # -- the parts every method shares ------------------------------------------------------

  def _params(self, shapes, loc, scale):
    ok = vnp.greater(scale, 0)
    for s in ([] if self.valid is not None else shapes):
      ok = vnp.logical_and(ok, vnp.greater(s, 0))
    if self.valid is not None:
      ok = vnp.logical_and(ok, self.valid(*shapes))
    shapes = [c.safe(ok, s, f) for s, f in zip(shapes, self.fill)]
    return ok, shapes, c.safe(ok, loc, 0.0), c.safe(ok, scale, 1.0)

  def _z(self, x, shapes, loc, scale):
    ok, shapes, loc, scale = self._params(shapes, loc, scale)
    z = (x - loc) / scale
    lo, hi, inner = self._bounds(shapes)
    inside = vnp.logical_and(vnp.greater_equal(z, lo), vnp.less_equal(z, hi))
    zs = c.safe(inside, z, inner)
    return ok, shapes, scale, z, inside, zs, lo, hi

  def _finish(self, ok, x, out):
    return c.nan_unless(vnp.logical_and(ok, vnp.logical_not(vnp.isnan(x))), out)

  # -- the methods ------------------------------------------------------------------------

  def logpdf(self, x, *args):
    *shapes, loc, scale = args
    ok, shapes, scale, z, inside, zs, _, _ = self._z(x, shapes, loc, scale)
    out = c.where(inside, self.std["logpdf"](zs, *shapes) - vnp.log(scale), -np.inf)
    return self._finish(ok, x, out)

  def pdf(self, x, *args):
    return vnp.exp(self.logpdf(x, *args))

  def _tail(self, kind: str, below: float, above: float, x, args):
    *shapes, loc, scale = args
    ok, shapes, scale, z, inside, zs, lo, hi = self._z(x, shapes, loc, scale)
    out = self.std[kind](zs, *shapes)
    out = c.where(vnp.less(z, lo), below, c.where(vnp.greater(z, hi), above, out))
    return self._finish(ok, x, out)

  def cdf(self, x, *args): return self._tail("cdf", 0.0, 1.0, x, args)
  def logcdf(self, x, *args): return self._tail("logcdf", -np.inf, 0.0, x, args)
  def sf(self, x, *args): return self._tail("sf", 1.0, 0.0, x, args)
  def logsf(self, x, *args): return self._tail("logsf", 0.0, -np.inf, x, args)

  def ppf(self, q, *args):
    *shapes, loc, scale = args
    ok, shapes, loc, scale = self._params(shapes, loc, scale)
    inq = vnp.logical_and(vnp.greater_equal(q, 0), vnp.less_equal(q, 1))
    # the ends are set below: the safe q keeps their infinite derivatives out
    qs = c.safe(vnp.logical_and(vnp.greater(q, 0), vnp.less(q, 1)), q, 0.5)
    out = loc + scale * self.std["ppf"](qs, *shapes)
    lo, hi, _ = self._bounds(shapes)
    out = c.where(vnp.equal(q, 0), self._end(lo, loc, scale),
                  c.where(vnp.equal(q, 1), self._end(hi, loc, scale), out))
    return c.nan_unless(vnp.logical_and(ok, inq), out)

  @staticmethod
  def _end(bound, loc, scale):
    """The support's end ``loc + scale * bound`` (an infinite one as a constant: no nan
    derivative ``0 * inf`` in scale)."""
    if isinstance(bound, float):
      return bound if np.isinf(bound) else loc + scale * bound
    finite = vnp.isfinite(bound)
    return c.where(finite, loc + scale * c.safe(finite, bound, 0.0), bound)

  def methods(self) -> dict[str, Callable]:
    """The public functions, with SciPy's signatures."""
    names_x = ("x",) + self.shapes + ("loc", "scale")
    names_q = ("q",) + self.shapes + ("loc", "scale")
    defaults = {"loc": 0.0, "scale": 1.0}
    shape_doc = "".join(f", {s}" for s in self.shapes)
    out = {}
    for m in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"):
      if self.std.get("logpdf" if m == "pdf" else m) is None:
        continue
      names = names_q if m == "ppf" else names_x
      doc = (f"scipy.stats.{self.name}.{m}({names[0]}{shape_doc}, loc=0, scale=1), "
             "differentiable in every argument (see the module's docstring for exceptions).")
      out[m] = c.method(f"{self.name}.{m}", names, defaults, getattr(self, m), doc)
    return out
