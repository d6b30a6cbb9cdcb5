"""Unified social credit codes (统一社会信用代码, GB 32100-2015), generated and checked.

An 18-character code is: registration authority (1: '9' market regulation),
entity category (1: '1' enterprise), the GB/T 2260 code of the registering
county (6), an organisation code (9: 8 characters plus a GB 11714 check
character) and a check character (1). Characters come from the 31-character
set 0-9 and A-Y without I, O, S, V, Z.

GB 32100 check: C18 = 31 − (Σ c_i·w_i mod 31), w_i = 3^(i−1) mod 31 (i = 1..17),
the value 31 written as 0. GB 11714 check of the organisation code: C9 = 11 −
(Σ c_i·w_i mod 11) with w = 3, 7, 9, 10, 5, 8, 4, 2, letters valued A = 10 ... Z = 35,
10 written as X and 11 as 0.
"""
from __future__ import annotations

import numpy as np

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS_18 = np.array([pow(3, i, 31) for i in range(17)])
WEIGHTS_ORG = np.array([3, 7, 9, 10, 5, 8, 4, 2])
_INDEX = {c: i for i, c in enumerate(CHARSET)}
_ASCII = np.frombuffer(CHARSET.encode(), dtype=np.uint8)


def _org_value(idx: np.ndarray) -> np.ndarray:
    """GB 11714 values of charset indices: digits as themselves, letters A=10 ... Z=35."""
    return np.where(idx < 10, idx, _ASCII[idx].astype(np.int64) - 55)


def check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(_INDEX[c] * int(w) for c, w in zip(first17, WEIGHTS_18))
    return CHARSET[(31 - total % 31) % 31]


def org_check_char(body8: str) -> str:
    """The GB 11714 check character of an 8-character organisation-code body."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    c = 11 - sum(v * int(w) for v, w in zip(values, WEIGHTS_ORG)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def is_valid(code: str) -> bool:
    """True if ``code`` is 18 characters of the code set with correct check characters."""
    if not isinstance(code, str) or len(code) != 18 or any(c not in _INDEX for c in code):
        return False
    return check_char(code[:17]) == code[17] and org_check_char(code[8:16]) == code[16]


def generate(counties: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique credit codes for enterprises registered in ``counties`` (6-digit code strings)."""
    n = len(counties)
    idx = np.empty((n, 17), dtype=np.int64)
    idx[:, 0], idx[:, 1] = _INDEX["9"], _INDEX["1"]
    county_digits = np.asarray(counties).astype("S6").view(np.uint8).reshape(n, 6)
    idx[:, 2:8] = county_digits - ord("0")
    body = rng.integers(0, 31, size=(n, 8))
    while True:  # organisation codes must be unique; redraw the rare duplicates
        keys = (body * (31 ** np.arange(8))).sum(1)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        dup = order[1:][sorted_keys[1:] == sorted_keys[:-1]]
        if dup.size == 0:
            break
        body[dup] = rng.integers(0, 31, size=(dup.size, 8))
    idx[:, 8:16] = body
    c9 = 11 - (_org_value(body) * WEIGHTS_ORG).sum(1) % 11
    c9_char = np.where(c9 == 10, ord("X"), np.where(c9 == 11, ord("0"), c9 + ord("0")))
    idx[:, 16] = _charset_index(c9_char)
    c18 = (31 - (idx * WEIGHTS_18).sum(1) % 31) % 31
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = _ASCII[idx]
    chars[:, 17] = _ASCII[c18]
    return chars.view("S18").ravel().astype(str)


def _charset_index(ascii_codes: np.ndarray) -> np.ndarray:
    lookup = np.full(128, -1, dtype=np.int64)
    lookup[_ASCII] = np.arange(len(CHARSET))
    out = lookup[ascii_codes]
    assert (out >= 0).all()
    return out
