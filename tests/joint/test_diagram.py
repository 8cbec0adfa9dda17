"""``govflow diagram`` draws parallel parties, guarded destinations, links and moves across
levels, in Mermaid and in DOT; joint declarations survive the TOML/dict form."""

from __future__ import annotations

from govflow import Workflow, workflow_to_dot, workflow_to_mermaid

from .conftest import WHISTLE
from .test_levels import FIVE_STEPS
from .test_links import PARENT


def test_mermaid_draws_the_join_its_rule_and_every_branch() -> None:
    lines = workflow_to_mermaid(WHISTLE).splitlines()
    assert "    note right of summoned: ⫴ parallel parties, join all · 2d each" in lines
    assert "    summoned --> reviewing: 报到处置 [join all]" in lines
    assert "    fed_back --> reviewing: 群众评价 [不满意, 返工]" in lines
    assert "    fed_back --> unresolved: 群众评价 [再不满意, 挂账]" in lines
    assert "    fed_back --> closed: 群众评价 [otherwise]" in lines


def test_mermaid_draws_links_and_levels() -> None:
    assert "    note left of collected: opens deliberation (refer_up ⇒ 四议两公开)" in (
        workflow_to_mermaid(PARENT).splitlines()
    )
    assert "deliberating --> deliberating: ⇧ 本级协商不成, 提交上级议事会" in workflow_to_mermaid(
        FIVE_STEPS
    )


def test_dot_draws_the_same() -> None:
    dot = workflow_to_dot(WHISTLE)
    assert dot.startswith('digraph "whistle" {')
    assert (
        '"summoned" [label="部门报到\n⫴ parallel parties, join all · 2d each", shape=box3d];' in dot
    )
    assert '"summoned" -> "reviewing" [label="⏱ 报到超时, 街道审核", style=dashed];' in dot
    assert '"closed" [label="办结", peripheries=2];' in dot
    parent = workflow_to_dot(PARENT)
    assert '"workflow:deliberation" [shape=folder, label="⇒ deliberation"];' in parent
    assert (
        '"collected" -> "workflow:deliberation" [label="refer_up ⇒ 四议两公开", style=dotted];'
        in parent
    )
    assert (
        workflow_to_dot(Workflow.from_dict({**WHISTLE.to_dict(), "label": 'a "q"'})).count(
            "digraph"
        )
        == 1
    )


def test_joint_declarations_round_trip_through_plain_data() -> None:
    for workflow in (WHISTLE, PARENT, FIVE_STEPS):
        assert Workflow.from_dict(workflow.to_dict()) == workflow
