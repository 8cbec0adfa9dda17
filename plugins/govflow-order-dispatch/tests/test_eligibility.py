"""The free health check's age bands, dated: "从2020年起,对男60-64周岁、女55-64周岁的居民实行免费
体检,并逐步放宽年龄"."""

from __future__ import annotations

from datetime import date

import pytest
from govflow_order_dispatch import FREE_HEALTH_CHECK, AgeBand, Eligibility
from govflow_order_dispatch.eligibility import age_on
from hypothesis import given
from hypothesis import strategies as st

from govflow.errors import DefinitionError

DAY = date(2024, 6, 1)


def test_age_counts_whole_years_up_to_the_birthday() -> None:
    assert age_on(date(1964, 6, 1), DAY) == 60
    assert age_on(date(1964, 6, 2), DAY) == 59
    assert age_on(date(1960, 2, 29), date(2024, 2, 28)) == 63


@pytest.mark.parametrize(
    ("sex", "born", "admitted"),
    [
        ("male", "1964-06-01", True),  # 60 today
        ("male", "1964-06-02", False),  # 60 tomorrow
        ("male", "1959-06-02", True),  # 64, 65 tomorrow
        ("male", "1959-06-01", False),  # 65 today
        ("female", "1969-06-01", True),  # 55
        ("female", "1969-06-02", False),  # 54
        ("female", "1959-06-02", True),  # 64
    ],
)
def test_the_bands_are_inclusive_in_whole_years(sex: str, born: str, admitted: bool) -> None:
    person = {"sex": sex, "birth_date": born}
    assert FREE_HEALTH_CHECK.admits(person, DAY) is admitted


def test_the_rule_says_why_it_refuses() -> None:
    refusal = FREE_HEALTH_CHECK.refusal({"sex": "male", "birth_date": "1970-01-01"}, DAY)
    assert refusal is not None
    assert "aged 60-64; this one is 54" in refusal
    assert "sex" in str(FREE_HEALTH_CHECK.refusal({"birth_date": "1960-01-01"}, DAY))
    assert "birth date" in str(FREE_HEALTH_CHECK.refusal({"sex": "male"}, DAY))
    assert "ISO" in str(FREE_HEALTH_CHECK.refusal({"sex": "male", "birth_date": "1960/1/1"}, DAY))
    assert "no band" in str(
        FREE_HEALTH_CHECK.refusal({"sex": "male", "birth_date": "1958-01-01"}, date(2019, 12, 31))
    )


def test_a_widening_is_a_later_band_and_earlier_days_keep_the_old_rule() -> None:
    """The seed says the ages widen without saying how; a hypothetical widening to men of 55
    from 2025 shows the shape: the old band ends, the new one starts."""
    widened = Eligibility(
        "免费体检",
        (
            AgeBand("male", 60, 64, since=date(2020, 1, 1), until=date(2025, 1, 1)),
            AgeBand("male", 55, 64, since=date(2025, 1, 1)),
            AgeBand("female", 55, 64, since=date(2020, 1, 1)),
        ),
    )
    man_of_57 = {"sex": "male", "birth_date": "1967-03-01"}
    assert not widened.admits(man_of_57, date(2024, 12, 31))
    assert widened.admits(man_of_57, date(2025, 1, 1))
    assert len(widened.bands_on(date(2024, 6, 1))) == 2


def test_a_band_is_well_formed() -> None:
    with pytest.raises(DefinitionError, match="empty"):
        AgeBand("male", 64, 60, since=DAY)
    with pytest.raises(DefinitionError, match="ends before"):
        AgeBand("male", 60, 64, since=DAY, until=DAY)
    with pytest.raises(ValueError, match="sex"):
        AgeBand("both", 60, 64, since=DAY)


@given(st.dates(date(1940, 1, 1), date(1990, 12, 31)), st.sampled_from(["male", "female"]))
def test_admitted_exactly_when_the_age_is_in_the_band(born: date, sex: str) -> None:
    age = age_on(born, DAY)
    youngest = 60 if sex == "male" else 55
    person = {"sex": sex, "birth_date": born.isoformat()}
    assert FREE_HEALTH_CHECK.admits(person, DAY) == (youngest <= age <= 64)
