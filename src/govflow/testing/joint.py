"""Hypothesis strategies and a model for joint work: rounds of parties, reports, links.

:func:`party_rounds` draws a round -- parties, a join rule, their limits -- and the order in
which reports (and stray attempts: a party reporting twice, someone who was never summoned)
arrive; :func:`expected_departure` is the model a test checks the engine against: the report
after which the join state must be left, and no sooner. :func:`summon_payload` turns a drawn
round into the payload of the summoning move.

Needs hypothesis (``pip install 'govflow[dev]'``).
"""

from __future__ import annotations

from typing import Any

import attrs
from hypothesis import strategies as st

from govflow.workflow.joins import ALL, ANY, Join

#: Units, persons and strangers a drawn round uses.
PARTY_POOL = tuple(f"dept-{n}" for n in range(8))
STRANGER = "not-summoned"


@attrs.frozen(slots=True)
class DrawnRound:
    """A round of parties and the reports that arrive, in order."""

    parties: tuple[str, ...]
    rule: str | int
    limits: tuple[str | None, ...]  #: each party's own limit ("1d"), or None: the join's
    attempts: tuple[str, ...]  #: who tries to report, in order (repeats and strangers too)

    @property
    def join(self) -> Join:
        """The join this round runs under."""
        return Join(self.rule, party_limit="2d")

    def needed(self) -> int:
        """How many reports leave the state."""
        return self.join.needed(len(self.parties))


def summon_payload(drawn: DrawnRound) -> dict[str, Any]:
    """The summoning move's payload for ``drawn``: its parties with their own limits."""
    return {
        "parties": [
            party if limit is None else {"id": party, "limit": limit}
            for party, limit in zip(drawn.parties, drawn.limits, strict=True)
        ]
    }


def expected_departure(drawn: DrawnRound) -> int | None:
    """The index in ``drawn.attempts`` of the report that leaves the join state (None: the
    reports never meet the rule). Repeats and strangers are refused and count for nothing."""
    reported: set[str] = set()
    for index, who in enumerate(drawn.attempts):
        if who in drawn.parties and who not in reported:
            reported.add(who)
            if len(reported) >= drawn.needed():
                return index
    return None


@st.composite
def party_rounds(draw: st.DrawFn, *, max_parties: int = 5) -> DrawnRound:
    """A round: 1..``max_parties`` distinct parties, a rule that fits them (all, any, k of n),
    optional per-party limits, and 0..2n report attempts in any order."""
    parties = tuple(
        draw(st.lists(st.sampled_from(PARTY_POOL), min_size=1, max_size=max_parties, unique=True))
    )
    rule = draw(st.one_of(st.just(ALL), st.just(ANY), st.integers(1, len(parties))))
    limits = tuple(
        draw(
            st.lists(
                st.sampled_from([None, "1d", "2d", "36h"]),
                min_size=len(parties),
                max_size=len(parties),
            )
        )
    )
    attempts = tuple(
        draw(st.lists(st.sampled_from([*parties, STRANGER]), max_size=2 * len(parties) + 1))
    )
    return DrawnRound(parties, rule, limits, attempts)


__all__ = [
    "PARTY_POOL",
    "STRANGER",
    "DrawnRound",
    "expected_departure",
    "party_rounds",
    "summon_payload",
]
