"""hearth's exceptions. Each message is one a home owner can act on."""

from __future__ import annotations

from dataclasses import dataclass


class HearthError(Exception):
    """Base of every error hearth raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a config file."""

    path: str
    """Where in the file: ``entities[7].area``; empty for the whole file."""
    message: str
    """What is wrong, in words."""
    line: int | None = None
    """1-based line in the file, when known."""

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path or '(file)'}: {self.message}"


class ConfigError(HearthError):
    """A config file that cannot be used; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}")


class UnsupportedCommand(HearthError):
    """A device (or its protocol binding) cannot carry out a command."""
