"""The regional-research toolkit: the analyses Chinese studies run on an index's scores.

Read the scores, then call one function per analysis; each returns an
:class:`~digindex.analytics.research.result.Analysis` whose ``tables`` are the CSV files of
``digindex analyse`` (``digindex.analyses.write_analysis`` writes them with a workbook and
charts)::

    from digindex.analytics import research as rs

    data = rs.load_results("out/provinces")                  # a run's folder, the root node
    data = rs.load_table("scores.csv", value="score")        # or a long table unit, year, score
    data = rs.from_evaluation(evaluation)                    # or an Evaluation in memory (reports)
    rs.dagum(data, rs.groups_of(data, "groups.csv", units_in="全国"))
    rs.kde(data); rs.markov(data, classes=4); rs.convergence(data)
    rs.spatial_markov(data, rs.neighbours(data.units)); rs.moran(data, rs.neighbours(data.units))
    rs.coupling(data, ["infra", "industry", "digitalisation"]); rs.obstacle(data); rs.grey(data, [...])
    rs.ellipse(data, *rs.locations(data.units))

Kinds: ``dagum`` (Dagum Gini decomposition), ``kde`` (kernel density), ``markov`` and
``spatial-markov`` (giddy), ``convergence`` (σ and β, statsmodels), ``coupling`` (coupling
coordination degree), ``obstacle`` (obstacle degree), ``grey`` (grey relational grade),
``ellipse`` (standard deviational ellipse, pointpats), ``moran`` (Moran's I and LISA, esda).
Each module's docstring gives the formula and its reference.
"""
from __future__ import annotations

from .convergence import convergence, sigma
from .coupling import coupling, coupling_degree, grade_of
from .dagum import dagum, dagum_gini
from .density import kde
from .ellipse import ellipse, weighted_ellipse
from .grey import grey, grey_grades
from .inputs import ResearchData, from_evaluation, groups_of, load_results, load_table, parse_list
from .markov import markov, spatial_markov
from .moran import moran
from .obstacle import effective_weights, obstacle
from .result import Analysis
from .spatial import Neighbours, locations, neighbours

KINDS = ("dagum", "kde", "markov", "spatial-markov", "convergence", "coupling", "obstacle", "grey",
         "ellipse", "moran")

__all__ = ["KINDS", "Analysis", "ResearchData", "load_results", "load_table", "from_evaluation", "groups_of", "parse_list",
           "Neighbours", "neighbours", "locations", "dagum", "dagum_gini", "kde", "markov", "spatial_markov",
           "convergence", "sigma", "coupling", "coupling_degree", "grade_of", "obstacle", "effective_weights",
           "grey", "grey_grades", "ellipse", "weighted_ellipse", "moran"]
