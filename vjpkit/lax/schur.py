"""Orthogonal similarity transforms: the real Schur form and the Hessenberg form.

``schur(a) = [t, z]`` with ``a = z t zᵀ``, ``t`` quasi-upper-triangular (1x1 and
2x2 diagonal blocks) and ``z`` orthogonal; ``hessenberg(a) = [h, q]`` with
``a = q h qᵀ`` and ``h`` zero below its first subdiagonal. Values are LAPACK's
(``scipy.linalg.schur``/``hessenberg``). Neither has a derivative here: the
factors are defined only up to the choices LAPACK makes (signs, the
standardization of 2x2 blocks), as in JAX, where they are not differentiable
either; differentiating raises an error that names the alternatives.
"""
from __future__ import annotations

import numpy as np

from ..core.avals import get_aval
from ..core.primitive import Primitive
from ..core.zeros import Zero
from ._matrix import batch_leading, check_real_matrix, each_matrix, scipy_linalg


def _abstract_eval(who):
  def rule(a):
    check_real_matrix(who, a)
    return [a, a]
  return rule


def _no_jvp(who: str, instead: str):
  def rule(primals, tangents):
    if all(type(t) is Zero for t in tangents):
      outs = _BY_NAME[who].bind(*primals)
      return outs, [Zero.like(o) for o in outs]
    raise NotImplementedError(
        f"{who} has no derivative in vjpkit (nor in JAX): its factors are not unique, so "
        f"derivatives of them are not defined by the matrix alone. {instead}")
  return rule


def _schur_impl(a):
  a = np.asarray(a)
  sl = scipy_linalg("schur")
  if a.shape[-1] == 0:
    return [a.copy(), a.copy()]
  t, z = each_matrix(lambda m: sl.schur(m, output="real"), a)
  return [np.asarray(t, a.dtype), np.asarray(z, a.dtype)]


def _hessenberg_impl(a):
  a = np.asarray(a)
  sl = scipy_linalg("hessenberg")
  if a.shape[-1] == 0:
    return [a.copy(), a.copy()]
  h, q = each_matrix(lambda m: sl.hessenberg(m, calc_q=True), a)
  return [np.asarray(h, a.dtype), np.asarray(q, a.dtype)]


schur_p = Primitive("schur", multiple_results=True, impl=_schur_impl,
                    abstract_eval=_abstract_eval("schur"))
hessenberg_p = Primitive("hessenberg", multiple_results=True, impl=_hessenberg_impl,
                         abstract_eval=_abstract_eval("hessenberg"))
_BY_NAME = {"schur": schur_p, "hessenberg": hessenberg_p}
schur_p.def_jvp(_no_jvp("schur", "Differentiate a function of the matrix that does not depend "
                        "on the choice of factors instead: its eigenvalues (numpy.linalg.eigh "
                        "for symmetric matrices), expm, sqrtm, or solves."), symbolic_zeros=True)
hessenberg_p.def_jvp(_no_jvp("hessenberg", "Differentiate the function computed from the "
                             "Hessenberg form directly (e.g. solves with the matrix)."),
                     symbolic_zeros=True)
batch_leading(schur_p)
batch_leading(hessenberg_p)


def schur(x) -> list:
  """``[t, z]``: the real Schur decomposition ``x = z t zᵀ`` of square matrices.

  >>> t, z = schur(np.array([[1.0, 2.0], [0.0, 3.0]]))
  >>> t
  array([[1., 2.],
         [0., 3.]])
  """
  check_real_matrix("schur", get_aval(x))
  return schur_p.bind(x)


def hessenberg(x) -> list:
  """``[h, q]``: the Hessenberg decomposition ``x = q h qᵀ`` of square matrices.

  >>> h, q = hessenberg(np.array([[1.0, 2.0], [3.0, 4.0]]))
  >>> h
  array([[1., 2.],
         [3., 4.]])
  """
  check_real_matrix("hessenberg", get_aval(x))
  return hessenberg_p.bind(x)
