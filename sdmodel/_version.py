"""The package version (read by ``sdmodel --version`` without importing the library)."""

__version__ = "0.1.0"
