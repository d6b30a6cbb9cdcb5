"""The evaluation engine."""
from .evaluate import evaluate
from .result import Evaluation

__all__ = ["evaluate", "Evaluation"]
