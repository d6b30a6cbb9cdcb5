"""Passwords (argon2id), random tokens, login rate limiting and spreadsheet-safe text."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 10
_hashers: dict[tuple, PasswordHasher] = {}
# A hash of a random password: verifying unknown usernames against it costs as much as a real
# check, so response times do not reveal which usernames exist.
_DUMMY: dict[tuple, str] = {}


def hasher(params: tuple = (3, 65536, 4)) -> PasswordHasher:
    if params not in _hashers:
        t, m, p = params
        _hashers[params] = PasswordHasher(time_cost=t, memory_cost=m, parallelism=p)
    return _hashers[params]


def hash_password(password: str, params: tuple = (3, 65536, 4)) -> str:
    return hasher(params).hash(password)


def verify_password(stored: str | None, password: str, params: tuple = (3, 65536, 4)) -> bool:
    """True when ``password`` matches ``stored`` (None: compare with a dummy, return False)."""
    ph = hasher(params)
    if stored is None:
        if params not in _DUMMY:
            _DUMMY[params] = ph.hash(secrets.token_urlsafe(16))
        stored, password = _DUMMY[params], password + "\0"
    try:
        return ph.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str, params: tuple) -> bool:
    try:
        return hasher(params).check_needs_rehash(stored)
    except InvalidHashError:
        return True


def password_problem(password: str, username: str = ""):
    """Why ``password`` is refused (a catalogue text), or None."""
    from .messages import t

    if len(password or "") < MIN_PASSWORD_LENGTH:
        return t("password_too_short", n=MIN_PASSWORD_LENGTH)
    if username and password.lower() == username.lower():
        return t("password_is_username")
    return None


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """Tokens are stored as SHA-256 digests: a stolen database does not reveal them."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


class RateLimiter:
    """At most ``limit`` events per ``window`` seconds per key (a sliding window, in memory).

    Per worker process; the account lockout (stored in the database) is the cross-process
    guard against password guessing.
    """

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def hit(self, key: str) -> bool:
        """Record an event for ``key``; False when it exceeds the limit (and is refused)."""
        now = self.clock()
        with self._lock:
            q = self._events[key]
            while q and q[0] <= now - self.window:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True

    def reset(self, key: str | None = None) -> None:
        with self._lock:
            if key is None:
                self._events.clear()
            else:
                self._events.pop(key, None)


DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """A value safe to put in an exported CSV or Excel cell.

    Text starting with ``= + - @`` (or tab / carriage return) would be read by spreadsheet
    programs as a formula (CSV/formula injection); it gets a leading apostrophe, which
    spreadsheets show as plain text. Numbers are left alone (a negative number is a number).
    """
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value
