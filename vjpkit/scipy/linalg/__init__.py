"""vjpkit.scipy.linalg: SciPy's linear algebra for real matrices, differentiable.

Solves (``solve``, ``solve_triangular``, ``cho_solve``, ``lu_solve``,
``solve_sylvester``) differentiate into solves with the same stored factors;
decompositions (``cholesky``, ``lu``, ``eigh``, ``svd``, ``qr``, ``polar``) and matrix
functions (``expm``, ``sqrtm``) have closed-form derivatives of every order;
``schur`` and ``hessenberg`` have values only. Matrices may carry leading batch
dimensions; everything works under ``jit`` and ``vmap``. Complex inputs raise.

>>> import numpy as np, vjpkit
>>> import vjpkit.scipy.linalg as vsl
>>> a = np.array([[4.0, 1.0], [1.0, 3.0]])
>>> vjpkit.grad(lambda a: vsl.expm(a).sum())(a).shape
(2, 2)
"""
from .cholesky import cho_factor, cho_solve, cholesky
from .decompositions import eigh, eigvalsh, hessenberg, polar, qr, schur, svd, svdvals
from .lu import lu, lu_factor, lu_solve
from .matrix_functions import expm, expm_frechet, sqrtm
from .solve import det, inv, solve, solve_sylvester
from .special_matrices import block_diag, circulant, toeplitz
from .triangular import solve_triangular

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "det", "eigh",
           "eigvalsh", "expm", "expm_frechet", "hessenberg", "inv", "lu", "lu_factor", "lu_solve",
           "polar", "qr", "schur", "solve", "solve_sylvester", "solve_triangular", "sqrtm", "svd",
           "svdvals", "toeplitz"]
