"""Program-to-program passes on the IR."""
from .dce import dce_closed, dce_jaxpr
