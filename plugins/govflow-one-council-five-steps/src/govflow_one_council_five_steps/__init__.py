"""三级联动·一会五步: Jianhua's council method, 吹哨报到 and 事项准入 (建华区, Qiqihar, seed 004).

Seed 004: "在全区推广以党组织为核心,以三级议事会为载体,以'多方共议'为路径,以'汇、定、议、示、评'为
流程的'三级联动·一会五步'议事协商工作法,全覆盖建立街道、社区、小区三级议事会,与'吹哨报到'、司法调解
互为补充". The workflow ``one-council-five-steps``, at whichever level the matter lies:

1. 汇 -- matters are collected at the residential area, the community or the street;
2. 定 -- the party unit there sets it on its council's agenda (or declines it with a reason), or,
   when this level cannot settle it, moves it up to the council one level up (:func:`move_up`:
   the matter itself moves, 小区 → 社区 → 街道, and is collected there; its log keeps the path);
3. 议 -- the council serving the place deliberates (a gate over the council's members, resolved
   from the org graph where the matter lies);
4. 示 -- the decision and what was done are made public; an objection in the publicity period
   sends the matter back to the council;
5. 评 -- residents of the place evaluate it.

Beside it: :mod:`.whistle` (吹哨报到, a join of departments), :mod:`.access` (事项准入: the
权责事项清单 of streets, communities and grids, checked by the engine),
:mod:`.assessment` (the community assessment and its ranking) and :mod:`.grids` (三类网格 with
网格赋码).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Mapping
from typing import Any

from govflow import (
    MAJORITY_OF_ATTENDEES,
    Actor,
    Engine,
    Event,
    Gate,
    GateSequence,
    Guard,
    Issue,
    MoveContext,
    OrgGraph,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.authority import lives_in
from govflow.errors import InvalidRequestError
from govflow_one_council_five_steps.access import PUSH_DOWN, RULE, DutyLists
from govflow_one_council_five_steps.assessment import Assessment, assess
from govflow_one_council_five_steps.grids import GRID_TYPES, add_grid, grid_gaps
from govflow_one_council_five_steps.whistle import GUARDS as WHISTLE_GUARDS
from govflow_one_council_five_steps.whistle import WHISTLE, parties_again, still_owing

#: The distribution's version, which is govflow's (written once, in govflow/_version.py).
__version__ = importlib.metadata.version("govflow-one-council-five-steps")
govflow_name = "one-council-five-steps"

#: The three levels of councils (三级议事会), lowest first.
LEVELS = ("residential_area", "community", "street")
#: Who sets the agenda, moves a matter up, records the vote and makes it public: the secretary
#: of the party unit leading the place (以党组织为核心).
SECRETARY = "secretary"

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

DELIBERATION = GateSequence(
    "one-council-five-steps",
    [
        Gate(
            "deliberating",
            "议 council deliberates",
            body="council",
            source="council",
            pass_rule=MAJORITY_OF_ATTENDEES,
            on_fail="collected",
            roles={SECRETARY},
        )
    ],
    then="carrying_out",
    stop="declined",
)

WORKFLOW = Workflow(
    "one-council-five-steps",
    label="三级联动·一会五步 one council, five steps",
    initial="collected",
    states=[
        State("collected", "汇 collected", StateKind.OPEN, time_limit="7d"),
        *DELIBERATION.states,
        State("carrying_out", "议定事项办理 carrying out", StateKind.PROCESSING, time_limit="30d"),
        State("publicized", "示 made public", StateKind.FEEDBACK, time_limit="5d"),
        State("evaluating", "评 residents evaluate", StateKind.FEEDBACK, time_limit="7d"),
        State("closed", "办结 closed", StateKind.CLOSED),
        State("declined", "不予议事 declined", StateKind.CANCELLED),
    ],
    transitions=[
        Transition(
            "set_agenda",
            "collected",
            DELIBERATION.entry,
            roles={SECRETARY},
            label="定 列入议题",
        ),
        Transition(
            "decline",
            "collected",
            "declined",
            roles={SECRETARY},
            guards="one-council-five-steps:reason",
            label="不予议事 (说明理由)",
        ),
        Transition("remind", "collected", "collected", on_timeout=True, label="逾期未定, 提醒"),
        Transition(
            "move_up",
            "collected",
            "collected",
            roles={SECRETARY},
            relocate="up",  # to the payload's location: the unit of the council one level up
            restarts_deadline=True,  # the upper level's 7 days to set it on its agenda
            guards=("one-council-five-steps:upper-level", "one-council-five-steps:reason"),
            label="本级议不了, 提交上一级议事会",
        ),
        *DELIBERATION.transitions,
        Transition(
            "publicize",
            "carrying_out",
            "publicized",
            roles={SECRETARY},
            guards="one-council-five-steps:result",
            label="示 公示议定事项和结果",
        ),
        Transition("urge", "carrying_out", "carrying_out", on_timeout=True, label="逾期, 督办"),
        Transition(
            "object",
            "publicized",
            DELIBERATION.entry,
            requires={"not_handler"},
            guards=("one-council-five-steps:resident-of-place", "one-council-five-steps:reason"),
            label="公示期内有异议, 重新议事",
        ),
        Transition(
            "publicity_over",
            "publicized",
            "evaluating",
            on_timeout=True,
            label="公示期满, 交群众评议",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            requires={"not_handler"},
            evaluation=True,
            guards=(
                "one-council-five-steps:resident-of-place",
                "one-council-five-steps:satisfaction",
            ),
            label="评",
        ),
        Transition(
            "close_unrated", "evaluating", "closed", on_timeout=True, label="逾期未评, 结案"
        ),
    ],
)


def level_of(org: OrgGraph, place: str) -> tuple[int, str] | None:
    """The council level of ``place``: its index in :data:`LEVELS` and the unit at that level
    (a grid or building counts as the residential area or community containing it)."""
    for unit in org.chain(place):
        if unit.kind in LEVELS:
            return LEVELS.index(unit.kind), unit.id
    return None


def upper_place(org: OrgGraph, place: str) -> str | None:
    """The unit whose council is one level above the one serving ``place`` (None at the
    street: there is no higher council)."""
    found = level_of(org, place)
    if found is None:
        return None
    index, unit = found
    for above in org.chain(unit)[1:]:
        if above.kind in LEVELS[index + 1 :]:
            return above.id
    return None


def _upper_level(context: MoveContext) -> bool:
    """The move names, as its ``location``, the unit of the council one level up (a street's
    matter cannot move up: there is no higher council)."""
    org, place = context.org, context.issue.location
    if org is None or place is None:
        return False
    upper = upper_place(org, place)
    return upper is not None and context.payload.get("location") == upper


def _text(context: MoveContext, key: str) -> bool:
    value = context.payload.get(key)
    return isinstance(value, str) and bool(value.strip())


def resident_of_place(context: MoveContext) -> bool:
    """The actor lives in the level unit the matter lies in (its residential area, community or
    street)."""
    org, issue, actor = context.org, context.issue, context.actor
    if org is None or issue.location is None:
        return False
    found = level_of(org, issue.location)
    return found is not None and lives_in(org, actor, found[1])


def move_up(engine: Engine, issue_id: str, *, actor: Actor | str, reason: str) -> Event:
    """The council here cannot settle the matter: move it up to the council one level up
    (小区 → 社区 → 街道), where it is collected again; :func:`govflow.joint.location_path`
    reads the levels it passed from its log."""
    org = engine.org
    issue = engine.get(issue_id)
    if org is None or issue.location is None:
        raise InvalidRequestError("moving a matter up needs the org graph and its place")
    payload = {"reason": reason, "location": upper_place(org, issue.location)}
    return engine.fire(issue_id, "move_up", actor=actor, payload=payload)


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW, WHISTLE, PUSH_DOWN]


@hookimpl
def govflow_simulation_methods() -> Iterable[Any]:
    """The councils' and the whistle's part in ``govflow simulate`` (see :mod:`.simulation`)."""
    from govflow_one_council_five_steps.simulation import METHODS  # noqa: PLC0415  (a cycle)

    return METHODS


@hookimpl
def govflow_parties(issue: Issue, state: State, transition: Transition) -> list[str] | None:
    return parties_again(issue, state, transition)


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        **DELIBERATION.guards(),
        **WHISTLE_GUARDS,
        "one-council-five-steps:upper-level": _upper_level,
        "one-council-five-steps:resident-of-place": resident_of_place,
        "one-council-five-steps:reason": lambda context: _text(context, "reason"),
        "one-council-five-steps:result": lambda context: _text(context, "result"),
        "push-down:result": lambda context: _text(context, "result"),
        "push-down:reason": lambda context: _text(context, "reason"),
        "one-council-five-steps:satisfaction": lambda context: (
            context.payload.get("satisfaction") in SATISFACTION
        ),
    }


__all__ = [
    "DELIBERATION",
    "GRID_TYPES",
    "LEVELS",
    "PUSH_DOWN",
    "RULE",
    "SATISFACTION",
    "SECRETARY",
    "WHISTLE",
    "WORKFLOW",
    "Assessment",
    "DutyLists",
    "add_grid",
    "assess",
    "govflow_guards",
    "govflow_parties",
    "govflow_simulation_methods",
    "govflow_workflows",
    "grid_gaps",
    "level_of",
    "move_up",
    "resident_of_place",
    "still_owing",
    "upper_place",
]
