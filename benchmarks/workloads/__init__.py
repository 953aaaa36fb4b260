"""The workloads, in table order.

Each module provides NAME, MEASURE_MEMORY, make_data(quick) and
IMPLEMENTATIONS: a dict from implementation name (see
``benchmarks.harness.IMPLEMENTATIONS``) to a builder. A builder takes the data
and returns a zero-argument function computing the gradient (forward +
backward); it raises ImportError / AttributeError / NotImplementedError when
its framework or feature is missing, which the table shows as "n/a".
"""

from benchmarks.workloads import elementwise, hvp, jacobian, likelihood, mlp, rnn, scalar_chain

ALL = (scalar_chain, mlp, elementwise, hvp, rnn, jacobian, likelihood)
