"""The fold answers what it answered when its answers were pinned, for hundreds of
seeded random histories (fold_histories.py) under several policies and dates.

``fold_golden.json`` holds a digest of each case's public state body, every level's
transitions with their reasons and the next day time alone may change a status. A
change to the fold that is meant to change an answer re-pins them
(``python -m tests.certification.unit.fold_histories > …/fold_golden.json``) and says
why; a change meant only to make it faster never needs to.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.certification.unit.fold_histories import CASES, digests

PINNED = Path(__file__).with_name("fold_golden.json")


def test_the_fold_answers_every_pinned_history_as_it_did_when_pinned() -> None:
    pinned: dict[str, str] = json.loads(PINNED.read_text())
    answered = digests(CASES)
    assert answered.keys() == pinned.keys()
    changed = sorted(key for key, digest in answered.items() if pinned[key] != digest)
    assert not changed, f"{len(changed)} of {len(pinned)} folds changed, e.g. {changed[:5]}"
