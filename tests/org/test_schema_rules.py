"""Every rule of the default schema, accepted by a graph; every other pair of kinds, refused."""

from __future__ import annotations

import itertools

import pytest

from govflow.errors import InvalidOrgGraphError
from govflow.org import DEFAULT_SCHEMA, EdgeRule, OrgGraph
from govflow.org.schema import ANY, MEMBER_OF, PERSON, SERVES

RULES = sorted(DEFAULT_SCHEMA.edges, key=lambda r: (r.kind, r.source, r.target))
UNIT_KINDS = sorted(DEFAULT_SCHEMA.kinds)


def _node(g: OrgGraph, kind: str, node_id: str) -> str:
    if kind == PERSON:
        g.add_person(node_id, "某人")
    else:
        g.add_unit(node_id, kind, f"{kind}单位")
    return node_id


def _link(g: OrgGraph, rule: EdgeRule, source: str, target: str) -> None:
    if rule.kind == MEMBER_OF and rule.source == PERSON:
        g.assign(source, target, "member")
    elif rule.kind == SERVES:
        g.add_edge(SERVES, source, target, minutes=5)
    else:
        g.add_edge(rule.kind, source, target)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.kind}:{r.source}->{r.target}")
def test_every_rule_is_accepted(rule: EdgeRule) -> None:
    g = OrgGraph()
    target_kind = "community" if rule.target == ANY else rule.target
    source = _node(g, rule.source, "s")
    target = _node(g, target_kind, "t")
    _link(g, rule, source, target)
    assert g.nx.has_edge(source, target, rule.kind)
    g.validate()


@pytest.mark.parametrize("kind", sorted({r.kind for r in RULES} - {MEMBER_OF}))
def test_every_pair_of_kinds_without_a_rule_is_refused(kind: str) -> None:
    refused = 0
    for source_kind, target_kind in itertools.product(UNIT_KINDS, repeat=2):
        if DEFAULT_SCHEMA.allows(kind, source_kind, target_kind) or source_kind == target_kind:
            continue
        g = OrgGraph()
        g.add_unit("s", source_kind, "甲")
        g.add_unit("t", target_kind, "乙")
        with pytest.raises(InvalidOrgGraphError) as caught:
            g.add_edge(kind, "s", "t", minutes=1 if kind == SERVES else None)
        assert f"'s' ({source_kind})" in str(caught.value)
        assert f"'t' ({target_kind})" in str(caught.value)
        assert g.nx.number_of_edges() == 0
        refused += 1
    assert refused > 500


def test_units_cannot_be_members_of_people_or_councils_of_units() -> None:
    g = OrgGraph()
    g.add_person("p", "某人")
    g.add_unit("c", "community", "社区")
    with pytest.raises(InvalidOrgGraphError, match="member_of edge 'c' \\(community\\) -> 'p'"):
        g.add_edge(MEMBER_OF, "c", "p")
    with pytest.raises(InvalidOrgGraphError, match="'p' \\(person\\)"):
        g.add_edge("leads", "p", "c")
