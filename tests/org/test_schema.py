"""Schemas: levels and allowed edges per layer, merged and extended as plain data."""

from __future__ import annotations

import itertools

import pytest

from govflow.errors import InvalidOrgGraphError
from govflow.org import (
    DEFAULT_SCHEMA,
    DIVISIONS,
    PARTY_NET,
    RURAL,
    URBAN,
    EdgeRule,
    OrgGraph,
    OrgSchema,
)
from govflow.org.schema import ANY, CONTAINS


@pytest.mark.parametrize(
    ("schema", "chain"),
    [
        (URBAN, ["district", "street", "community", "residential_area", "building", "household"]),
        (URBAN, ["community", "grid", "building"]),
        (RURAL, ["county", "township", "administrative_village", "natural_village", "household"]),
        (
            PARTY_NET,
            ["community_party_committee", "branch", "group", "party_member_household"],
        ),
    ],
)
def test_the_layer_trees_of_the_seeds_are_allowed(schema: OrgSchema, chain: list[str]) -> None:
    for parent, child in itertools.pairwise(chain):
        assert schema.allows(CONTAINS, parent, child), (parent, child)


def test_levels_cannot_be_skipped_or_reversed() -> None:
    assert not URBAN.allows(CONTAINS, "street", "building")
    assert not URBAN.allows(CONTAINS, "community", "street")
    assert not RURAL.allows(CONTAINS, "natural_village", "administrative_village")
    assert not DEFAULT_SCHEMA.allows(CONTAINS, "branch", "community_party_committee")


def test_party_units_lead_the_administrative_units_they_sit_on() -> None:
    assert DEFAULT_SCHEMA.allows("leads", "community_party_committee", "community")
    assert DEFAULT_SCHEMA.allows("leads", "branch", "grid")
    assert DEFAULT_SCHEMA.allows("leads", "group", "natural_village")
    assert not DEFAULT_SCHEMA.allows("leads", "community", "branch")
    assert DEFAULT_SCHEMA.allows("convenes", "group", "villagers_council")
    assert not DEFAULT_SCHEMA.allows("convenes", "residents_council", "group")


def test_layers() -> None:
    assert DEFAULT_SCHEMA.layer_of("community") == "administrative"
    assert DEFAULT_SCHEMA.layer_of("branch") == "party"
    assert DEFAULT_SCHEMA.layer_of("owners_committee") == "council"
    assert DEFAULT_SCHEMA.layer_of("service_center") == "service"
    with pytest.raises(InvalidOrgGraphError, match="no unit kind 'palace'"):
        DEFAULT_SCHEMA.layer_of("palace")
    assert DIVISIONS.labels["street"] == "街道"


def test_extend_adds_kinds_and_edges_without_changing_the_original() -> None:
    alliance = DEFAULT_SCHEMA.extend(
        name="with-big-committee",
        kinds={"big_party_committee": "party"},
        edges=[("contains", "big_party_committee", "community_party_committee")],
        labels={"big_party_committee": "大党委"},
    )
    assert alliance.allows(CONTAINS, "big_party_committee", "community_party_committee")
    assert "big_party_committee" not in DEFAULT_SCHEMA.kinds
    assert alliance.labels["big_party_committee"] == "大党委"
    assert DEFAULT_SCHEMA.edges < alliance.edges


def test_merge_is_a_union_and_refuses_a_kind_in_two_layers() -> None:
    merged = URBAN.merge(RURAL)
    assert merged.edges == URBAN.edges | RURAL.edges
    assert merged.name == "urban+rural"
    clash = OrgSchema("clash", {"grid": "party"})
    with pytest.raises(InvalidOrgGraphError, match="'grid' is in layer 'administrative'"):
        URBAN.merge(clash)


def test_unknown_edge_kinds_are_refused() -> None:
    with pytest.raises(InvalidOrgGraphError, match="unknown edge kind 'owns'"):
        OrgSchema("bad", {"a": "x"}, [EdgeRule("owns", "a", "a")])


def test_wildcards_match_any_kind() -> None:
    schema = OrgSchema("w", {"a": "x", "b": "x"}, [EdgeRule("pairs_with", ANY, "b")])
    assert schema.allows("pairs_with", "a", "b")
    assert not schema.allows("pairs_with", "b", "a")
    assert DEFAULT_SCHEMA.allows("member_of", "person", "anything")


def test_a_graph_takes_a_schema_and_enforces_it() -> None:
    rural_only = OrgGraph(schema=RURAL)
    rural_only.add_unit("t", "township", "东柿镇")
    with pytest.raises(InvalidOrgGraphError, match="no unit kind 'grid_station'"):
        rural_only.add_unit("x", "grid_station", "站")
    with pytest.raises(InvalidOrgGraphError, match="no unit kind 'branch'"):
        rural_only.add_unit("b", "branch", "党支部")
    extended = OrgGraph(schema=RURAL.extend(kinds={"branch": "party"}))
    extended.add_unit("b", "branch", "党支部")
    assert "b" in extended


def test_a_forbidden_child_names_both_ends_and_changes_nothing(small: OrgGraph) -> None:
    before = (len(small), small.nx.number_of_edges(), small.units(under="340303000000"))
    with pytest.raises(InvalidOrgGraphError) as caught:
        small.add_unit("x", "building", "孤楼", parent="street")
    assert "'street' (street)" in str(caught.value)
    assert "'x' (building)" in str(caught.value)
    assert (len(small), small.nx.number_of_edges(), small.units(under="340303000000")) == before
    assert "x" not in small


def test_a_forbidden_edge_names_both_ends_and_changes_nothing(small: OrgGraph) -> None:
    edges = small.nx.number_of_edges()
    with pytest.raises(InvalidOrgGraphError) as caught:
        small.add_edge("leads", "yyx", "branch")
    message = str(caught.value)
    assert "'yyx' (community)" in message
    assert "'branch' (community_party_committee)" not in message
    assert "'branch' (branch)" in message
    assert small.nx.number_of_edges() == edges
    assert small.leaders("branch") == ()
    assert small.party_unit_for("yyx") == small.unit("cpc")
