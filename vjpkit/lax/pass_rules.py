"""Registers with the program passes (``vjpkit.passes``) the primitives they recognise and build.

The passes sit below the primitive library in the layering and do not import it
(as ``codegen_rules`` fills the code generator's tables, this fills theirs).
"""
from ..passes import register_primitives
from .call import closed_call_p
from .elementwise import (add_any_p, add_p, and_p, convert_element_type_p, div_p, eq_p,
                          integer_pow_p, max_p, min_p, mul_p, ne_p, neg_p, or_p, select_n_p,
                          sub_p)
from .linalg import dot_general_p
from .reductions import reduce_sum_p
from .shapes import broadcast_in_dim_p, expand_dims_p, reshape_p, squeeze_p, transpose_p

register_primitives(
    add_any_p=add_any_p, add_p=add_p, and_p=and_p, broadcast_in_dim_p=broadcast_in_dim_p,
    closed_call_p=closed_call_p, convert_element_type_p=convert_element_type_p, div_p=div_p,
    dot_general_p=dot_general_p, eq_p=eq_p, expand_dims_p=expand_dims_p,
    integer_pow_p=integer_pow_p, max_p=max_p, min_p=min_p, mul_p=mul_p, ne_p=ne_p, neg_p=neg_p,
    or_p=or_p, reduce_sum_p=reduce_sum_p, reshape_p=reshape_p, select_n_p=select_n_p,
    squeeze_p=squeeze_p, sub_p=sub_p, transpose_p=transpose_p)
