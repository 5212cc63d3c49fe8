"""The live training panel: the worker thread around the trainer, its controls and its plots."""
