"""Coverage rules: the seeds' "full coverage" claims as checks that list every gap.

A :class:`CoverageRule` names the unit kinds it checks and what each such unit needs, from a
small vocabulary (:data:`NEEDS`). :func:`coverage` answers with a :class:`CoverageReport`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import attrs

from govflow.org.graph import OrgGraph
from govflow.org.records import Unit


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _has_party_unit(graph: OrgGraph, unit: Unit) -> bool:
    return bool(graph.leaders(unit.id))


def _has_council(graph: OrgGraph, unit: Unit) -> bool:
    # The council must belong to this very unit: convened by a party unit that leads it.
    council = graph.council_for(unit.id)
    if council is None:
        return False
    convener = graph.convener(council.id)
    return convener is not None and unit in graph.leads(convener.id)


def _has_pair(graph: OrgGraph, unit: Unit) -> bool:
    return bool(graph.paired(unit.id, inherit=False))


def _has_service(graph: OrgGraph, unit: Unit) -> bool:
    return bool(graph.served_by(unit.id))


#: What a rule may require of a unit: a party unit leading it, a council of its own (convened by
#: a party unit leading it), a paired unit, a service center serving it.
NEEDS: dict[str, Callable[[OrgGraph, Unit], bool]] = {
    "party_unit": _has_party_unit,
    "council": _has_council,
    "paired": _has_pair,
    "service_center": _has_service,
}


@attrs.frozen(slots=True)
class CoverageRule:
    """Every unit of ``kinds`` (below ``under`` if given) must have everything in ``needs``;
    ``holders`` are roles someone must hold in the unit or in a party unit leading it."""

    name: str
    kinds: tuple[str, ...] = attrs.field(converter=_kinds)
    needs: tuple[str, ...] = attrs.field(default=(), converter=_kinds)
    holders: tuple[str, ...] = attrs.field(default=(), converter=_kinds)
    under: str | None = None

    def __attrs_post_init__(self) -> None:
        unknown = [n for n in self.needs if n not in NEEDS]
        if unknown:
            raise ValueError(f"rule {self.name!r}: unknown needs {unknown}; known: {sorted(NEEDS)}")


@attrs.frozen(slots=True)
class Gap:
    """``unit`` lacks ``missing`` (need names, or ``role:<role>`` for an empty post)."""

    unit: Unit
    missing: tuple[str, ...]


@attrs.frozen(slots=True)
class CoverageReport:
    """The result of one rule: how many units were checked and each gap."""

    rule: CoverageRule
    checked: int
    gaps: tuple[Gap, ...]

    @property
    def ok(self) -> bool:
        """Whether coverage is full."""
        return not self.gaps

    @property
    def ratio(self) -> float:
        """Share of checked units without a gap (1.0 when nothing was checked)."""
        return 1.0 if not self.checked else 1 - len(self.gaps) / self.checked

    def __str__(self) -> str:
        lines = [f"{self.rule.name}: {self.checked - len(self.gaps)}/{self.checked} covered"]
        lines += [f"  {g.unit.id} {g.unit.name}: missing {', '.join(g.missing)}" for g in self.gaps]
        return "\n".join(lines)


def coverage(graph: OrgGraph, rule: CoverageRule) -> CoverageReport:
    """Check ``rule`` over ``graph``; the report lists each unit that falls short and why."""
    checked = 0
    gaps: list[Gap] = []
    for kind in rule.kinds:
        for unit in graph.units(kind=kind, under=rule.under):
            checked += 1
            missing = [n for n in rule.needs if not NEEDS[n](graph, unit)]
            missing += [f"role:{r}" for r in rule.holders if graph.holder(unit.id, r) is None]
            if missing:
                gaps.append(Gap(unit, tuple(missing)))
    return CoverageReport(rule, checked, tuple(gaps))


#: Bengbu's 一组一会: every residential area and natural village has a party unit and a council.
ONE_GROUP_ONE_COUNCIL = CoverageRule(
    "一组一会", ("residential_area", "natural_village"), ("party_unit", "council")
)
#: Yaohai: every community has a paired department (让社区多个帮手).
PAIRED_COMMUNITIES = CoverageRule("社区结对全覆盖", ("community",), ("paired",))
#: Every grid has a party branch and a grid worker (党的组织建在网格上).
PARTY_IN_EVERY_GRID = CoverageRule(
    "网格党组织全覆盖", ("grid",), ("party_unit",), holders=("grid_worker",)
)

__all__ = [
    "NEEDS",
    "ONE_GROUP_ONE_COUNCIL",
    "PAIRED_COMMUNITIES",
    "PARTY_IN_EVERY_GRID",
    "CoverageReport",
    "CoverageRule",
    "Gap",
    "coverage",
]
