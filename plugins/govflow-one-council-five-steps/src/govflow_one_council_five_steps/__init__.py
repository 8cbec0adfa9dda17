"""三级联动·一会五步: Jianhua's council method, 吹哨报到 and 事项准入 (建华区, Qiqihar, seed 004).

Seed 004: "在全区推广以党组织为核心,以三级议事会为载体,以'多方共议'为路径,以'汇、定、议、示、评'为
流程的'三级联动·一会五步'议事协商工作法,全覆盖建立街道、社区、小区三级议事会,与'吹哨报到'、司法调解
互为补充". The workflow ``one-council-five-steps``, at whichever level the matter lies:

1. 汇 -- matters are collected at the residential area, the community or the street;
2. 定 -- the party unit there sets it on its council's agenda (or declines it with a reason), or,
   when this level cannot settle it, moves it up to the council one level up (:func:`move_up`:
   the matter waits while the upper council works it, and resumes with its outcome);
3. 议 -- the council serving the place deliberates (a gate over the council's members, resolved
   from the org graph where the matter lies);
4. 示 -- the decision and what was done are made public; an objection in the publicity period
   sends the matter back to the council;
5. 评 -- residents of the place evaluate it.

Beside it: :mod:`.whistle` (吹哨报到), :mod:`.access` (事项准入: the community's access list),
:mod:`.assessment` (the community assessment and its ranking) and :mod:`.grids` (三类网格 with
网格赋码).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Mapping

from govflow import (
    MAJORITY_OF_ATTENDEES,
    Actor,
    Engine,
    Gate,
    GateSequence,
    Guard,
    Issue,
    LedgerSpec,
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
from govflow_one_council_five_steps.access import (
    ACCESS_LISTS,
    access_list,
    delist_item,
    list_item,
    push_down,
)
from govflow_one_council_five_steps.assessment import Assessment, assess
from govflow_one_council_five_steps.grids import GRID_TYPES, add_grid, grid_gaps
from govflow_one_council_five_steps.whistle import GUARDS as WHISTLE_GUARDS
from govflow_one_council_five_steps.whistle import WHISTLE, overdue_parties

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
        State(
            "referred_up",
            "上移 moved up to the council one level up",
            StateKind.PROCESSING,
            timeout_exempt=True,
        ),
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
            "referred_up",
            roles={SECRETARY},
            guards=("one-council-five-steps:upper-level", "one-council-five-steps:reason"),
            label="本级议不了, 提交上一级议事会",
        ),
        Transition(
            "settled_above",
            "referred_up",
            "publicized",
            roles={SECRETARY},
            guards="one-council-five-steps:upper-outcome",
            label="上级议定, 本级公示",
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
    """There is a council one level up (a street's matter cannot move up)."""
    org, place = context.org, context.issue.location
    return org is not None and place is not None and upper_place(org, place) is not None


def _text(context: MoveContext, key: str) -> bool:
    value = context.payload.get(key)
    return isinstance(value, str) and bool(value.strip())


def _upper_outcome(context: MoveContext) -> bool:
    """The payload names the upper issue and its outcome (checked by :func:`conclude_above`)."""
    return _text(context, "upper_issue") and context.payload.get("outcome") in OUTCOMES


#: How an upper council's work on a moved-up matter can end, for the lower one to resume.
OUTCOMES = ("decided",)


def resident_of_place(context: MoveContext) -> bool:
    """The actor lives in the level unit the matter lies in (its residential area, community or
    street)."""
    org, issue, actor = context.org, context.issue, context.actor
    if org is None or issue.location is None:
        return False
    found = level_of(org, issue.location)
    return found is not None and lives_in(org, actor, found[1])


def move_up(engine: Engine, issue_id: str, *, actor: Actor | str, reason: str) -> Issue:
    """The council here cannot settle the matter: move it up. The matter waits in
    ``referred_up``; a new matter opens at the council one level up (its data names where it
    came from), collected there like any other. Returns the upper matter."""
    org = engine.org
    issue = engine.get(issue_id)
    if org is None or issue.location is None:
        raise InvalidRequestError("moving a matter up needs the org graph and its place")
    upper = upper_place(org, issue.location)
    who = actor if isinstance(actor, Actor) else Actor(str(actor))
    engine.fire(issue_id, "move_up", actor=who, payload={"reason": reason, "to": upper})
    assert upper is not None  # the move's guard checked there is a level up
    return engine.open(
        WORKFLOW.name,
        reporter=who,
        location=upper,
        category=issue.category,
        data={"moved_up_from": issue_id, "reason": reason},
    )


def conclude_above(engine: Engine, issue_id: str, upper_id: str, *, actor: Actor | str) -> None:
    """Resume the moved-up matter ``issue_id`` once the upper council has decided (the upper
    matter ``upper_id`` came from it and has passed its deliberation): make it public here."""
    upper = engine.get(upper_id)
    if upper.data.get("moved_up_from") != issue_id:
        raise InvalidRequestError(f"matter {upper_id!r} was not moved up from {issue_id!r}")
    decided = any(e.destination == "carrying_out" for e in engine.history(upper_id))
    if not decided:
        raise InvalidRequestError(f"the council above has not decided matter {upper_id!r}")
    who = actor if isinstance(actor, Actor) else Actor(str(actor))
    engine.fire(
        issue_id,
        "settled_above",
        actor=who,
        payload={"upper_issue": upper_id, "outcome": "decided"},
    )


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [WORKFLOW, WHISTLE]


@hookimpl
def govflow_ledgers() -> list[LedgerSpec]:
    return [ACCESS_LISTS]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {
        **DELIBERATION.guards(),
        **WHISTLE_GUARDS,
        "one-council-five-steps:upper-level": _upper_level,
        "one-council-five-steps:upper-outcome": _upper_outcome,
        "one-council-five-steps:resident-of-place": resident_of_place,
        "one-council-five-steps:reason": lambda context: _text(context, "reason"),
        "one-council-five-steps:result": lambda context: _text(context, "result"),
        "one-council-five-steps:satisfaction": lambda context: (
            context.payload.get("satisfaction") in SATISFACTION
        ),
    }


__all__ = [
    "ACCESS_LISTS",
    "DELIBERATION",
    "GRID_TYPES",
    "LEVELS",
    "OUTCOMES",
    "SATISFACTION",
    "SECRETARY",
    "WHISTLE",
    "WORKFLOW",
    "Assessment",
    "access_list",
    "add_grid",
    "assess",
    "conclude_above",
    "delist_item",
    "govflow_guards",
    "govflow_ledgers",
    "govflow_workflows",
    "grid_gaps",
    "level_of",
    "list_item",
    "move_up",
    "overdue_parties",
    "push_down",
    "resident_of_place",
    "upper_place",
]
