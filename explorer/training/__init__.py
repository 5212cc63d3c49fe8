"""The training engine: settings, the trainer generator and its probes. No Qt."""
