"""Errors raised by the web services; the app turns them into HTTP responses."""
from __future__ import annotations


class WebError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.message = message
        self.detail = detail

    def payload(self) -> dict:
        return {"error": self.code, "message": self.message, **self.detail}


class Unauthenticated(WebError):
    status, code = 401, "unauthenticated"


class Forbidden(WebError):
    status, code = 403, "forbidden"


class NotFound(WebError):
    status, code = 404, "not_found"


class Conflict(WebError):
    """An optimistic-locking conflict or a state that does not allow the action."""
    status, code = 409, "conflict"


class Invalid(WebError):
    """Bad input; ``problems`` lists ``{sheet, cell, problem}`` (or ``{field, problem}``)."""
    status, code = 422, "invalid"


class TooLarge(WebError):
    status, code = 413, "too_large"


class TooManyRequests(WebError):
    status, code = 429, "too_many_requests"


class Locked(WebError):
    """The account is locked after repeated failed logins."""
    status, code = 423, "locked"
