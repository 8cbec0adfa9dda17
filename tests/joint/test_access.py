"""事项准入: only the items on a community's access list may be pushed down to it, whoever
picks the assignee; a refusal names the rule that refused."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from govflow import (
    Actor,
    Engine,
    Issue,
    ManualClock,
    OrgGraph,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)
from govflow.access import AccessList
from govflow.errors import AccessRefusedError, GuardFailedError, PluginError
from govflow.testing import Scenario
from govflow.workflow.joins import Join

RULE = "建华区社区工作事项准入清单(2024)"

DISPATCH = Workflow(
    "dispatch",
    initial="street",
    states=[
        State("street", "街道受理", StateKind.OPEN, time_limit="1d"),
        State("handling", "社区处理", time_limit="3d"),
        State("joint", "多部门联办", time_limit="5d", join=Join("all", party_limit="3d")),
        State("lower", "下沉处置", time_limit="3d"),
        State("done", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition("push_down", "street", "handling", assigns=True, assign_role="grid_worker"),
        Transition("summon", "street", "joint"),
        Transition("relocate_down", "street", "lower", relocate="down"),
        Transition("escalate_up", "handling", "lower", relocate="up"),
        Transition("finish", ("handling", "lower"), "done"),
        Transition("report", "joint", "done", reports=True),
    ],
)


class AccessRules:
    govflow_name = "jianhua-access"

    @hookimpl
    def govflow_access_lists(self) -> list[AccessList]:
        return [AccessList("community", {"环境卫生", "停车难"}, rule=RULE)]


class DownRouter:
    """A local router: the street hands a matter to the grid worker of the community the
    resident lives in (the payload names nobody)."""

    govflow_name = "down-router"

    @hookimpl
    def govflow_resolve_assignees(
        self, issue: Issue, transition: Transition, payload: Mapping[str, Any]
    ) -> list[str] | None:
        if transition.trigger != "push_down" or "assignees" in payload:
            return None
        return ["grid-zhou"] if issue.data.get("community") == "community" else None


def _org() -> OrgGraph:
    org = OrgGraph()
    org.add_unit("district", "district", "建华区")
    org.add_unit("street", "street", "建设街道", parent="district")
    org.add_unit("community", "community", "欣豪社区", parent="street")
    org.add_unit("grid-1", "grid", "一网格", parent="community")
    org.add_person("grid-zhou", "周网格员")
    org.assign("grid-zhou", "community", "grid_worker")
    org.add_person("street-wu", "吴干事")
    org.assign("street-wu", "street", "officer")
    return org


@pytest.fixture
def jianhua(clock: ManualClock) -> Engine:
    return Engine(
        org=_org(),
        clock=clock,
        autoload=False,
        workflows=[DISPATCH],
        plugins=[AccessRules(), DownRouter()],
    )


def _at_street(engine: Engine, category: str) -> Scenario:
    scenario = Scenario(engine, "dispatch", actors={"op": Actor("op")}).as_("op")
    return scenario.open(location="street", category=category, data={"community": "community"})


def test_an_item_off_the_list_is_refused_with_its_rule(jianhua: Engine) -> None:
    scenario = _at_street(jianhua, "征地拆迁")
    # nobody named the assignee: the router picked the community's grid worker, and the
    # check sees that pick
    scenario.assert_refused("push_down", error=AccessRefusedError, match=RULE)
    refusal = scenario.last_error
    assert isinstance(refusal, AccessRefusedError)
    assert (refusal.rule, refusal.unit, refusal.item) == (RULE, "community", "征地拆迁")
    assert isinstance(refusal, GuardFailedError)
    # naming the assignee in the payload changes nothing
    scenario.assert_refused("push_down", error=AccessRefusedError, assignees=["grid-zhou"])
    scenario.assert_refused("push_down", error=AccessRefusedError, assignees=["community"])


def test_an_item_on_the_list_goes_down(jianhua: Engine) -> None:
    scenario = _at_street(jianhua, "停车难").fire("push_down").assert_state("handling")
    assert scenario.issue.assignees == ("grid-zhou",)


def test_a_unit_without_a_list_and_the_issues_own_level_are_not_checked(jianhua: Engine) -> None:
    _at_street(jianhua, "征地拆迁").fire("push_down", assignees=["street-wu"])
    scenario = Scenario(jianhua, "dispatch", actors={"op": Actor("op")}).as_("op")
    scenario.open(location="community", category="征地拆迁")
    scenario.fire("push_down", assignees=["grid-zhou"]).assert_state("handling")


def test_parties_relocations_and_children_are_pushes_too(jianhua: Engine) -> None:
    scenario = _at_street(jianhua, "征地拆迁")
    scenario.assert_refused("summon", error=AccessRefusedError, parties=["community"])
    scenario.assert_refused(
        "relocate_down", error=AccessRefusedError, location="community", match=RULE
    )
    scenario.assert_refused("relocate_down", error=AccessRefusedError, location="grid-1")
    scenario.fire("summon", parties=["street"]).assert_state("joint")


def test_going_up_is_never_refused_by_the_upper_units_list(clock: ManualClock) -> None:
    class StreetList:
        govflow_name = "street-list"

        @hookimpl
        def govflow_access_lists(self) -> list[AccessList]:
            return [AccessList("street", {"停车难"}, rule="街道清单")]

    engine = Engine(
        org=_org(), clock=clock, autoload=False, workflows=[DISPATCH], plugins=[StreetList()]
    )
    scenario = Scenario(engine, "dispatch", actors={"op": Actor("op")}).as_("op")
    scenario.open(location="community", category="征地拆迁")
    scenario.fire("push_down", assignees=["grid-zhou"]).fire("escalate_up")
    scenario.assert_location("street")


def test_a_unit_has_one_list(clock: ManualClock) -> None:
    class Twice:
        govflow_name = "twice"

        @hookimpl
        def govflow_access_lists(self) -> list[object]:
            return [AccessList("community", {"a"}), AccessList("community", {"b"})]

    with pytest.raises(PluginError, match="twice"):
        Engine(clock=clock, autoload=False, plugins=[Twice()])

    class NotAList:
        govflow_name = "not-a-list"

        @hookimpl
        def govflow_access_lists(self) -> list[object]:
            return [{"unit": "community"}]

    with pytest.raises(PluginError, match="not-a-list"):
        Engine(clock=clock, autoload=False, plugins=[NotAList()])
