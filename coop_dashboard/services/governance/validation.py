"""Refusing input with messages that name the field and say how to fix it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from coop_dashboard.errors import ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the form field's key, so the UI can put the message next to it
    message: str  # a full sentence, starting with the field's label


class InvalidInput(ValidationError):
    """One or more fields were refused; `problems` has one entry per field."""

    def __init__(self, problems: Iterable[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems))


def refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldProblem(field, message)])


class ProblemCollector:
    """Validate several fields and report every problem at once, not just the first."""

    def __init__(self) -> None:
        self.problems: list[FieldProblem] = []

    def check(self, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except InvalidInput as exc:
            self.problems.extend(exc.problems)
            return None

    def add(self, field: str, message: str) -> None:
        self.problems.append(FieldProblem(field, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)
