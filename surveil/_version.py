"""Version of the surveil package."""

__version__ = "0.1.0"
