"""Grid and division codes: declarative layouts, round trips, and every way a code is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govflow.errors import InvalidCodeError
from govflow.org import (
    BEIJING_GRID_15,
    CJT349_GRID_20,
    DIVISION_12,
    LAYOUTS,
    CodeLayout,
    Segment,
    derive,
)


def test_the_division_code_of_yuyixiang_decodes_into_county_street_committee() -> None:
    assert DIVISION_12.decode("340303001001") == {
        "county": "340303",
        "street": "001",
        "committee": "001",
    }
    assert DIVISION_12.level("340303001001") == "committee"
    assert DIVISION_12.level("340303001000") == "street"
    assert DIVISION_12.level("340303000000") == "county"


def test_layout_lengths_are_12_15_and_20() -> None:
    assert [layout.length for layout in LAYOUTS.values()] == [12, 15, 20]
    assert BEIJING_GRID_15.names == ("county", "street", "committee", "grid")
    assert CJT349_GRID_20.names == ("object", "county", "street", "committee", "grid")


def test_encode_pads_integers_and_fills_missing_segments_with_zeros() -> None:
    assert DIVISION_12.encode(county="330502", street=13, committee=7) == "330502013007"
    assert DIVISION_12.encode(county="330502") == "330502000000"
    assert DIVISION_12.encode({"county": "330502", "street": "013"}) == "330502013000"


def test_a_beijing_grid_code_extends_the_community_code() -> None:
    code = derive("340303001001", DIVISION_12, BEIJING_GRID_15, "grid", 3)
    assert code == "340303001001003"
    assert BEIJING_GRID_15.decode(code)["grid"] == "003"


def test_a_cjt349_grid_code_puts_the_object_code_first() -> None:
    code = derive("230203002006", DIVISION_12, CJT349_GRID_20, "grid", 12, object="010100")
    assert code == "01010023020300200612"
    assert CJT349_GRID_20.decode(code)["committee"] == "006"
    # A community that is not subdivided has grid sequence 00.
    assert CJT349_GRID_20.is_valid("01010023020300200600")


def test_child_numbers_the_segment_below_the_parent() -> None:
    parent = DIVISION_12.decode("340303001000")
    assert DIVISION_12.child(parent, "committee", 12) == "340303001012"
    assert DIVISION_12.child(DIVISION_12.decode("340303000000"), "street", 2) == "340303002000"


@pytest.mark.parametrize(
    ("layout", "code", "segment", "fragment"),
    [
        (DIVISION_12, "34030300100", "committee", "11 characters"),
        (DIVISION_12, "3403030010011", "committee", "13 characters"),
        (DIVISION_12, "34030300100x", "committee", "decimal digits"),
        (DIVISION_12, "34030300１001", "street", "decimal digits"),  # full-width digit
        (DIVISION_12, "940303001001", "county", "does not match"),
        (DIVISION_12, "000000001001", "county", "all zeros"),
        (DIVISION_12, "340303000001", "committee", "level above (street) is absent"),
        (BEIJING_GRID_15, "340303001001000", "grid", "all zeros"),
        (BEIJING_GRID_15, "340303000001001", "street", "all zeros"),
        (BEIJING_GRID_15, "34030300100100", "grid", "14 characters"),
        (CJT349_GRID_20, "00000023020300200612", "object", "all zeros"),
        (CJT349_GRID_20, "01010023020300200a12", "committee", "decimal digits"),
        (CJT349_GRID_20, "0101009302030020061", "grid", "19 characters"),
    ],
)
def test_every_rejection_names_the_wrong_segment(
    layout: CodeLayout, code: str, segment: str, fragment: str
) -> None:
    with pytest.raises(InvalidCodeError) as caught:
        layout.validate(code)
    assert caught.value.segment == segment
    assert caught.value.layout == layout.name
    assert caught.value.code == code
    assert fragment in caught.value.problem
    assert not layout.is_valid(code)


def test_ranges_are_checked_both_ways() -> None:
    layout = CodeLayout(
        "floor", [Segment("building", 2, zero=False), Segment("floor", 2, low=1, high=33)]
    )
    assert layout.encode(building=5, floor=33) == "0533"
    with pytest.raises(InvalidCodeError, match="above 33") as caught:
        layout.validate("0534")
    assert caught.value.segment == "floor"
    low = CodeLayout("x", [Segment("a", 2, low=10)], hierarchical=False)
    with pytest.raises(InvalidCodeError, match="below 10"):
        low.validate("09")


def test_encode_refuses_unknown_segments_and_numbers_too_long() -> None:
    with pytest.raises(InvalidCodeError) as caught:
        DIVISION_12.encode(county="340303", grid=1)
    assert caught.value.segment == "grid"
    with pytest.raises(InvalidCodeError) as caught:
        DIVISION_12.encode(county="340303", street=1000)
    assert caught.value.segment == "street"
    with pytest.raises(InvalidCodeError):
        DIVISION_12.encode(county="340303", street=-1)
    with pytest.raises(InvalidCodeError):
        DIVISION_12.child({"county": "340303"}, "grid", 1)


def test_a_layout_with_repeated_segment_names_is_refused() -> None:
    with pytest.raises(ValueError, match="repeat"):
        CodeLayout("bad", [Segment("a", 1), Segment("a", 1)])


counties = st.from_regex(r"[1-8][0-9]{5}", fullmatch=True)


@given(county=counties, street=st.integers(1, 999), committee=st.integers(0, 999))
def test_division_codes_round_trip(county: str, street: int, committee: int) -> None:
    code = DIVISION_12.encode(county=county, street=street, committee=committee)
    parts = DIVISION_12.decode(code)
    assert DIVISION_12.encode(parts) == code
    assert int(parts["street"]) == street
    assert int(parts["committee"]) == committee


@given(
    county=counties,
    street=st.integers(1, 999),
    committee=st.integers(1, 999),
    grid=st.integers(1, 999),
    obj=st.integers(1, 999_999),
)
def test_grid_codes_round_trip(
    county: str, street: int, committee: int, grid: int, obj: int
) -> None:
    division = DIVISION_12.encode(county=county, street=street, committee=committee)
    beijing = derive(division, DIVISION_12, BEIJING_GRID_15, "grid", grid)
    assert beijing.startswith(division)
    assert BEIJING_GRID_15.encode(BEIJING_GRID_15.decode(beijing)) == beijing
    cjt = derive(division, DIVISION_12, CJT349_GRID_20, "grid", grid % 100, object=obj)
    assert cjt[6:18] == division
    assert CJT349_GRID_20.encode(CJT349_GRID_20.decode(cjt)) == cjt


@given(st.text(alphabet="0123456789x", min_size=10, max_size=14))
def test_validate_and_is_valid_agree(code: str) -> None:
    if DIVISION_12.is_valid(code):
        assert DIVISION_12.validate(code) == code
    else:
        with pytest.raises(InvalidCodeError) as caught:
            DIVISION_12.validate(code)
        assert caught.value.segment in DIVISION_12.names
