"""The community assessment: quantitative figures and qualitative scores, one ranking (seed 004).

Seed 004: "制定《2024年度建华区社区目标考核评价办法》,将区直部门对社区各类考核评价方式、考核事项
整合为一,通过定量考核与定性评价相结合的方式,对全区34个社区工作进行'大排名'". The quantitative
part is read off the log (govflow's accountability figures of each community's issues:
completion, on-time and satisfaction rates, each out of 100, a missing rate counting 0); the
qualitative part is the assessors' score out of 100. The weights (60 quantitative, 40
qualitative) and the equal weighting of the three rates are this plugin's defaults: the seed
gives neither.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from govflow import Engine, Issue
from govflow.metrics import accountability

#: The default weights of the two parts (定量, 定性).
WEIGHTS = (0.6, 0.4)


@attrs.frozen(slots=True)
class Assessment:
    """One community's place in the ranking (1 is first)."""

    community: str
    quantitative: float
    qualitative: float
    total: float
    rank: int


def assess(
    engine: Engine,
    qualitative: Mapping[str, float],
    *,
    under: str | None = None,
    weights: tuple[float, float] = WEIGHTS,
) -> list[Assessment]:
    """Rank every community (under ``under``) of the engine's org graph, best first; ties go by
    community id. A community without a qualitative score counts 0 for it.

    :raises ValueError: for a qualitative score outside 0..100 or weights that do not sum to 1.
    """
    org = engine.org
    if org is None:
        raise ValueError("the assessment ranks the communities of the org graph: give one")
    if abs(sum(weights) - 1) > 1e-9 or min(weights) < 0:
        raise ValueError(f"weights {weights} must be >= 0 and sum to 1")
    for community, score in qualitative.items():
        if not 0 <= score <= 100:
            raise ValueError(f"qualitative score {score} of {community!r} is not within 0..100")

    def community_of(issue: Issue) -> str | None:
        if issue.location is None or issue.location not in org:
            return None
        return next((u.id for u in org.chain(issue.location) if u.kind == "community"), None)

    figures = {f.group: f for f in accountability(engine, group_by=community_of).groups}
    ranked = []
    for unit in org.units(kind="community", under=under):
        found = figures.get(unit.id)
        rates = (
            (0.0, 0.0, 0.0)
            if found is None
            else tuple(
                100 * (rate or 0.0)
                for rate in (found.completion_rate, found.on_time_rate, found.satisfaction_rate)
            )
        )
        quantitative = sum(rates) / 3
        score = float(qualitative.get(unit.id, 0.0))
        ranked.append(
            (weights[0] * quantitative + weights[1] * score, unit.id, quantitative, score)
        )
    ranked.sort(key=lambda row: (-row[0], row[1]))
    return [
        Assessment(community, quantitative, score, round(total, 6), place)
        for place, (total, community, quantitative, score) in enumerate(ranked, start=1)
    ]


__all__ = ["WEIGHTS", "Assessment", "assess"]
