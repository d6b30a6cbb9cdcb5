"""Two official indices reproduced exactly: DESI 2022 and HDI 2021."""
from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from digindex import evaluate, load_data, load_framework
from conftest import EXAMPLES

DESI_NODES = {  # column in desi2022_aggregated.csv -> node id
    "DESI": "desi", "1 Human capital": "d1", "2 Connectivity": "d2",
    "3 Integration of digital technology": "d3", "4 Digital public services": "d4",
    "1a Internet user skills ": "1a", "1b Advanced skills and development": "1b",
    "2a Fixed broadband take-up": "2a", "2b Fixed broadband coverage": "2b", "2c Mobile broadband": "2c",
    "2d Broadband prices": "2d", "3a Digital intensity": "3a", "3b Digital technologies for businesses": "3b",
    "3c e-Commerce": "3c", "4a e-Government": "4a",
}


@pytest.fixture(scope="module")
def desi():
    fw = load_framework(EXAMPLES / "desi2022" / "framework.yaml")
    return evaluate(fw, load_data(EXAMPLES / "desi2022" / "data.csv", framework=fw))


def test_example_data_is_the_workbook_data(validation):
    """The bundled data.csv is the workbook's 'Completed data' block, unchanged."""
    ours = pd.read_csv(EXAMPLES / "desi2022" / "data.csv", dtype=str)
    theirs = pd.read_csv(validation / "desi-2022" / "desi2022_completed.csv", dtype=str)
    assert len(ours) == len(theirs) == 168
    assert (ours.iloc[:, 2:].to_numpy() == theirs.iloc[:, 3:].to_numpy()).all()


def test_desi_every_score_matches_the_commission(desi, validation):
    expected = pd.read_csv(validation / "desi-2022" / "desi2022_aggregated.csv")
    expected["year"] = expected["Year"].str[1:].astype(int) + 2016
    ours = desi.scores_table()
    merged = expected.merge(ours, left_on=["Country", "year"], right_on=["unit", "year"])
    assert len(merged) == 168
    for column, node in DESI_NODES.items():
        diff = np.abs(merged[column].to_numpy(float) - merged[node].to_numpy(float))
        assert diff.max() < 1e-9, (column, diff.max())


def test_desi_2022_ranks_match_exactly(desi, validation):
    expected = pd.read_csv(validation / "desi-2022" / "desi2022_ranking.csv")
    expected = expected[expected["Year"] == "y6"]
    ranks = desi.ranks_table()
    ranks = ranks[ranks["year"] == 2022].set_index("unit")
    assert len(expected) == 28
    for column, node in DESI_NODES.items():
        if column not in expected:
            continue
        ours = ranks.loc[expected["Country"], node].to_numpy()
        assert (ours == expected[column].to_numpy()).all(), column


def test_hdi_2021_matches_undp_for_all_191(validation):
    fw = load_framework(EXAMPLES / "hdi2021" / "framework.yaml")
    result = evaluate(fw, load_data(EXAMPLES / "hdi2021" / "data.csv", framework=fw))
    path = validation / "hdi-2021" / "HDR21-22_Composite_indices_complete_time_series.csv"
    with open(path, encoding="latin-1") as fh:
        published = {r["iso3"]: r["hdi_2021"] for r in csv.DictReader(fh)}
    scores = result.scores_table().set_index("unit")["hdi"]
    assert len(scores) == 191
    mismatches = [u for u, s in scores.items() if f"{round(s, 3):.3f}" != f"{float(published[u]):.3f}"]
    assert mismatches == []
    # independent recomputation from Technical note 1, to show the exact formula is used
    data = pd.read_csv(EXAMPLES / "hdi2021" / "data.csv").set_index("unit")
    lei = np.minimum((data["le"] - 20) / 65, 1)
    ei = (np.minimum(data["eys"], 18) / 18 + np.minimum(data["mys"], 15) / 15) / 2
    ii = (np.log(np.minimum(data["gnipc"], 75000)) - np.log(100)) / (np.log(75000) - np.log(100))
    hdi = (lei * ei * ii) ** (1 / 3)
    assert np.allclose(scores.loc[hdi.index], hdi, atol=1e-14)
