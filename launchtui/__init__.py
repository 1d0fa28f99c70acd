"""launchtui: a launch-readiness sprint for small web products, in the terminal."""

__version__ = "0.1.0"
