"""Methods registered by name, so that an indicator-system file can name them.

A registry belongs to one stage and registers one function per method record (:mod:`scoring.methods`): the
record's aliases resolve to the same function, and a name without a record cannot be registered, so every
method the pipeline can run has its label, formula and requirements on record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from scoring.methods import MethodRecord, Stage, find
from scoring.problems import Problem, SystemDefinitionError

F = TypeVar("F", bound=Callable[..., object])


class Registry(Generic[F]):
    """A named set of interchangeable functions for one pipeline stage (normalise, weighting, …)."""

    def __init__(self, stage: Stage):
        self.stage = stage
        self.kind = str(stage)
        self._methods: dict[str, F] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Register the function of the method recorded as ``name`` (and of the record's aliases)."""
        found = find(self.stage, name)
        if found is None or found.name != name:
            raise ValueError(f"{self.kind} method {name!r} has no record in scoring.methods (by its name)")

        def add(function: F) -> F:
            for each in found.names:
                self._methods[each] = function
            return function

        return add

    def record(self, name: str) -> MethodRecord:
        """The record of a registered method (by name or alias)."""
        self[name]  # raises the user-facing problem for an unknown name
        found = find(self.stage, name)
        assert found is not None  # registered names all have records
        return found

    def __getitem__(self, name: str) -> F:
        try:
            return self._methods[name]
        except KeyError:
            raise SystemDefinitionError(
                Problem(
                    "pipeline.unknown_method",
                    params={"kind": self.kind, "name": name, "choices": ", ".join(sorted(self._methods))},
                )
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._methods

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._methods))
