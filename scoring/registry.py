"""Methods registered by name, so that an indicator-system file can name them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from scoring.problems import Problem, SystemDefinitionError

F = TypeVar("F", bound=Callable[..., object])


class Registry(Generic[F]):
    """A named set of interchangeable functions for one pipeline stage (normalise, weighting, …)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._methods: dict[str, F] = {}

    def register(self, *names: str) -> Callable[[F], F]:
        def add(function: F) -> F:
            for name in names:
                self._methods[name] = function
            return function

        return add

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
