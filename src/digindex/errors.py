"""Errors that reach the user.

Bad input is reported as a list of :class:`Problem` records. Each names where the
problem is (file, sheet, row, column or YAML line) and how to fix it, so the CLI
can print one line per problem and exit with status 2, never a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One problem with the user's input."""

    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    line: int | None = None
    fix: str | None = None

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.fix:
            text += f" Fix: {self.fix}"
        return text


@dataclass(frozen=True)
class Note(Problem):
    """Something the user should know that is not an error (a merge, a skipped column, low
    coverage). ``severity`` is ``note`` or ``warning``; the CLI prints ``warning: ...``."""

    severity: str = "note"


class InputError(Exception):
    """Bad input: one or more :class:`Problem` records, all reported together."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, (Problem, str)):
            problems = [problems]
        self.problems = [p if isinstance(p, Problem) else Problem(p) for p in problems]
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ProblemCollector:
    """Collects problems so that all of them are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where) -> None:
        self.problems.append(Problem(message, **where))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
