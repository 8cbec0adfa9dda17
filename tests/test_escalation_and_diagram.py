"""govflow.escalate (the escalation-target hook put to use) and govflow.workflow_to_mermaid."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pytest

from govflow import (
    CLOSED_LOOP,
    Actor,
    Engine,
    Issue,
    ManualClock,
    State,
    StateKind,
    Transition,
    Workflow,
    escalate,
    hookimpl,
    workflow_to_mermaid,
)
from govflow.errors import InvalidRequestError, PluginError
from govflow.escalation import escalation_targets
from govflow.plugins import PluginHost

WHISTLE = Workflow(
    "whistle",
    states=[
        State("street", "街道处置", StateKind.PROCESSING),
        State("summoned", "部门报到", StateKind.PROCESSING),
        State("done", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition("blow_whistle", "street", "summoned", label="吹哨"),
        Transition("finish", ("street", "summoned"), "done"),
    ],
    initial="street",
)


class Summons:
    def __init__(self, name: str, *units: str) -> None:
        self.govflow_name = name
        self.__version__ = "1.0"
        self.units = units

    @hookimpl
    def govflow_escalation_targets(self, issue: Issue) -> Iterable[str]:
        return list(self.units)


def _engine(*plugins: object) -> Engine:
    return Engine(
        plugins=plugins,
        autoload=False,
        workflows=[WHISTLE],
        clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)),
    )


def test_escalation_summons_every_plugins_targets_and_records_who_named_them() -> None:
    engine = _engine(
        Summons("housing", "dept-housing"), Summons("police", "dept-police", "dept-housing")
    )
    issue = engine.open("whistle", reporter="r")
    event = escalate(engine, issue.id, "blow_whistle", actor=Actor("street-office"))
    # later-registered plugins answer first, as everywhere in govflow
    assert event.payload["escalated_to"] == ["dept-police", "dept-housing"]
    assert event.payload["escalation_decided_by"] == {
        "dept-police": "police 1.0",
        "dept-housing": "police 1.0",
    }
    assert engine.verify(issue.id) == 2


def test_a_plugin_naming_a_non_unit_is_refused_by_name() -> None:
    engine = _engine(Summons("sloppy", ""))
    issue = engine.open("whistle", reporter="r")
    with pytest.raises(InvalidRequestError, match="'sloppy'"):
        escalation_targets(engine, issue.id, actor=Actor("x"))
    assert len(engine.history(issue.id)) == 1


def test_a_schema_contribution_that_is_not_a_schema_names_the_plugin() -> None:
    class NotSchema:
        govflow_name = "not-schema"

        @hookimpl
        def govflow_org_schemas(self) -> list[object]:
            return ["levels"]

    with pytest.raises(PluginError, match="'not-schema'"):
        PluginHost([NotSchema()], autoload=False).org_schema(object())


def test_mermaid_draws_every_state_and_move() -> None:
    diagram = workflow_to_mermaid(CLOSED_LOOP)
    lines = diagram.splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> collected" in lines
    assert '    state "任务处理 handling" as handling' in lines
    assert "    handling --> supervised: ⏱ 超时督办" in lines
    # a move with two sources is drawn from each
    assert "    handling --> fed_back: 处理完毕并反馈" in lines
    assert "    supervised --> fed_back: 处理完毕并反馈" in lines
    assert "    closed --> [*]" in lines
    arrows = [line for line in lines if "-->" in line and "[*]" not in line]
    assert len(arrows) == sum(len(t.sources) for t in CLOSED_LOOP.transitions)


def test_mermaid_ids_are_safe_and_labels_escaped() -> None:
    wf = Workflow(
        "w",
        states=[State("in-take", 'say "hi": now', StateKind.OPEN), State("end", kind="closed")],
        transitions=[Transition("go", "in-take", "end", label="a: b")],
        initial="in-take",
    )
    diagram = workflow_to_mermaid(wf)
    assert "state \"say 'hi'： now\" as in_take" in diagram
    assert "in_take --> end: a： b" in diagram


class Silent:
    """A local method with no rule for this issue: it answers ``[]``, as the hookspec asks."""

    govflow_name = "silent"

    @hookimpl
    def govflow_escalation_targets(self, issue: Issue) -> Iterable[str]:
        return []


def test_a_plugin_answering_nothing_leaves_the_one_level_up_fallback_in_place() -> None:
    from govflow.org import OrgGraph  # noqa: PLC0415

    org = OrgGraph()
    org.add_unit("street", "street", "街道")
    org.add_unit("community", "community", "社区", parent="street")
    engine = Engine(
        org=org,
        plugins=[Silent()],
        autoload=False,
        workflows=[WHISTLE],
        clock=ManualClock(datetime(2026, 1, 1, tzinfo=UTC)),
    )
    issue = engine.open("whistle", reporter="r", location="community")
    targets = escalation_targets(engine, issue.id, actor=Actor("x"))
    assert list(targets) == ["street"]
    assert targets["street"].startswith("govflow.routing")
    event = escalate(engine, issue.id, "blow_whistle", actor=Actor("community-office"))
    assert event.payload["escalated_to"] == ["street"]
