"""Plausibility of reported values: flags that need an explanation before a submission is sent.

Two bounds per indicator, set in ``indicator_rules.yaml``:

- **year on year**: ``|x - last| / |last| > yoy`` (last year's value of the same county; not
  checked when there is none or it is 0);
- **against peers**: the robust z-score ``0.6745 (x - median) / MAD`` of the value among the
  other counties' values (of ``ln x`` with ``peer_scale: log``) beyond ``peer_z``
  (Iglewicz and Hoaglin's modified z-score; not checked when MAD is 0 or there are fewer
  than ``peer_min`` peers). Peers are the other counties' submitted, approved and locked
  values of the same year when at least ``peer_min`` of them exist, else last year's.

These are checks of the data entered, not part of the evaluation: a flagged value is kept,
shown to the reporter, the reviewer and the admin, and needs the reporter's explanation.
"""
from __future__ import annotations

import math
import statistics

from sqlalchemy import select

from .. import formatting
from . import units
from .messages import t
from .models import Submission

PEER_STATES = ("submitted", "approved", "locked")


def robust_z(x: float, peers: list[float], log: bool = False) -> float | None:
    """The modified z-score of ``x`` among ``peers`` (None when it is not defined)."""
    if log:
        if x <= 0:
            return None
        x, peers = math.log(x), [math.log(p) for p in peers if p > 0]
    if len(peers) < 2:
        return None
    med = statistics.median(peers)
    mad = statistics.median(abs(p - med) for p in peers)
    return None if mad == 0 else 0.6745 * (x - med) / mad


def flags(info, values: dict, last: dict, peers: dict) -> list[dict]:
    """The plausibility flags of ``values``: ``{indicator, kind, value, reference, bound, problem}``."""
    out = []
    for ind in info.indicators:
        x = values.get(ind.id)
        if x is None:
            continue
        prev = last.get(ind.id)
        if ind.yoy is not None and prev not in (None, 0):
            change = (x - prev) / abs(prev)
            if abs(change) > ind.yoy:
                out.append({"indicator": ind.id, "kind": "yoy", "value": x, "reference": prev, "bound": ind.yoy,
                            "problem": t("flag_yoy", change=formatting.number(100 * change, 0, signed=True) + "%",
                                         last=ind.show(prev), bound=formatting.percent(ind.yoy, 0))})
        ref = peers.get(ind.id) or []
        if ind.peer_z is not None and len(ref) >= info.peer_min:
            z = robust_z(x, ref, ind.peer_scale == "log")
            if z is not None and abs(z) > ind.peer_z:
                out.append({"indicator": ind.id, "kind": "peer", "value": x, "reference": statistics.median(ref),
                            "bound": ind.peer_z,
                            "problem": t("flag_peer", z=formatting.number(z, 1, signed=True),
                                         median=ind.show(statistics.median(ref)), n=len(ref),
                                         bound=formatting.number(ind.peer_z, 1))})
    return out


def peer_pool(session, year: int, peer_min: int) -> dict:
    """{county: values} the peers of ``year`` are drawn from: the submitted, approved and locked
    values of the year when at least ``peer_min`` counties have them, else last year's locked ones."""
    counties = {u.code for u in units.counties()}

    def collect(y, states):
        return {sub.unit: dict(sub.values or {}) for sub in session.scalars(
            select(Submission).where(Submission.year == y, Submission.state.in_(states))) if sub.unit in counties}

    now = collect(year, PEER_STATES)
    return now if len(now) >= peer_min else collect(year - 1, ("locked",))


def peers_of(pool: dict, unit: str) -> dict:
    """{indicator: [values]} of every county in ``pool`` but ``unit``."""
    out: dict = {}
    for code, values in pool.items():
        if code == unit:
            continue
        for k, v in values.items():
            if v is not None:
                out.setdefault(k, []).append(float(v))
    return out


def peer_values(session, unit: str, year: int, peer_min: int) -> dict:
    return peers_of(peer_pool(session, year, peer_min), unit)
