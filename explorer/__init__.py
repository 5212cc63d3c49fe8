"""Neural Network Explorer: build networks by dragging layers, train them on PyTorch, watch them learn."""

__version__ = "0.1.0"
