"""Headless sub-commands of ``nn-explorer``."""
