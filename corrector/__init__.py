"""corrector — restore news text mangled by article spinners."""

__version__ = "0.1.0"
