"""Ranking units by a weighted composite (the Jianhua community "大排名").

Units are scored by a :class:`~govflow.metrics.Composite` of metrics and, optionally,
qualitative scores entered as events (:mod:`govflow.metrics.assessment`). What a ranking must
not hide, it states: units below the minimum sample are listed apart, units missing a part of
the composite are listed apart with the parts they lack, and equal scores share a rank
(standard competition ranking: 1, 1, 3) with ``tied`` set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs

from govflow.errors import DefinitionError
from govflow.metrics.spec import QUALITATIVE, Composite

if TYPE_CHECKING:
    from govflow.metrics.report import Report

#: Scores closer than this are equal: float sums of the same rates in another order differ
#: in the last bits, and a ranking must not split a tie on rounding noise.
_TIE = 1e-9


@attrs.frozen(slots=True)
class Standing:
    """One unit in a ranking: its rank (None if unranked), score, sample and parts."""

    group: str
    rank: int | None
    score: float | None
    sample: int
    parts: Mapping[str, float | None]
    tied: bool = False
    missing: tuple[str, ...] = ()


@attrs.frozen(slots=True)
class Ranking:
    """Ranked units best first, and the units that could not be ranked, with why."""

    composite: Composite
    min_sample: int
    ranked: tuple[Standing, ...]
    too_small: tuple[Standing, ...]
    missing_data: tuple[Standing, ...]

    def order(self) -> list[str]:
        """The ranked groups, best first."""
        return [s.group for s in self.ranked]


def rank(
    report: Report,
    composite: Composite,
    *,
    min_sample: int = 1,
    qualitative: Mapping[str, float] | None = None,
) -> Ranking:
    """Rank ``report``'s groups by ``composite``.

    :param min_sample: units with fewer issues are not ranked (listed in ``too_small``).
    :param qualitative: scores (0–100) by group, for a composite with a
        :data:`~govflow.metrics.spec.QUALITATIVE` part.
    """
    for part in composite.parts:
        if part != QUALITATIVE and part not in report.metrics:
            raise DefinitionError(f"composite {composite.name!r} names unknown metric {part!r}")
    if min_sample < 1:
        raise DefinitionError(f"min_sample must be ≥ 1, got {min_sample}")
    scores = qualitative or {}
    scored: list[Standing] = []
    small: list[Standing] = []
    missing: list[Standing] = []
    weight = sum(composite.parts.values())
    for group, figures in report.groups.items():
        parts: dict[str, float | None] = {}
        for part in composite.parts:
            if part == QUALITATIVE:
                score = scores.get(group)
                parts[part] = None if score is None else score / 100
            else:
                parts[part] = figures[part].value
        sample = report.samples[group]
        lacking = tuple(p for p, v in parts.items() if v is None)
        if sample < min_sample:
            small.append(Standing(group, None, None, sample, parts, missing=lacking))
        elif lacking:
            missing.append(Standing(group, None, None, sample, parts, missing=lacking))
        else:
            total = sum(composite.parts[p] * v for p, v in parts.items() if v is not None)
            scored.append(Standing(group, None, total / weight, sample, parts))
    scored.sort(key=lambda s: (-(s.score or 0.0), s.group))
    ranked: list[Standing] = []
    for index, standing in enumerate(scored):
        assert standing.score is not None
        previous = ranked[-1] if ranked else None
        same = previous is not None and abs((previous.score or 0.0) - standing.score) < _TIE
        place = previous.rank if same and previous is not None else index + 1
        if same and previous is not None:
            ranked[-1] = attrs.evolve(previous, tied=True)
        ranked.append(attrs.evolve(standing, rank=place, tied=same))
    return Ranking(
        composite,
        min_sample,
        tuple(ranked),
        tuple(sorted(small, key=lambda s: s.group)),
        tuple(sorted(missing, key=lambda s: s.group)),
    )


__all__ = ["Ranking", "Standing", "rank"]
