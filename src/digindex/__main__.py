"""`python -m digindex`: the command line."""
from .cli import entrypoint

entrypoint()
