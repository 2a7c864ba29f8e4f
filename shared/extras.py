"""Typed slots in `Runtime.extras`: what a service builds at start-up beyond the kernel's.

Every handler receives the kernel's `Runtime` (routes through `RuntimeDep`, jobs and
consumers directly). What a service adds at start-up — learning's catalogs and policies,
certification's clock, the xAPI LRS — sits in `runtime.extras` under a key, and a
`RuntimeExtra` names that key once and reads it typed: `LEARNING.of(runtime)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from shared.service import Runtime

T = TypeVar("T")


@dataclass(frozen=True)
class RuntimeExtra(Generic[T]):
    key: str

    def of(self, runtime: Runtime) -> T:
        """The value the service put at start-up (KeyError before then)."""
        value: T = runtime.extras[self.key]
        return value

    def get(self, runtime: Runtime) -> T | None:
        """The value, or None while the service has not put it yet."""
        value: T | None = runtime.extras.get(self.key)
        return value

    def put(self, runtime: Runtime, value: T) -> None:
        runtime.extras[self.key] = value
