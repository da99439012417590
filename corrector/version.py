"""The package version, on the ground floor so every module can name it in signatures."""

__version__ = "0.1.0"
