"""The errors users see when a transform cannot go on; each message says what to do."""


class ConcretizationTypeError(TypeError):
  """A concrete Python value was needed from an abstract traced value (under jit or vmap)."""


class TracerNumberConversionError(ConcretizationTypeError):
  """A value being differentiated was converted to a Python number (``float(x)``,
  ``x.item()``, ``math.exp(x)``, ...): the number would carry no derivative, so every
  derivative computed from it would be silently wrong."""


class TracerArrayConversionError(ConcretizationTypeError):
  """A traced value was passed where a real NumPy array or scalar is required
  (``numpy.asarray(x)``, ``numpy.float64(x)``): converting would drop its derivative or its
  batch axis, or it has no value yet (under jit)."""


class UnexpectedTracerError(Exception):
  """A traced value escaped the transform that created it (a tracer leak)."""


class TracerIntegerConversionError(TypeError):
  """A traced value was used as a Python integer (an index, a shape, a range)."""


def describe_value(x) -> str:
  """A short description of a value for error messages (arrays by shape, not contents)."""
  shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", None)
  if shape is not None and dtype is not None:
    return f"an array of shape {tuple(shape)} and dtype {dtype}"
  text = repr(x)
  if len(text) > 60:
    text = text[:57] + "..."
  return f"{text} (of type {type(x).__name__})"


def check_callable(fun, who: str, what: str | None = None) -> None:
  """Raise a TypeError at once when ``who`` is given something it cannot call.

  ``what`` names the argument (e.g. ``"true_fun"``); without it, ``fun`` is the function
  a transform was applied to."""
  if callable(fun):
    return
  if what is None:
    raise TypeError(
        f"{who} expected a callable value (the function to transform), got "
        f"{describe_value(fun)}. Pass the function itself (f), not the result of calling it "
        "(f(x)).")
  raise TypeError(f"{who} expected a callable value as {what}, got {describe_value(fun)}.")


def check_output_dtype(dtype, who: str, holomorphic: bool, alternative: str) -> None:
  """The output dtypes reverse-mode ``who`` (grad, jacrev) accepts: real floats, or complex
  ones with ``holomorphic=True``; ``alternative`` names the transform for other cases."""
  kind = dtype.kind
  if holomorphic:
    if kind != "c":
      raise TypeError(f"{who} with holomorphic=True requires outputs with complex dtype, but "
                      f"got {dtype.name}. Drop holomorphic=True for real-valued functions.")
  elif kind == "c":
    raise TypeError(
        f"{who} requires real-valued outputs (a float dtype), but got {dtype.name}. For "
        "holomorphic differentiation, pass holomorphic=True. For non-holomorphic functions "
        f"with complex outputs, use vjpkit.{alternative} directly (or differentiate a real "
        "quantity such as abs(f) ** 2 or f.real).")
  elif kind != "f":
    raise TypeError(f"{who} requires a real floating-point output, got dtype {dtype.name}.")
