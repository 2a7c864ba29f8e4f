"""What-if: how a draft policy would change each practitioner's certification.

Per level, a practitioner *gains* (not held → held), *keeps* (held → held), *loses*
(held → not held) or is *unaffected* (not held either way). "Held" is certified or
at risk. A level only one of the two policies has counts as not held under the other.
"""

from __future__ import annotations

from typing import Literal

from services.certification.domain.state import CertificationState
from services.certification.domain.transitions import HELD

Change = Literal["gain", "keep", "lose", "unaffected"]
CHANGES: tuple[Change, ...] = ("gain", "keep", "lose", "unaffected")


def _held(state: CertificationState) -> dict[str, bool]:
    return {level.level_key: level.status in HELD for level in state.levels}


def compare_levels(current: CertificationState, draft: CertificationState) -> dict[str, Change]:
    """Each level key of either policy → the change the draft would bring."""
    now, then = _held(current), _held(draft)
    keys = list(dict.fromkeys([*now, *then]))
    changes: dict[str, Change] = {}
    for key in keys:
        before, after = now.get(key, False), then.get(key, False)
        if before and after:
            changes[key] = "keep"
        elif after:
            changes[key] = "gain"
        elif before:
            changes[key] = "lose"
        else:
            changes[key] = "unaffected"
    return changes
