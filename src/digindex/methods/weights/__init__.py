"""Weighting methods (one file per method group)."""
from . import basic  # noqa: F401  (registers manual, equal)
from . import objective  # noqa: F401  (entropy, critic, cv, std)
from . import ahp  # noqa: F401  (ahp)
from . import combined  # noqa: F401  (combined)
from . import pca  # noqa: F401  (pca, factor)
from . import bod  # noqa: F401  (bod weights and the bod aggregate)
from . import optimised  # noqa: F401  (optimised)
