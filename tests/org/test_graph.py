"""OrgGraph: every query, the indexes under mutation, and refusals that change nothing."""

from __future__ import annotations

import gc
import itertools

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow.errors import InvalidCodeError, InvalidOrgGraphError, UnknownUnitError
from govflow.org import (
    BEIJING_GRID_15,
    DIVISION_RULES,
    CodeLayout,
    CodeRule,
    OrgGraph,
    Segment,
)

from .conftest import trees


def ids(units: object) -> list[str]:
    return [u.id for u in units]  # type: ignore[attr-defined]


# --- chain, responsible, escalation ------------------------------------------------------------


def test_chain_climbs_the_administrative_tree_to_the_root(small: OrgGraph) -> None:
    assert ids(small.chain("b1")) == ["b1", "area", "grid", "yyx", "street", "340303000000"]
    assert ids(small.chain("340303000000")) == ["340303000000"]


def test_chain_of_a_party_unit_climbs_the_party_tree(small: OrgGraph) -> None:
    assert ids(small.chain("group")) == ["group", "branch", "cpc", "wc"]


def test_responsible_finds_the_nearest_holder_up_the_chain(small: OrgGraph) -> None:
    # The building has no secretary; its area is led by a group whose secretary is 赵组长.
    post = small.responsible("b1", "secretary")
    assert post is not None
    assert (post.person.name, post.unit.id, post.role) == ("赵组长", "group", "secretary")
    # The grid worker sits at the grid; the community's secretary is found through its leader.
    grid_worker = small.responsible("b2", "grid_worker")
    assert grid_worker is not None
    assert grid_worker.person.id == "wang"
    community = small.responsible("yyx", "secretary")
    assert community is not None
    assert community.person.id == "li"
    director = small.responsible("b1", "director")
    assert director is not None
    assert director.unit.id == "street"
    assert small.responsible("b1", "mayor") is None


def test_escalation_path_lists_each_level_with_its_party_unit_and_holder(small: OrgGraph) -> None:
    path = small.escalation_path("area", "secretary")
    assert ids(step.unit for step in path) == ["area", "grid", "yyx", "street", "340303000000"]
    assert [s.party_unit.id if s.party_unit else None for s in path] == [
        "group",
        "branch",
        "cpc",
        "wc",
        None,
    ]
    holders = [s.holder.person.id if s.holder else None for s in path]
    assert holders == ["zhao", None, "li", None, None]
    assert all(step.holder is None for step in small.escalation_path("area"))


def test_party_unit_for_and_council_for(small: OrgGraph) -> None:
    assert small.party_unit_for("b1") == small.unit("group")
    assert small.party_unit_for("grid") == small.unit("branch")
    assert small.party_unit_for("branch") == small.unit("branch")
    assert small.party_unit_for("340303000000") is None
    assert small.council_for("b2") == small.unit("council")
    assert small.council_for("group") == small.unit("council")
    assert small.council_for("yyx") is None
    assert small.convener("council") == small.unit("group")


def test_paired_works_both_ways_and_inherits_from_the_community(small: OrgGraph) -> None:
    assert ids(small.paired("yyx")) == ["dept"]
    assert ids(small.paired("dept")) == ["yyx"]
    assert ids(small.paired("b1")) == ["dept"]
    assert small.paired("b1", inherit=False) == ()
    assert small.paired("street") == ()


def test_members_posts_and_registration(small: OrgGraph) -> None:
    small.assign("li", "cpc", "party_member")
    small.add_person("zhou", "周干部", party_member=True)
    small.assign("zhou", "cpc", "party_member")
    assert [(p.person.id, p.role) for p in small.members("cpc")] == [
        ("li", "secretary"),
        ("li", "party_member"),
        ("zhou", "party_member"),
    ]
    assert [p.person.id for p in small.members("cpc", role="party_member")] == ["li", "zhou"]
    assert small.members("cpc", role="nobody") == ()
    assert small.person("li").roles == {"secretary", "party_member"}
    assert [(p.unit.id, p.role) for p in small.posts_of("zhao")] == [
        ("group", "secretary"),
        ("council", "head"),
    ]
    small.add_edge("registered_at", "zhou", "yyx")
    assert small.registered("yyx") == (small.person("zhou"),)


def test_units_by_kind_and_under(small: OrgGraph) -> None:
    assert ids(small.units(under="grid")) == ["area", "b1", "b2"]
    assert ids(small.units(kind="building", under="yyx")) == ["b1", "b2"]
    assert small.units(kind="building", under="b1") == []
    assert small.units(kind="household", under="yyx") == []
    assert ids(small.units(kind="community")) == ["yyx"]
    assert ids(small.units(kind="group", under="wc")) == ["group"]
    assert len(small.units()) == len(small)


def test_by_code_and_code_assignment(small: OrgGraph) -> None:
    assert small.by_code("340303001001001") == small.unit("grid")
    # street and community had no code given: the division rules numbered them.
    assert small.unit("street").code == "340303001000"
    assert small.unit("yyx").code == "340303001001"
    assert small.by_code("340303001001") == small.unit("yyx")
    small.add_unit("yyx2", "community", "第二社区", parent="street")
    assert small.unit("yyx2").code == "340303001002"
    with pytest.raises(UnknownUnitError, match="no unit with code '1'"):
        small.by_code("1")


def test_code_rules_number_grids_with_a_grid_layout() -> None:
    g = OrgGraph(code_rules=[*DIVISION_RULES, CodeRule("grid", BEIJING_GRID_15, "grid")])
    g.add_unit("d", "district", "建华区", code="230203000000")
    g.add_unit("s", "street", "中华街道", parent="d")
    g.add_unit("c", "community", "育英社区", parent="s")
    g.add_unit("g1", "grid", "一网格", parent="c")
    g.add_unit("g2", "grid", "二网格", parent="c", code="230203001001005")
    g.add_unit("g3", "grid", "三网格", parent="c")
    assert [g.unit(x).code for x in ("g1", "g2", "g3")] == [
        "230203001001001",
        "230203001001005",
        "230203001001002",
    ]
    # A unit under an uncoded parent gets no code.
    g.add_unit("loose", "street", "无码街道")
    g.add_unit("c2", "community", "无码社区", parent="loose")
    assert g.unit("c2").code is None


def test_codes_must_fit_a_layout_and_be_unique(small: OrgGraph) -> None:
    with pytest.raises(InvalidCodeError) as caught:
        small.add_unit("x", "grid", "坏网格", parent="yyx", code="340303001001000")
    assert caught.value.segment == "grid"
    with pytest.raises(InvalidCodeError, match="no layout of this graph has 5 digits"):
        small.add_unit("x", "grid", "坏网格", parent="yyx", code="12345")
    with pytest.raises(InvalidOrgGraphError, match="already belongs to 'grid'"):
        small.add_unit("x", "grid", "重号网格", parent="yyx", code="340303001001001")
    assert "x" not in small


def test_layouts_of_one_graph_must_differ_in_length() -> None:
    twin = CodeLayout("twin", [Segment("a", 12)], hierarchical=False)
    with pytest.raises(InvalidOrgGraphError, match="same length 12"):
        OrgGraph(layouts=[twin, *OrgGraph().layouts.values()])


def test_unknown_ids_raise_unknown_unit_error(small: OrgGraph) -> None:
    for query in (
        small.chain,
        small.party_unit_for,
        small.council_for,
        small.paired,
        small.members,
        small.unit,
        small.escalation_path,
    ):
        with pytest.raises(UnknownUnitError, match="'nowhere'"):
            query("nowhere")
    with pytest.raises(UnknownUnitError):
        small.responsible("nowhere", "secretary")
    with pytest.raises(UnknownUnitError):
        small.units(under="nowhere")
    with pytest.raises(UnknownUnitError):
        small.person("nobody")


# --- refusals ----------------------------------------------------------------------------------


def test_duplicate_ids_and_edges_are_refused(small: OrgGraph) -> None:
    with pytest.raises(InvalidOrgGraphError, match="'yyx' is already"):
        small.add_unit("yyx", "community", "又一个")
    with pytest.raises(InvalidOrgGraphError, match="'li' is already"):
        small.add_person("li", "又一个")
    with pytest.raises(InvalidOrgGraphError, match="already exists"):
        small.add_edge("leads", "cpc", "yyx")
    with pytest.raises(InvalidOrgGraphError, match="link to itself"):
        small.add_edge("contains", "branch", "branch")  # branches may contain branches


def test_the_tree_keeps_one_parent_and_no_cycle(small: OrgGraph) -> None:
    small.add_unit("area2", "residential_area", "第二小区", parent="yyx")
    with pytest.raises(InvalidOrgGraphError, match="already contained by 'area'"):
        small.add_edge("contains", "area2", "b1")
    # Grids may contain areas and areas grids, so a cycle is possible in the schema's terms.
    small.add_unit("g9", "grid", "第九网格")
    small.add_unit("a9", "residential_area", "环小区", parent="g9")
    with pytest.raises(InvalidOrgGraphError, match="close a cycle"):
        small.add_edge("contains", "a9", "g9")
    assert small.parent("g9") is None
    assert ids(small.chain("a9")) == ["a9", "g9"]  # memoized here, must not go stale below
    small.add_edge("contains", "area2", "g9")
    assert ids(small.chain("a9")) == ["a9", "g9", "area2", "yyx", "street", "340303000000"]
    small.validate()


def test_one_group_one_council(small: OrgGraph) -> None:
    small.add_unit("council2", "owners_committee", "业委会")
    with pytest.raises(InvalidOrgGraphError, match="already convenes 'council'"):
        small.add_edge("convenes", "group", "council2")
    with pytest.raises(InvalidOrgGraphError, match="already convened by 'group'"):
        small.add_edge("convenes", "branch", "council")
    small.add_edge("convenes", "branch", "council2")
    assert small.council_for("grid") == small.unit("council2")


def test_serves_needs_minutes_and_member_of_needs_assign(small: OrgGraph) -> None:
    small.add_unit("center", "service_center", "党群服务中心", parent="yyx")
    for bad in (None, -1.0, float("nan"), float("inf")):
        with pytest.raises(InvalidOrgGraphError, match="needs minutes"):
            small.add_edge("serves", "center", "area", minutes=bad)
    with pytest.raises(InvalidOrgGraphError, match="use assign"):
        small.add_edge("member_of", "li", "grid")
    with pytest.raises(InvalidOrgGraphError, match="no role given"):
        small.assign("li", "grid")
    assert small.served_by("area") == ()


# --- mutation keeps the indexes right -----------------------------------------------------------


def test_indexes_follow_additions_after_queries(small: OrgGraph) -> None:
    assert ids(small.units(under="area")) == ["b1", "b2"]
    small.add_unit("b3", "building", "3号楼", parent="area")
    assert ids(small.units(under="area")) == ["b1", "b2", "b3"]
    assert ids(small.units(kind="building", under="street")) == ["b1", "b2", "b3"]


def test_remove_edge_and_unit_update_every_index(small: OrgGraph) -> None:
    small.remove_edge("leads", "group", "area")
    assert small.party_unit_for("b1") == small.unit("branch")
    assert small.council_for("b1") is None
    small.remove_edge("pairs_with", "dept", "yyx")
    assert small.paired("b1") == ()
    # group no longer leads the area, so the community's secretary answers
    assert small.responsible("b1", "secretary").person.id == "li"  # type: ignore[union-attr]
    small.remove_edge("member_of", "zhao", "group")
    assert small.person("zhao").roles == {"head"}
    assert small.responsible("b1", "secretary").person.id == "li"  # type: ignore[union-attr]
    small.assign("zhao", "branch", "secretary")
    post = small.responsible("b1", "secretary")
    assert post is not None
    assert (post.unit.id, post.person.roles) == ("branch", {"head", "secretary"})
    assert small.members("group") == ()
    small.remove_unit("b2")
    assert ids(small.units(under="area")) == ["b1"]
    assert "b2" not in small
    with pytest.raises(InvalidOrgGraphError, match="still contains 1 units"):
        small.remove_unit("area")
    small.remove_unit("b1")
    small.remove_unit("area")
    small.remove_unit("grid")
    with pytest.raises(UnknownUnitError):
        small.by_code("340303001001001")
    with pytest.raises(InvalidOrgGraphError, match="no leads edge"):
        small.remove_edge("leads", "group", "area")
    small.remove_edge("convenes", "group", "council")
    assert small.convener("council") is None
    small.remove_edge("contains", "street", "yyx")
    assert ids(small.chain("yyx")) == ["yyx"]
    small.validate()


def test_validate_finds_what_was_done_behind_the_graphs_back(small: OrgGraph) -> None:
    small.validate()
    raw = small._g  # the networkx graph itself: only a broken caller could do this
    raw.add_edge("b1", "street", key="contains")
    raw.add_edge("yyx", "dept", key="serves", minutes=1)
    problems = small.problems()
    assert any("contained by more than one unit" in p for p in problems)
    assert any("cycle" in p for p in problems)
    assert any("serves edge 'yyx' (community) -> 'dept' (department)" in p for p in problems)
    with pytest.raises(InvalidOrgGraphError):
        small.validate()


def test_nx_view_is_read_only(small: OrgGraph) -> None:
    view = small.nx
    with pytest.raises(nx.NetworkXError):
        view.add_edge("a", "b")
    assert view.has_edge("cpc", "yyx", "leads")


def test_bulk_restores_the_garbage_collector() -> None:
    g = OrgGraph()
    assert gc.isenabled()
    with g.bulk():
        assert not gc.isenabled()
        with g.bulk():
            g.add_unit("d", "district", "区")
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(InvalidOrgGraphError), g.bulk():
        g.add_unit("d", "district", "区")
    assert gc.isenabled()


def test_chinese_names_and_ids_work_everywhere() -> None:
    g = OrgGraph()
    g.add_unit("湖州", "city", "湖州市")
    g.add_unit("吴兴", "district", "吴兴区", parent="湖州")
    assert ids(g.chain("吴兴")) == ["吴兴", "湖州"]
    assert g.find("吴兴") == [g.unit("吴兴")]


# --- the beyond query: the 8-minute service circle -----------------------------------------


def test_beyond_uses_the_shortest_path_from_any_center(small: OrgGraph) -> None:
    for n in range(1, 4):
        small.add_unit(f"a{n}", "residential_area", f"{n}号小区", parent="yyx")
    small.add_unit("center", "service_center", "社区党群服务中心", parent="yyx")
    small.add_unit("station", "service_station", "网格服务站", parent="grid")
    small.add_edge("serves", "center", "a1", minutes=5)
    small.add_edge("serves", "center", "station", minutes=3)
    small.add_edge("serves", "station", "a2", minutes=4)  # 3 + 4 = 7 minutes
    small.add_edge("serves", "center", "a3", minutes=12)
    assert ids(small.beyond(8)) == ["area", "a3"]
    assert ids(small.beyond(12)) == ["area"]
    assert ids(small.beyond(6)) == ["area", "a2", "a3"]
    small.add_edge("serves", "station", "a3", minutes=2)  # the cache follows new edges
    assert ids(small.beyond(8)) == ["area"]
    small.remove_edge("serves", "station", "a3")
    assert ids(small.beyond(8)) == ["area", "a3"]
    assert small.served_by("a2") == ((small.unit("station"), 4.0),)
    # Counting stations as centers of their own brings a2 within 4 minutes.
    assert ids(small.beyond(6, centers=("service_center", "service_station"))) == ["area", "a3"]


def test_beyond_without_centers_lists_every_area(small: OrgGraph) -> None:
    assert ids(small.beyond(8)) == ["area"]


# --- invariants over random trees -------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(trees())
def test_chain_is_the_ancestors_in_order(g: OrgGraph) -> None:
    tree = nx.DiGraph((s, t) for s, t, k in g.nx.edges(keys=True) if k == "contains")
    for unit in g.units():
        chain = ids(g.chain(unit.id))
        assert chain[0] == unit.id
        expected = nx.ancestors(tree, unit.id) if unit.id in tree else set()
        assert set(chain[1:]) == expected
        for child, parent in itertools.pairwise(chain):
            assert tree.has_edge(parent, child)


@settings(max_examples=40, deadline=None)
@given(trees(), st.sampled_from([None, "street", "community", "building", "grid"]))
def test_units_under_equals_descendants_filtered(g: OrgGraph, kind: str | None) -> None:
    for unit in g.units():
        got = ids(g.units(kind=kind, under=unit.id))
        expected = {
            n for n in nx.descendants(g.nx, unit.id) if kind is None or g.unit(n).kind == kind
        }
        assert set(got) == expected
        assert len(got) == len(expected)


def test_responsible_answers_follow_every_kind_of_change(small: OrgGraph) -> None:
    def who() -> str | None:
        post = small.responsible("b1", "secretary")
        return None if post is None else post.person.id

    assert who() == "zhao"  # remembered from here on, so each change below must be seen
    small.add_person("qian", "钱楼长", party_member=True)
    small.assign("qian", "area", "secretary")
    assert who() == "qian"
    small.remove_edge("member_of", "qian", "area")
    assert who() == "zhao"
    small.remove_edge("leads", "group", "area")
    assert who() == "li"
    small.add_edge("leads", "group", "area")
    assert who() == "zhao"
    small.remove_edge("contains", "area", "b1")
    assert who() is None
    small.add_unit("area2", "residential_area", "第二小区", parent="yyx")
    small.add_edge("contains", "area2", "b1")
    assert who() == "li"
    small.remove_unit("b1")
    with pytest.raises(UnknownUnitError):
        small.responsible("b1", "secretary")


def test_freeze_moves_the_built_graph_out_of_the_collectors_view(small: OrgGraph) -> None:
    try:
        small.freeze()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def naive_responsible(g: OrgGraph, unit: str, role: str) -> str | None:
    """responsible() straight from the networkx graph, for comparison."""
    graph = g.nx
    node: str | None = unit
    while node is not None:
        for candidate in [
            node,
            *(p for p, t, k in graph.in_edges(node, keys=True) if k == "leads"),
        ]:
            for person, _, key, data in graph.in_edges(candidate, keys=True, data=True):
                if key == "member_of" and role in data["roles"]:
                    return str(person)
        node = next((p for p, _, k in graph.in_edges(node, keys=True) if k == "contains"), None)
    return None


@settings(max_examples=40, deadline=None)
@given(trees(), st.data())
def test_responsible_matches_a_walk_of_the_networkx_graph_under_mutation(
    g: OrgGraph, data: st.DataObject
) -> None:
    admin = [u.id for u in g.units()]
    ledable = [u for u in admin if g.schema.allows("leads", "branch", g.unit(u).kind)]
    for n in range(data.draw(st.integers(1, 12))):
        action = data.draw(st.sampled_from(["lead", "assign", "unassign", "query", "index"]))
        if action == "lead" and ledable:
            target = data.draw(st.sampled_from(ledable))
            g.add_unit(f"b{n}", "branch", f"支部{n}")
            g.add_edge("leads", f"b{n}", target)
        elif action == "assign":
            where = data.draw(st.sampled_from(admin + [u.id for u in g.units(kind="branch")]))
            g.add_person(f"p{n}", f"人{n}")
            g.assign(f"p{n}", where, data.draw(st.sampled_from(["secretary", "grid_worker"])))
        elif action == "unassign" and g.people:
            person = data.draw(st.sampled_from(sorted(g.people)))
            for post in g.posts_of(person)[:1]:
                g.remove_edge("member_of", person, post.unit.id)
        elif action == "index":
            g.units()  # rebuilds the preorder index and its prefilled answers
        for unit in admin:
            for role in ("secretary", "grid_worker"):
                post = g.responsible(unit, role)
                assert (post.person.id if post else None) == naive_responsible(g, unit, role)
