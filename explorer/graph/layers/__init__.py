"""Layer kinds, one module per palette group; importing this package registers them all."""

from . import io, dense, conv, pooling, norm, regularisation, activations, merge, sequence, attention, graph  # noqa: F401
