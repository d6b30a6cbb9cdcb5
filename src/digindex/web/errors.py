"""Errors raised by the web services; the app turns them into HTTP responses.

The message is a catalogue text (:func:`~digindex.web.messages.t`), rendered in the
language of the request; ``detail`` may hold more texts (``problems``: a list of
``{sheet, cell, problem}``) and plain data (the current ``version`` of a submission).
"""
from __future__ import annotations

from .messages import Msg, localise


class WebError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Msg, **detail):
        super().__init__(str(message))
        self.message = message
        self.detail = detail

    def text(self, lang: str) -> str:
        return localise(self.message, lang)

    def payload(self, lang: str = "en") -> dict:
        return {"error": self.code, "message": self.text(lang), **localise(self.detail, lang)}


class Unauthenticated(WebError):
    status, code = 401, "unauthenticated"


class Forbidden(WebError):
    status, code = 403, "forbidden"


class NotFound(WebError):
    """Does not exist, or is not the asker's to see: the same answer for both."""
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
