"""The package version, in a bottom-layer module so any layer may read it without
importing the root package (the public API facade, above everything it re-exports)."""
__version__ = "0.1.0"
