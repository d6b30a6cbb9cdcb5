"""How numbers are shown: in reports, web pages and the command line alike.

Every function takes whatever a table holds (int, float, numpy scalar, None, NaN,
pandas NA) and returns text; a missing value is ``MISSING`` ("—"). Values are rounded
for display only; nothing here computes.

- :func:`number`: fixed decimals, or by magnitude (``digits=None``); thousands separators.
- :func:`exact`: a measured value as entered, without float artefacts (822.36, not
  822.3600000000001) and without trailing zeros.
- :func:`integer`, :func:`rank` (``3`` or ``3/11``), :func:`ordinal` (``3rd``), :func:`rank_range` (``3–7``),
  :func:`year` (``2013``, never ``2,013``), :func:`percent` (0.4 -> ``40.0%``);
  :func:`score_digits`: the decimals a score is shown with, by its scale (3 for 0–1, 1 for 0–100).
- :func:`timestamp`: a moment as local wall-clock time, Asia/Shanghai by default
  (``2024-05-01 14:03``); stored times are UTC.
"""
from __future__ import annotations

import math
from decimal import Decimal

MISSING = "—"


def _real(v) -> float | None:
    """``v`` as a float, or None if it is missing or not a number."""
    if v is None or isinstance(v, str):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _is_missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return False
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return type(v).__name__ in ("NAType", "NaTType")  # pandas NA / NaT, without importing pandas


def _other(v) -> str:
    """The text of a value that is not a number: missing, or the value itself (a label)."""
    return MISSING if _is_missing(v) else str(v)


def _auto_digits(x: float) -> int:
    a = abs(x)
    if a >= 1000:
        return 0
    if a >= 100:
        return 1
    if a >= 1 or a == 0:
        return 2
    return 3


def _no_negative_zero(s: str) -> str:
    """'-0.00' -> '0.00': a value that rounds to zero has no sign."""
    if s.startswith("-") and not s.strip("-0.,"):
        return s[1:]
    return s


def _infinite(x: float, signed: bool = False) -> str:
    return "-∞" if x < 0 else ("+∞" if signed else "∞")


def number(v, digits: int | None = None, *, signed: bool = False, trim: bool = False) -> str:
    """``v`` with ``digits`` decimals (default by magnitude: 3 below 1, 2 below 100, 1 below
    1,000, then none) and thousands separators; ``signed``: with + or − (zero has none);
    ``trim``: without trailing zeros."""
    x = _real(v)
    if x is None:
        return _other(v)
    if math.isinf(x):
        return _infinite(x, signed)
    d = _auto_digits(x) if digits is None else digits
    s = _no_negative_zero(f"{x:,.{d}f}")
    if trim and "." in s:
        s = s.rstrip("0").rstrip(".")
    if signed and s.strip("0.,"):
        s = s if s.startswith("-") else "+" + s
    return s


def exact(v, significant: int = 12) -> str:
    """``v`` to at most ``significant`` digits: 822.3600000000001 -> '822.36',
    12345.678 -> '12,345.678', 1e-07 -> '0.0000001', 3.0 -> '3'."""
    x = _real(v)
    if x is None:
        return _other(v)
    if math.isinf(x):
        return _infinite(x)
    s = format(Decimal(format(x, f".{significant}g")), "f")
    whole, _, frac = s.partition(".")
    frac = frac.rstrip("0")
    out = f"{int(whole):,}" + (f".{frac}" if frac else "")
    if whole.startswith("-") and out[0] != "-":  # -0.5: int('-0') lost the sign
        out = "-" + out
    return _no_negative_zero(out)


def integer(v, *, signed: bool = False) -> str:
    """``v`` rounded to a whole number, with thousands separators."""
    x = _real(v)
    if x is None:
        return _other(v)
    n = int(round(x))
    return f"{n:+,}" if signed and n else f"{n:,}"


def rank(r, n=None) -> str:
    """A rank: '3', or '3/11' with the number ranked ``n``."""
    x = _real(r)
    if x is None:
        return _other(r)
    whole = str(int(round(x)))
    if n is None or _real(n) is None or not _real(n):
        return whole
    return f"{whole}/{int(round(_real(n)))}"


def ordinal(r) -> str:
    """An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 22nd (missing as ``MISSING``)."""
    x = _real(r)
    if x is None:
        return _other(r)
    k = int(round(x))
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def rank_range(lo, hi) -> str:
    """A rank interval: '3–7' (missing if either end is)."""
    a, b = _real(lo), _real(hi)
    if a is None or b is None:
        return MISSING
    return f"{int(round(a))}–{int(round(b))}"


def year(v) -> str:
    """A year: '2013' (from 2013, 2013.0 or '2013'); other text as it is."""
    x = _real(v)
    if x is None:
        return _other(v)
    return str(int(x)) if x == int(x) else str(v)


def score_digits(largest: float) -> int:
    """Decimals for scores whose largest absolute value is ``largest``: 3 for scores within 0–1
    (TOPSIS closeness, min–max shares), 2 up to 10, else 1 (0–100 scales)."""
    a = abs(float(largest))
    return 3 if a <= 1 + 1e-9 else (2 if a <= 10 else 1)


def percent(share, digits: int = 1) -> str:
    """A share as a percentage: 0.4 -> '40.0%'."""
    x = _real(share)
    if x is None:
        return _other(share)
    return _no_negative_zero(f"{100 * x:,.{digits}f}") + "%"


TIME_ZONE = "Asia/Shanghai"


def timestamp(v, zone: str = TIME_ZONE, seconds: bool = False) -> str:
    """``v`` (a datetime, or ISO 8601 text) as wall-clock time in ``zone``: '2024-05-01 14:03'.

    A datetime without a time zone is UTC (as databases hand them back); missing gives '—'.
    """
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    if v is None or (not isinstance(v, (str, datetime)) and _is_missing(v)):
        return MISSING
    if isinstance(v, str):
        if not v.strip():
            return MISSING
        v = datetime.fromisoformat(v.strip().replace("Z", "+00:00"))
    if v.tzinfo is None:
        v = v.replace(tzinfo=timezone.utc)
    return v.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


__all__ = ["MISSING", "TIME_ZONE", "number", "exact", "integer", "rank", "rank_range", "year", "percent",
           "score_digits", "ordinal", "timestamp"]
