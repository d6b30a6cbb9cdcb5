"""Outlier-treatment methods (one file per method group)."""
from . import basic  # noqa: F401
from . import outliers  # noqa: F401  (winsorise_log, winsorise, log, boxcox)
