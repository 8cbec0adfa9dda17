"""Tables in (CSV, JSON) and out (JSON, DOT, Mermaid)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from govflow.errors import DataLoadError
from govflow.org import OrgGraph, from_json, load_tables, to_dot, to_json, to_mermaid, write_json

from .conftest import build_small, trees

UNITS = """id,kind,name,parent,code,population
yyx-area,residential_area,幸福小区,yyx,,1200
yyx,community,喻义巷社区,,340303001001,
yyx-b1,building,1号楼,yyx-area,,
cpc,community_party_committee,喻义巷社区党委,,,
"""
PEOPLE = """id,name,party_member,home_unit,phone
li,李书记,是,yyx,0552-1
wang,王居民,false,,
"""
LINKS = """kind,source,target,roles,minutes
leads,cpc,yyx,,
member_of,li,cpc,secretary;party_member,
"""


def write(folder: Path, **tables: str) -> dict[str, Path]:
    paths = {}
    for name, text in tables.items():
        paths[name] = folder / f"{name}.csv"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def test_csv_tables_load_in_any_row_order(tmp_path: Path) -> None:
    paths = write(tmp_path, units=UNITS, people=PEOPLE, links=LINKS)
    g = load_tables(paths["units"], paths["people"], paths["links"])
    assert [u.id for u in g.chain("yyx-b1")] == ["yyx-b1", "yyx-area", "yyx"]
    assert g.unit("yyx-area").attributes == {"population": "1200"}
    assert g.person("li").party_member
    assert not g.person("wang").party_member
    assert g.person("li").attributes == {"phone": "0552-1"}
    post = g.responsible("yyx-b1", "secretary")
    assert post is not None
    assert post.person.name == "李书记"
    assert g.person("li").roles == {"secretary", "party_member"}


def test_parents_may_be_named_by_code(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        units="id,kind,name,parent_code,code\n"
        "c,community,东柿社区,330502013000,330502013007\n"
        "s,street,湖东街道,,330502013000\n"
        "a,residential_area,东柿小区,330502013007,\n",
    )
    g = load_tables(paths["units"])
    assert [u.id for u in g.chain("a")] == ["a", "c", "s"]
    bad = write(tmp_path, units="id,kind,name,parent_code\nc,community,社区,330502099000\n")
    with pytest.raises(DataLoadError, match="with code 330502099000") as caught:
        load_tables(bad["units"])
    assert caught.value.row == 2


@pytest.mark.parametrize(
    ("table", "text", "row", "problem"),
    [
        ("units", "id,kind,name\nx,district,区\nx,district,区\n", 3, "already in the graph"),
        ("units", "id,kind,name\nx,palace,宫\n", 2, "no unit kind 'palace'"),
        ("units", "id,kind,name\nx,district,\n", 2, "'name' is empty"),
        ("units", "id,kind,name,parent\nx,street,街道,ghost\n", 2, "parent 'ghost'"),
        ("units", "id,kind,name,parent\nd,district,区,\nb,building,楼,d\n", 3, "may not contain"),
        ("units", "id,kind,name,code\nd,district,区,99\n", 2, "no layout"),
        ("units", "id,name\nx,区\n", 1, "missing columns ['kind']"),
        ("people", "id,name,party_member\np,人,maybe\n", 2, "party_member must be"),
        ("people", "id,name,home_unit\np,人,ghost\n", 2, "ghost"),
        ("links", "kind,source,target\nleads,d,d2\n", 2, "not allowed"),
        ("links", "kind,source,target\nmember_of,p,d\n", 2, "needs roles"),
        ("links", "kind,source,target,minutes\nserves,c,d,soon\n", 2, "not a number"),
        ("links", "kind,source,target\ncontains,d,d2\n", 2, "parent column"),
        ("links", "kind,source,target\nleads,ghost,d\n", 2, "ghost"),
    ],
)
def test_bad_rows_raise_with_their_row_number(
    tmp_path: Path, table: str, text: str, row: int, problem: str
) -> None:
    tables = {
        "units": "id,kind,name\nd,district,区\nd2,district,二区\nc,service_center,中心\n",
        "people": "id,name\np,人\n",
        "links": "kind,source,target\n",
    }
    tables[table] = text
    paths = write(tmp_path, **tables)
    with pytest.raises(DataLoadError) as caught:
        load_tables(paths["units"], paths["people"], paths["links"])
    assert caught.value.source == str(paths[table])
    assert caught.value.row == row
    assert problem in caught.value.problem


def test_json_round_trip(tmp_path: Path) -> None:
    small = build_small()
    small.add_unit("center", "service_center", "服务中心", parent="yyx")
    small.add_edge("serves", "center", "area", minutes=6)
    small.add_edge("registered_at", "li", "yyx")
    data = to_json(small)
    again = from_json(data)
    assert to_json(again) == data
    assert again.unit("grid").code == "340303001001001"
    assert again.served_by("area") == ((again.unit("center"), 6.0),)
    path = tmp_path / "org.json"
    write_json(small, path)
    assert "喻义巷社区" in path.read_text(encoding="utf-8")
    assert to_json(from_json(path)) == data


def test_json_round_trip_of_the_five_seed_districts(seeds: OrgGraph) -> None:
    data = to_json(seeds)
    again = from_json(data)
    assert to_json(again) == data
    assert len(again) == len(seeds)
    assert again.beyond(8) == seeds.beyond(8)


def test_json_errors_count_items_from_one(tmp_path: Path) -> None:
    with pytest.raises(DataLoadError) as caught:
        from_json({"units": [{"id": "d", "kind": "district", "name": "区"}, "oops"]})
    assert (caught.value.source, caught.value.row) == ("<json>:units", 2)
    with pytest.raises(DataLoadError, match="must be a list"):
        from_json({"units": {"id": "d"}})
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(DataLoadError, match="cannot read JSON"):
        from_json(bad)
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(DataLoadError, match="must be a JSON object"):
        from_json(bad)


def test_a_bad_load_into_an_existing_graph_raises_at_the_bad_row(small: OrgGraph) -> None:
    with pytest.raises(DataLoadError) as caught:
        from_json(
            {"links": [{"kind": "pairs_with", "source": "dept", "target": "yyx"}]}, graph=small
        )
    assert caught.value.row == 1
    assert "already exists" in caught.value.problem


def test_dot_export_of_a_subtree(small: OrgGraph) -> None:
    dot = to_dot(small, "grid")
    assert dot.startswith('digraph "第1网格" {')
    assert '"grid" [label="第1网格 340303001001001", shape=box];' in dot
    assert '"grid" -> "area";' in dot
    assert '"branch" -> "grid" [style=dashed, color="red", label="leads"];' in dot
    assert '"group" -> "council" [style=dotted, label="convenes"];' in dot
    assert '"yyx"' not in dot
    small.add_unit("rc", "residents_council", "社区居民议事会")
    small.add_edge("convenes", "cpc", "rc")
    assert '"rc"' not in to_dot(small, "grid")  # the branch's council_for climbs to it: not drawn
    assert '"rc"' in to_dot(small, "yyx", depth=0)
    shallow = to_dot(small, "grid", depth=1, party=False)
    assert '"b1"' not in shallow
    assert '"branch"' not in shallow
    assert '"area"' in shallow


def test_mermaid_export_of_a_subtree(small: OrgGraph) -> None:
    text = to_mermaid(small, "yyx", depth=1)
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  n0["喻义巷社区"]' in lines
    assert '  n1["第1网格"]' in lines
    assert "  n0 --> n1" in lines
    assert any("-. leads .->" in line for line in lines)
    assert '"幸福小区"' not in text
    assert json.dumps(text)  # plain text, safe to embed


@settings(max_examples=30, deadline=None)
@given(trees())
def test_json_round_trips_random_trees(g: OrgGraph) -> None:
    data = to_json(g)
    again = from_json(json.loads(json.dumps(data, ensure_ascii=False)))
    assert to_json(again) == data
    assert [u.id for u in again.units()] == [u.id for u in g.units()]
    assert [u.code for u in again.units()] == [u.code for u in g.units()]
