"""The errors users see when a transform cannot go on; each message says what to do."""


class ConcretizationTypeError(TypeError):
  """A concrete Python value was needed from an abstract traced value (under jit or vmap)."""


class TracerArrayConversionError(TypeError):
  """A traced value was passed where a real NumPy array is required."""


class UnexpectedTracerError(Exception):
  """A traced value escaped the transform that created it (a tracer leak)."""


class TracerIntegerConversionError(TypeError):
  """A traced value was used as a Python integer (an index, a shape, a range)."""
