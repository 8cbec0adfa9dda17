"""一组一会's loop, step by step: 收集 → 交办 → 处理 → 反馈, the council feeding back.

Through the installed plugin (entry point ``one-group-one-council``) and govflow's public API,
without an org graph: handlers are named in the issue's data, as a village without a loaded
graph would do. ``test_org.py`` runs the same loop over the real 蚌山区.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from govflow_one_group_one_council import (
    CATEGORIES,
    ROUTES,
    WORKFLOW,
    classify,
    monthly_review,
    weekly_review,
)

from govflow import Actor, Engine, ManualClock, escalate, workflow_to_mermaid
from govflow.errors import GuardFailedError, InvalidRequestError, PermissionDeniedError
from govflow.links import verify_links
from govflow.metrics import accountability

START = datetime(2026, 6, 1, 8, tzinfo=UTC)  # a Monday

RESIDENT = Actor("villager-zhou")
# Without an org graph, an Actor's claimed posts count (see test_org.py for the graph's form).
GROUP = Actor("hamlet-3-group", roles={"secretary"})
COUNCIL = Actor("hamlet-3-council", roles={"head"})
VILLAGE_PARTY = Actor("village-party", roles={"secretary"})
# the village's 四议两公开 bodies, for the matter referred to it (plugin four-deliberations)
BRANCH_SECRETARY = Actor("secretary-wang", roles={"secretary"})
BRANCH_COMMITTEE = ["secretary-wang", "deputy-li", "member-zhao"]
REFERRED_MATTER = {
    "subject": "修建连通三个自然村的道路",
    "bodies": {
        "branch_committee": {"members": BRANCH_COMMITTEE, "chair": "secretary-wang"},
        "two_committees": {"members": [*BRANCH_COMMITTEE, "director-sun"], "chair": "director-sun"},
        "party_assembly": [*BRANCH_COMMITTEE, "party-member-1", "party-member-2"],
        "representatives": [f"representative-{i}" for i in range(1, 8)],
    },
}
HANDLERS = {
    "council": "hamlet-3-council",
    "village": "liulou-village",
    "paired_unit": "district-housing-bureau",
    "law_enforcement": "town-police-station",
    "social_organization": "sunshine-elderly-care",
}


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(govflow_engine: Callable[..., Engine], clock: ManualClock) -> Engine:
    # govflow.testing's engine (its moves count towards --govflow-coverage), with installed
    # plugins autoloaded: the plugin is found through its entry point.
    return govflow_engine(autoload=True, clock=clock)


def _collect(engine: Engine, description: str, **data: object) -> str:
    """收集: a patrol team member records what a villager raised (每日巡、及时记、实时报)."""
    issue = engine.open(
        "one-group-one-council",
        reporter=RESIDENT,
        data={"description": description, "handlers": HANDLERS, "collected_by": "patrol-7", **data},
    )
    return issue.id


def test_the_plugin_is_found_through_its_entry_point(engine: Engine) -> None:
    assert engine.plugins.has("one-group-one-council")
    assert engine.workflow("one-group-one-council") == WORKFLOW


@pytest.mark.parametrize(
    ("description", "category"),
    [
        ("两户邻里因宅基地边界发生纠纷", "dispute_mediation"),
        ("村民反映集体访苗头, 需要信访维稳", "petitions_stability"),
        ("独居老人冬季取暖无人照看", "elderly_child_care"),
        ("村口电线老化有火灾隐患", "safety"),
        ("需要志愿者帮忙清扫村道", "volunteer_service"),
    ],
)
def test_collected_problems_fall_into_the_five_categories(
    engine: Engine, description: str, category: str
) -> None:
    issue_id = _collect(engine, description)
    issue = engine.get(issue_id)
    assert issue.category == category
    assert CATEGORIES[category]
    [opened] = engine.history(issue_id)
    assert opened.decisions["category"] == "one-group-one-council 0.1.0"


def test_an_unrecognized_description_is_left_for_the_group_to_classify(engine: Engine) -> None:
    assert classify("路灯不亮了") is None
    issue_id = _collect(engine, "路灯不亮了")
    with pytest.raises(GuardFailedError):  # the group must classify before assigning
        engine.fire(issue_id, "assign", actor=GROUP)


@pytest.mark.parametrize(("category", "kind"), sorted(ROUTES.items()))
def test_each_category_is_assigned_to_its_handler(engine: Engine, category: str, kind: str) -> None:
    """交办: 按照问题类别、责任分工分别提交理事会、村(社区)、共建单位、执法部门、社会组织办理."""
    issue = engine.open(
        "one-group-one-council", reporter=RESIDENT, category=category, data={"handlers": HANDLERS}
    )
    event = engine.fire(issue.id, "assign", actor=GROUP)
    assert engine.get(issue.id).assignees == (HANDLERS[kind],)
    assert event.decisions["assignees"] == "one-group-one-council 0.1.0"


def test_collect_assign_handle_feed_back_evaluate(engine: Engine) -> None:
    """收集-交办-处理-反馈, the result fed back by the council, then judged by the villager."""
    issue_id = _collect(engine, "两户邻里因排水沟发生纠纷")
    engine.fire(issue_id, "assign", actor=GROUP)  # 交办: a dispute goes to the council
    mediator = Actor(HANDLERS["council"])
    engine.fire(issue_id, "report_handled", actor=mediator, payload={"result": "调解成功"})  # 处理
    engine.fire(issue_id, "feed_back", actor=COUNCIL, payload={"result": "已调解"})  # 反馈
    event = engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    assert event.destination == "closed"
    history = engine.history(issue_id)
    assert [e.trigger for e in history] == [
        "open",
        "assign",
        "report_handled",
        "feed_back",
        "evaluate",
    ]
    assert all(e.plugin is not None and e.plugin.name == "one-group-one-council" for e in history)


def test_only_the_council_feeds_back(engine: Engine) -> None:
    issue_id = _collect(engine, "村口电线老化有火灾隐患")
    engine.fire(issue_id, "assign", actor=GROUP)
    police = Actor(HANDLERS["law_enforcement"])
    engine.fire(issue_id, "report_handled", actor=police)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "feed_back", actor=police)


def test_only_the_assigned_handler_reports_it_handled(engine: Engine) -> None:
    issue_id = _collect(engine, "村口电线老化有火灾隐患")
    engine.fire(issue_id, "assign", actor=GROUP)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "report_handled", actor=Actor(HANDLERS["social_organization"]))


def test_a_major_matter_goes_up_to_the_village_party_organization(engine: Engine) -> None:
    """ "三重一大"事项报村(社区)党组织, 按照"四议两公开"制度集中解决; the council feeds back."""
    issue_id = _collect(
        engine, "修建连通三个自然村的道路需要使用大额资金", village_party="liulou-party"
    )
    event = escalate(
        engine,
        issue_id,
        "refer_up",
        actor=GROUP,
        payload={"major": "large_funds", "child_data": REFERRED_MATTER},
    )
    assert event.destination == "referred"
    assert event.payload["escalated_to"] == ["liulou-party"]
    assert event.payload["escalation_decided_by"] == {"liulou-party": "one-group-one-council 0.1.0"}
    # the referral opened a 四议两公开 matter linked to this one, in both logs
    (child,) = engine.children(issue_id)
    assert (child.name, child.workflow) == ("referral", "four-deliberations")
    assert verify_links(engine, issue_id) == verify_links(engine, child.issue) == 1
    # the village party organization cannot conclude on a matter that has not concluded, nor
    # on one that does not exist
    with pytest.raises(GuardFailedError, match="not concluded"):
        engine.fire(issue_id, "upstream_concluded", actor=VILLAGE_PARTY)
    with pytest.raises(InvalidRequestError, match="four-deliberations-17"):
        engine.fire(
            issue_id,
            "upstream_concluded",
            actor=VILLAGE_PARTY,
            payload={"child": "four-deliberations-17"},
        )
    # 四议两公开 runs its course: here the branch committee turns the proposal down
    engine.fire(child.issue, "put_on_agenda", actor=BRANCH_SECRETARY)
    engine.fire(
        child.issue,
        "fail_branch_proposal",
        actor=BRANCH_SECRETARY,
        payload={
            "gate": "branch_proposal",
            "outcome": "failed",
            "attendees": sorted(BRANCH_COMMITTEE),
            "for": ["secretary-wang"],
            "against": ["deputy-li", "member-zhao"],
            "abstain": [],
        },
    )
    engine.fire(issue_id, "upstream_concluded", actor=VILLAGE_PARTY)
    outcome = engine.children(issue_id)[0].outcome
    assert outcome is not None
    assert (outcome["state"], outcome["kind"]) == ("rejected", "cancelled")
    # the council feeds back what 四议两公开 came to, as the village's log has it
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "feed_back", actor=COUNCIL, payload={"result": "道路已修好"})
    with pytest.raises(GuardFailedError):
        engine.fire(
            issue_id,
            "feed_back",
            actor=COUNCIL,
            payload={"result": "道路将修建", "referral_outcome": "closed"},
        )
    engine.fire(
        issue_id,
        "feed_back",
        actor=COUNCIL,
        payload={"result": "村党支部会议未通过修路提议", "referral_outcome": "rejected"},
    )
    assert engine.get(issue_id).state == "evaluating"


def test_a_matter_spanning_several_villages_goes_up(engine: Engine) -> None:
    issue_id = _collect(engine, "两个自然村共用水塘清淤", village_party="liulou-party")
    event = escalate(
        engine, issue_id, "refer_up", actor=GROUP, payload={"areas": ["hamlet-3", "hamlet-4"]}
    )
    assert event.destination == "referred"


def test_an_ordinary_matter_does_not_go_up(engine: Engine) -> None:
    issue_id = _collect(engine, "需要志愿者帮忙清扫村道", village_party="liulou-party")
    with pytest.raises(GuardFailedError):
        escalate(engine, issue_id, "refer_up", actor=GROUP, payload={"areas": ["hamlet-3"]})


def test_escalating_needs_somewhere_to_go(engine: Engine) -> None:
    issue_id = _collect(engine, "修路使用大额资金")
    with pytest.raises(InvalidRequestError, match="no plugin names a unit"):
        escalate(engine, issue_id, "refer_up", actor=GROUP, payload={"major": "large_funds"})
    with pytest.raises(InvalidRequestError, match="decided by plugins"):
        escalate(engine, issue_id, "refer_up", actor=GROUP, payload={"escalated_to": ["x"]})


def test_weekly_and_monthly_reviews(engine: Engine, clock: ManualClock) -> None:
    """一周一碰头、一月一盘点."""
    first = _collect(engine, "两户邻里因排水沟发生纠纷")
    _collect(engine, "独居老人冬季取暖无人照看")
    engine.fire(first, "assign", actor=GROUP)
    clock.advance(days=8)
    _collect(engine, "村口电线老化有火灾隐患")
    week = weekly_review(engine, START)
    assert week.collected == 2
    assert week.by_category == {"dispute_mediation": 1, "elderly_child_care": 1}
    assert week.assigned == 1
    assert weekly_review(engine, START + timedelta(days=7)).collected == 1
    month = monthly_review(engine, 2026, 6)
    assert month.collected == 3
    assert month.open_now == 3
    assert monthly_review(engine, 2026, 7).collected == 0


def test_the_readme_shows_the_workflow_as_the_code_draws_it() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{workflow_to_mermaid(WORKFLOW)}```" in readme
    assert "一组一会" in readme


def test_the_review_by_category_is_an_accountability_metric(engine: Engine) -> None:
    _collect(engine, "两户邻里因排水沟发生纠纷")
    _collect(engine, "村口电线老化有火灾隐患")
    _collect(engine, "邻里吵架")
    report = accountability(engine)
    assert report.plugin_metrics["one-group-one-council.by_category"] == {
        "dispute_mediation": 2,
        "safety": 1,
    }


def test_the_group_may_turn_a_matter_away_only_with_a_reason(engine: Engine) -> None:
    """不予受理: the group (组) can drop what is not the council's business, saying why."""
    issue_id = _collect(engine, "要求村里出钱修私家车")
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "drop", actor=GROUP)
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "drop", actor=RESIDENT, payload={"reason": "属个人事务"})
    event = engine.fire(
        issue_id, "drop", actor=GROUP, payload={"reason": "属个人事务, 不属议事范围"}
    )
    assert event.destination == "dropped"
    assert engine.get(issue_id).version == 1


def test_a_villager_who_never_rates_leaves_the_matter_closed_by_the_clock(
    engine: Engine, clock: ManualClock
) -> None:
    issue_id = _collect(engine, "两户邻里因排水沟发生纠纷")
    engine.fire(issue_id, "assign", actor=GROUP)
    engine.fire(issue_id, "report_handled", actor=Actor(HANDLERS["council"]))
    engine.fire(issue_id, "feed_back", actor=COUNCIL, payload={"result": "已调解"})
    due = engine.get(issue_id).due_at
    assert due is not None
    assert engine.tick(due - timedelta(minutes=1)) == []
    clock.set(due)
    (event,) = engine.tick()
    assert (event.trigger, event.actor) == ("close_unrated", "system:clock")
    assert engine.get(issue_id).state == "closed"


# --- 随手做, reclassifying instead of dropping, every refusal -----------------------------

PATROL = Actor("patrol-7", roles={"patrol"})


def test_what_the_patrol_fixes_on_the_spot_is_reported_and_fed_back(engine: Engine) -> None:
    """每日巡、经常访、及时记、随手做、实时报: the patrol mends a small thing at once and reports
    it; the council still feeds the result back, and the villager judges it."""
    issue_id = _collect(engine, "村道路灯不亮, 需要志愿者帮忙更换灯泡")
    with pytest.raises(GuardFailedError):  # 实时报: the report says what was done
        engine.fire(issue_id, "fix_on_spot", actor=PATROL, payload={"result": ""})
    with pytest.raises(PermissionDeniedError):  # the patrol's, not the villager's
        engine.fire(issue_id, "fix_on_spot", actor=RESIDENT, payload={"result": "换好了"})
    event = engine.fire(issue_id, "fix_on_spot", actor=PATROL, payload={"result": "已更换灯泡"})
    assert event.destination == "awaiting_feedback"
    with pytest.raises(GuardFailedError):  # the council says what was done, too
        engine.fire(issue_id, "feed_back", actor=COUNCIL)
    engine.fire(issue_id, "feed_back", actor=COUNCIL, payload={"result": "巡访队员已更换灯泡"})
    with pytest.raises(PermissionDeniedError):  # the villager who raised it judges it
        engine.fire(issue_id, "evaluate", actor=PATROL, payload={"satisfaction": "satisfied"})
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "great"})
    engine.fire(issue_id, "evaluate", actor=RESIDENT, payload={"satisfaction": "satisfied"})
    assert weekly_review(engine, START).fixed_on_spot == 1


def test_a_wrongly_categorized_matter_is_reclassified_not_dropped(engine: Engine) -> None:
    """The classifier read 邻里 and filed a safety hazard as a dispute: the group corrects the
    category and the matter is routed by the right one."""
    issue_id = _collect(engine, "邻里反映楼道电线老化有火灾隐患")
    assert engine.get(issue_id).category == "dispute_mediation"
    for payload in (
        {"category": "safety"},  # no reason
        {"category": "dispute_mediation", "reason": "类别无误"},  # not a change
        {"category": "parking", "reason": "停车"},  # not one of the five
    ):
        with pytest.raises(GuardFailedError):
            engine.fire(issue_id, "reclassify", actor=GROUP, payload=payload)
    with pytest.raises(PermissionDeniedError):
        engine.fire(
            issue_id, "reclassify", actor=RESIDENT, payload={"category": "safety", "reason": "x"}
        )
    event = engine.fire(
        issue_id, "reclassify", actor=GROUP, payload={"category": "safety", "reason": "属消防隐患"}
    )
    assert (event.destination, engine.get(issue_id).category) == ("collected", "safety")
    engine.fire(issue_id, "assign", actor=GROUP)
    assert engine.get(issue_id).assignees == (HANDLERS["law_enforcement"],)
    assert weekly_review(engine, START).reclassified == 1


def test_a_handler_sends_back_what_is_not_its_business_and_it_is_rerouted(engine: Engine) -> None:
    issue_id = _collect(engine, "邻里反映楼道电线老化有火灾隐患")
    engine.fire(issue_id, "assign", actor=GROUP)  # to the council, as a dispute
    council = Actor(HANDLERS["council"])
    with pytest.raises(PermissionDeniedError):  # only the unit it was handed to
        engine.fire(issue_id, "return_misrouted", actor=PATROL, payload={"reason": "非纠纷"})
    with pytest.raises(GuardFailedError):
        engine.fire(issue_id, "return_misrouted", actor=council, payload={})
    engine.fire(issue_id, "return_misrouted", actor=council, payload={"reason": "属安全隐患"})
    assert engine.get(issue_id).state == "collected"
    engine.fire(  # or, while it is being handled, the group corrects it directly
        issue_id, "reclassify", actor=GROUP, payload={"category": "safety", "reason": "属安全隐患"}
    )
    engine.fire(issue_id, "assign", actor=GROUP)
    assert engine.get(issue_id).assignees == (HANDLERS["law_enforcement"],)
    police = Actor(HANDLERS["law_enforcement"])
    engine.fire(issue_id, "report_handled", actor=police)
    assert engine.get(issue_id).state == "awaiting_feedback"


def test_the_group_may_reclassify_while_the_matter_is_handled(engine: Engine) -> None:
    issue_id = _collect(engine, "两户邻里因排水沟发生纠纷")
    engine.fire(issue_id, "assign", actor=GROUP)
    with pytest.raises(PermissionDeniedError):
        engine.fire(
            issue_id,
            "reclassify",
            actor=Actor(HANDLERS["council"]),
            payload={"category": "safety", "reason": "x"},
        )
    for payload in ({"category": "safety"}, {"category": "dispute_mediation", "reason": "x"}):
        with pytest.raises(GuardFailedError):
            engine.fire(issue_id, "reclassify", actor=GROUP, payload=payload)
    event = engine.fire(
        issue_id, "reclassify", actor=GROUP, payload={"category": "safety", "reason": "排水沟塌陷"}
    )
    assert (event.source, event.destination) == ("handling", "collected")


def test_only_the_village_party_organization_concludes_a_referral(engine: Engine) -> None:
    issue_id = _collect(engine, "修路使用大额资金", village_party="liulou-party")
    with pytest.raises(PermissionDeniedError):
        escalate(engine, issue_id, "refer_up", actor=RESIDENT, payload={"major": "large_funds"})
    escalate(engine, issue_id, "refer_up", actor=GROUP, payload={"major": "large_funds"})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "upstream_concluded", actor=COUNCIL)


def test_only_the_group_assigns(engine: Engine) -> None:
    issue_id = _collect(engine, "两户邻里因排水沟发生纠纷")
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue_id, "assign", actor=RESIDENT)


def test_nobody_evaluates_their_own_work(engine: Engine) -> None:
    """A councillor who raised a dispute the council then mediated does not rate it."""
    mediator = Actor(HANDLERS["council"])
    issue = engine.open(
        "one-group-one-council",
        reporter=mediator,
        category="dispute_mediation",
        data={"handlers": HANDLERS},
    )
    engine.fire(issue.id, "assign", actor=GROUP)
    engine.fire(issue.id, "report_handled", actor=mediator, payload={"result": "调解成功"})
    engine.fire(issue.id, "feed_back", actor=COUNCIL, payload={"result": "调解成功"})
    with pytest.raises(PermissionDeniedError):
        engine.fire(issue.id, "evaluate", actor=mediator, payload={"satisfaction": "satisfied"})
    assert engine.get(issue.id).state == "evaluating"
