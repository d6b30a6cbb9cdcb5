"""Explanations of an evaluation: why a unit scores and ranks as it does, and what would change it.

::

    from digindex.explain import contributions, change_attribution, strengths_weaknesses, target_gap
    contributions(ev, unit="330483", year=2022)       # each aspect's and indicator's share of the score
    change_attribution(ev, "330483")                  # what moved the score (and the rank) since last year
    strengths_weaknesses(ev, "330483")                # best and worst indicators against the peers
    target_gap(ev, "330483", rank=1, scope="parent")  # the smallest improvement reaching rank 1 in the city

The profile's paragraph, worded for any population, is :func:`digindex.reports.unit_profile`'s.

Modules: :mod:`.decompose`, :mod:`.change`, :mod:`.strengths`, :mod:`.targets`.
"""
from .change import ChangeAttribution, change_attribution
from .decompose import contributions, local_contributions, root_contributions
from .strengths import standing, strengths_weaknesses
from .targets import TargetResult, target_gap

__all__ = ["contributions", "local_contributions", "root_contributions", "change_attribution",
           "ChangeAttribution", "standing", "strengths_weaknesses", "target_gap", "TargetResult"]
