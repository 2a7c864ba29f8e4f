"""Answers that are the same for every practitioner, remembered per rule object.

Some answers depend only on a policy rule and a detail of the day (a requirement judged
for someone with none of its evidence, per month). `functools.lru_cache` keyed by the
rule hashes the whole frozen pydantic model on every call (each of its fields, its
tuples again and again), which cost more than the lookup saves. A rule object is
immutable and a policy version never changes, so the rule's identity is as good a key:
the entry holds the rule itself, so its id cannot be reused while the answer is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

A = TypeVar("A")

_MOST = 4096  # entries kept before starting over (rules × months, a few policies)


class RuleAnswers(Generic[A]):
    """``compute(*arguments)`` remembered per (rule object, ``detail``); ``detail`` holds
    everything of ``arguments`` that the answer depends on besides the rule."""

    def __init__(self) -> None:
        self._answers: dict[tuple[int, Hashable], tuple[object, A]] = {}

    def get(
        self, rule: object, detail: Hashable, compute: Callable[..., A], *arguments: object
    ) -> A:
        key = (id(rule), detail)
        found = self._answers.get(key)
        if found is not None and found[0] is rule:
            return found[1]
        answer = compute(*arguments)
        if len(self._answers) >= _MOST:
            self._answers.clear()
        self._answers[key] = (rule, answer)
        return answer
