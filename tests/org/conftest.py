"""Shared graphs: the five seed districts from the shipped extracts, filled synthetically.

``seeds`` is built once per session and must not be mutated; tests that change a graph build
their own with ``small``.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from govflow.org import OrgGraph, load_divisions, synthesize


@pytest.fixture(scope="session")
def seeds() -> OrgGraph:
    graph = load_divisions()
    synthesize(graph, seed=7)
    return graph


def build_small() -> OrgGraph:
    """天桥街道 with 喻义巷社区, one grid, one residential area, two buildings, the party net over
    them and a few people: small enough to reason about in each assertion."""
    g = OrgGraph()
    g.add_unit("340303000000", "district", "蚌山区", code="340303000000")
    g.add_unit("street", "street", "天桥街道", parent="340303000000")
    g.add_unit("yyx", "community", "喻义巷社区", parent="street")
    g.add_unit("grid", "grid", "第1网格", parent="yyx", code="340303001001001")
    g.add_unit("area", "residential_area", "幸福小区", parent="grid")
    g.add_unit("b1", "building", "1号楼", parent="area")
    g.add_unit("b2", "building", "2号楼", parent="area")
    g.add_unit("wc", "party_working_committee", "天桥街道党工委")
    g.add_unit("cpc", "community_party_committee", "喻义巷社区党委", parent="wc")
    g.add_unit("branch", "branch", "第1网格党支部", parent="cpc")
    g.add_unit("group", "group", "幸福小区党小组", parent="branch")
    g.add_unit("council", "residents_council", "幸福小区议事会")
    g.add_unit("dept", "department", "区民政局", parent="340303000000")
    g.add_edge("leads", "wc", "street")
    g.add_edge("leads", "cpc", "yyx")
    g.add_edge("leads", "branch", "grid")
    g.add_edge("leads", "group", "area")
    g.add_edge("convenes", "group", "council")
    g.add_edge("pairs_with", "dept", "yyx")
    g.add_person("li", "李书记", party_member=True, home_unit="yyx")
    g.assign("li", "cpc", "secretary")
    g.add_person("wang", "王网格员", home_unit="grid")
    g.assign("wang", "grid", "grid_worker")
    g.add_person("zhao", "赵组长", party_member=True, home_unit="area")
    g.assign("zhao", "group", "secretary")
    g.assign("zhao", "council", "head")
    g.add_person("sun", "孙主任", home_unit="street")
    g.assign("sun", "street", "director")
    return g


@pytest.fixture
def small() -> OrgGraph:
    return build_small()


_NOT_IN_TREES = {"department", "service_center", "service_station"}


@st.composite
def trees(draw: st.DrawFn) -> OrgGraph:
    """A random administrative tree: each new unit goes under a random unit that may contain
    it, with a kind that unit may contain."""
    g = OrgGraph()
    g.add_unit("d", "district", "区")
    for n in range(draw(st.integers(0, 40))):
        parents = [u for u in g.units() if g.schema.children_of(u.kind) - _NOT_IN_TREES]
        parent = draw(st.sampled_from([g.unit("d"), *parents]))
        kind = draw(st.sampled_from(sorted(g.schema.children_of(parent.kind) - _NOT_IN_TREES)))
        g.add_unit(f"u{n}", kind, f"单位{n}", parent=parent.id)
    return g
