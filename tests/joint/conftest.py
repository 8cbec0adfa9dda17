"""The methods the joint-work tests drive, and an org graph of one street.

吹哨报到 (Beijing's "the street blows the whistle, the departments report"): the street summons
the departments a matter needs; each must report within its own limit; the street reviews the
reports and either feeds back to the resident or, not satisfied (督办), whistles again -- a new
round that the first round's reports do not satisfy. The resident's 满意 / 不满意 is one trigger;
不满意 sends the matter back for rework at most once.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow import Actor, Engine, ManualClock, OrgGraph, State, StateKind, Transition, Workflow
from govflow.workflow.joins import Branch, Join

START = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # a Monday

STREET = Actor("street-office", roles={"street"}, home_unit="street", name="街道办")
RESIDENT = Actor("resident-wang", name="王阿姨")
POLICE = Actor("police-zhang", home_unit="dept-police", name="派出所民警")
HOUSING = Actor("housing-li", home_unit="dept-housing", name="住建科员")
URBAN = Actor("urban-chen", home_unit="dept-urban", name="城管队员")
DEPARTMENTS = ("dept-police", "dept-housing", "dept-urban")

WHISTLE = Workflow(
    "whistle",
    label="吹哨报到",
    initial="street",
    states=[
        State("street", "街道吹哨", StateKind.PROCESSING, time_limit="1d"),
        State(
            "summoned",
            "部门报到",
            StateKind.PROCESSING,
            time_limit="5d",
            join=Join("all", party_limit="2d"),
        ),
        State("reviewing", "街道审核", StateKind.PROCESSING, time_limit="1d"),
        State("fed_back", "反馈群众", StateKind.FEEDBACK, time_limit="3d"),
        State("closed", "办结", StateKind.CLOSED),
        State("unresolved", "未解决, 挂账督办", StateKind.CANCELLED),
    ],
    transitions=[
        Transition("whistle", "street", "summoned", roles={"street"}, label="吹哨"),
        Transition("report", "summoned", "reviewing", reports=True, label="报到处置"),
        Transition("overdue", "summoned", "reviewing", on_timeout=True, label="报到超时, 街道审核"),
        Transition("supervise", "reviewing", "summoned", roles={"street"}, label="督办, 再次吹哨"),
        Transition("accept", "reviewing", "fed_back", roles={"street"}, label="审核通过, 反馈"),
        Transition(
            "evaluate",
            "fed_back",
            "closed",
            requires={"reporter"},
            evaluation=True,
            branches=[
                Branch("reviewing", when={"verdict": "不满意"}, max_times=1, label="不满意, 返工"),
                Branch("unresolved", when={"verdict": "不满意"}, label="再不满意, 挂账"),
            ],
            label="群众评价",
        ),
        Transition("close_unrated", "fed_back", "closed", on_timeout=True, label="逾期未评"),
    ],
)


def street_org() -> OrgGraph:
    """A district with one street and three departments under the district."""
    org = OrgGraph()
    org.add_unit("district", "district", "建华区")
    org.add_unit("street", "street", "文化街道", parent="district")
    org.add_unit("community", "community", "文宾社区", parent="street")
    org.add_unit("dept-police", "department", "派出所", parent="district")
    org.add_unit("dept-housing", "department", "住建局", parent="district")
    org.add_unit("dept-urban", "department", "城管局", parent="district")
    # with an org graph, who may act comes from the posts people hold (govflow.authority)
    org.add_person("street-office", "街道办")
    org.assign("street-office", "street", "street")
    for person, unit in [
        ("police-zhang", "dept-police"),
        ("housing-li", "dept-housing"),
        ("urban-chen", "dept-urban"),
    ]:
        org.add_person(person, person)
        org.assign(person, unit, "officer")
    return org


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def whistle(clock: ManualClock) -> Engine:
    return Engine(org=street_org(), clock=clock, autoload=False, workflows=[WHISTLE])
