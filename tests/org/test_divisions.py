"""The official division table: the shipped seed districts, and row-numbered load errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from govflow.errors import DataLoadError
from govflow.org import SEED_DISTRICTS, OrgGraph, extract_divisions, load_divisions
from govflow.org.divisions import LEVELS, shipped_divisions

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "china-divisions-2023"


@pytest.fixture(scope="module")
def divisions() -> OrgGraph:
    return load_divisions()


@pytest.mark.parametrize(
    ("name", "code", "street", "district"),
    [
        ("喻义巷", "340303001001", "天桥街道", "蚌山区"),
        ("全椒路", "340102001003", "明光路街道", "瑶海区"),
        ("东柿", "330502013007", "湖东街道", "吴兴区"),
        ("育英", "230203002006", "中华街道", "建华区"),
        ("欣豪", "230203006010", "建设街道", "建华区"),
        ("文宾", "230203007009", "文化街道", "建华区"),
        ("向阳社区", "420281002007", "东风路街道", "大冶市"),
    ],
)
def test_the_seed_communities_are_found_by_name_and_code(
    divisions: OrgGraph, name: str, code: str, street: str, district: str
) -> None:
    found = divisions.find(name, kind="community")
    assert [u.id for u in found] == [code]
    community = divisions.by_code(code)
    assert community == found[0]
    chain = divisions.chain(code)
    assert [u.kind for u in chain][:2] == ["community", "street"]
    assert chain[1].name == street
    assert chain[2].name == district
    assert chain[-1].kind == "province"


def test_ids_are_padded_codes_and_kinds_come_from_names(divisions: OrgGraph) -> None:
    assert divisions.unit("340000000000").name == "安徽省"
    assert divisions.unit("340300000000").kind == "city"
    assert divisions.unit("340303000000").kind == "district"
    assert divisions.unit("420281000000").kind == "county"  # 大冶市, a county-level city
    assert all(u.id == u.code for u in divisions)
    kinds = {u.kind for u in divisions}
    assert kinds == {
        "province",
        "city",
        "district",
        "county",
        "street",
        "township",
        "community",
        "administrative_village",
    }
    villages = divisions.units(kind="administrative_village", under="420281000000")
    assert villages
    # Not every rural committee is a 村 (生产队 and 虚拟生活区 exist), but none is a 社区.
    assert not any("社区" in u.name or "居委会" in u.name for u in villages)
    assert divisions.find("向阳村", kind="administrative_village")[0].id == "420281103202"


def test_the_five_districts_are_shipped_and_nothing_else(divisions: OrgGraph) -> None:
    districts = [u for u in divisions if len(u.id) == 12 and u.id.endswith("000000")]
    counties = {u.id[:6] for u in districts if u.kind in ("district", "county")}
    assert counties == set(SEED_DISTRICTS)
    assert (
        len(divisions.units(kind="community")) + len(divisions.units(kind="administrative_village"))
        == 979
    )
    divisions.validate()


def test_a_prefix_loads_one_district_with_its_ancestors() -> None:
    g = load_divisions(prefix="340303")
    assert [u.name for u in g.chain("340303001001")][2:] == ["蚌山区", "蚌埠市", "安徽省"]
    assert {u.id[:6] for u in g.units(kind="street")} == {"340303"}
    assert "340102000000" not in g
    both = load_divisions(prefix=["340303", "340102"])
    assert "340102001003" in both
    with pytest.raises(ValueError, match="up to 12 digits"):
        load_divisions(prefix="34a")


def test_extract_writes_the_same_columns_and_reloads(tmp_path: Path) -> None:
    counts = extract_divisions(shipped_divisions(), tmp_path, ["230203"])
    assert counts["provinces.csv"] == 1
    assert counts["areas.csv"] == 1
    for level in LEVELS:
        with (tmp_path / level.file).open(encoding="utf-8") as handle:
            assert tuple(next(csv.reader(handle))) == level.columns
    again = load_divisions(tmp_path)
    assert sorted(u.id for u in again) == sorted(u.id for u in load_divisions(prefix="230203"))


@pytest.mark.skipif(not SHARED.exists(), reason="the full table in ../shared is not present")
def test_the_shipped_extracts_are_what_extract_makes_from_the_full_table(tmp_path: Path) -> None:
    extract_divisions(SHARED, tmp_path)
    for level in LEVELS:
        made = (tmp_path / level.file).read_text(encoding="utf-8")
        assert made == (shipped_divisions() / level.file).read_text(encoding="utf-8"), level.file


def _write(folder: Path, overrides: dict[str, list[str]]) -> Path:
    """Copy the shipped 建华区 extract into ``folder`` with some files' rows replaced."""
    extract_divisions(shipped_divisions(), folder, ["230203"])
    for file, lines in overrides.items():
        path = folder / file
        header = path.read_text(encoding="utf-8").splitlines()[0]
        path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("file", "lines", "row", "problem"),
    [
        ("villages.csv", ["23020300200,短码,230203002,23,2302,230203"], 2, "must have 12 digits"),
        ("villages.csv", ["230203002001,,230203002,23,2302,230203"], 2, "has no name"),
        (
            "villages.csv",
            ["230203002001,甲社区,230203002,23,2302,230203", "230203002002,乙社区,230203002"],
            3,
            "expected 6 columns",
        ),
        (
            "villages.csv",
            ["230203002001,甲社区,230203009,23,2302,230203"],
            2,
            "is not the beginning",
        ),
        ("villages.csv", ["230203099001,甲社区,230203099,23,2302,230203"], 2, "is not loaded"),
        (
            "villages.csv",
            ["230203002001,甲社区,230203002,23,2302,230203"] * 2,
            3,
            "already in the graph",
        ),
        ("streets.csv", ["230203abc,坏街道,230203,23,2302"], 2, "must have 9 digits"),
    ],
)
def test_bad_rows_name_file_and_row(
    tmp_path: Path, file: str, lines: list[str], row: int, problem: str
) -> None:
    folder = _write(tmp_path, {file: lines})
    with pytest.raises(DataLoadError) as caught:
        load_divisions(folder)
    assert caught.value.source.endswith(file)
    assert caught.value.row == row
    assert problem in caught.value.problem


def test_a_wrong_header_is_row_1_and_a_missing_file_row_0(tmp_path: Path) -> None:
    folder = _write(tmp_path, {})
    (folder / "cities.csv").write_text("code,title\n2302,齐齐哈尔市\n", encoding="utf-8")
    with pytest.raises(DataLoadError) as caught:
        load_divisions(folder)
    assert (caught.value.row, Path(caught.value.source).name) == (1, "cities.csv")
    with pytest.raises(DataLoadError) as caught:
        load_divisions(tmp_path / "missing")
    assert caught.value.row == 0
    assert "cannot open" in caught.value.problem
