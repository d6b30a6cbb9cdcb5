"""Texts of the web app as catalogue keys, rendered in the request's language at the end.

Services raise errors and report problems with ``t("key", **fields)``: a :class:`Msg`
that names a key of the one catalogue (:mod:`digindex.i18n`) and keeps its fields. The
response, page or export renders it in the language of the request with
:func:`localise`, so no service needs to know the language and no text is written twice.
A field may itself be a :class:`Msg` or a ``{"zh": ..., "en": ...}`` pair (a place name).
"""
from __future__ import annotations

from .. import i18n


class Msg:
    """A catalogue text with its fields, not yet in a language."""

    __slots__ = ("key", "fields")

    def __init__(self, key: str, fields: dict):
        self.key, self.fields = key, fields

    def render(self, lang: str) -> str:
        return i18n.text(self.key, lang, **{k: localise(v, lang) for k, v in self.fields.items()})

    def __str__(self) -> str:  # logs and tracebacks
        return self.render("en")

    def __repr__(self) -> str:
        return f"t({self.key!r}, {self.fields!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.key, self.fields) == (other.key, other.fields)

    def __hash__(self) -> int:
        return hash(self.key)


def t(key: str, **fields) -> Msg:
    """The catalogue text ``key`` with ``fields``; an unknown key fails at once."""
    if key not in i18n.MESSAGES:
        raise KeyError(f"no message {key!r} in the catalogue (digindex/i18n.py)")
    return Msg(key, fields)


def localise(obj, lang: str):
    """``obj`` with every :class:`Msg` inside it (dicts, lists, tuples) rendered in ``lang``."""
    if isinstance(obj, Msg):
        return obj.render(lang)
    if isinstance(obj, dict):
        if set(obj) == {"zh", "en"} and all(isinstance(v, str) for v in obj.values()):
            return obj[lang if lang in obj else "en"]
        return {k: localise(v, lang) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [localise(v, lang) for v in obj]
    return obj


def pair(zh: str, en: str) -> dict:
    """A text given in both languages by the data (a unit's or an indicator's name)."""
    return {"zh": zh, "en": en}
