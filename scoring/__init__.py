"""digiscore: an evaluation-index scoring engine for composite digital-development indicators."""

__version__ = "0.1.0"
