"""Round trips: an issue seen as a service request, reported again, is the same issue; and a
document written in either format reads back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import Issue
from govflow.interop.open311 import (
    issue_data,
    normalized,
    parse_json,
    parse_xml,
    request_view,
    to_json,
    to_xml,
)
from govflow.interop.open311.requests import request_form

from .conftest import MORE_SERVICES

EVERY_DATATYPE = next(s for s in MORE_SERVICES if s.code == "A01")
OPENED = datetime(2024, 5, 1, 8, 30, tzinfo=UTC)

# Form text is stripped, and an empty parameter is no parameter: generate what survives that.
_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=40,
)
_line = st.builds(lambda a, b: f"{a} {b}", _text, _text)


@st.composite
def reported(draw: st.DrawFn) -> dict[str, Any]:
    data: dict[str, Any] = {"service_code": EVERY_DATATYPE.code}
    located = draw(st.sampled_from(["latlong", "address", "address_id"]))
    if located == "latlong":
        data["lat"] = draw(st.floats(-90, 90, allow_nan=False))
        data["long"] = draw(st.floats(-180, 180, allow_nan=False))
    if located == "address" or draw(st.booleans()):
        data["address_string"] = draw(_line)
    if located == "address_id" or draw(st.booleans()):
        data["address_id"] = draw(st.from_regex(r"[0-9]{1,9}", fullmatch=True))
    if draw(st.booleans()):
        data["description"] = draw(_line)
    if draw(st.booleans()):
        data["zipcode"] = draw(st.from_regex(r"[0-9]{6}", fullmatch=True))
    if draw(st.booleans()):
        data["media_url"] = "https://img.example.org/" + draw(
            st.from_regex(r"[a-z0-9]{1,12}", fullmatch=True)
        )
    attributes: dict[str, Any] = {"REQ": draw(_text)}
    if draw(st.booleans()):
        attributes["N"] = draw(st.integers(-(10**6), 10**6))
    if draw(st.booleans()):
        attributes["MANY"] = draw(st.lists(st.sampled_from(["x", "y"]), min_size=1, unique=True))
    if draw(st.booleans()):
        attributes["ONE"] = "a"
    if draw(st.booleans()):
        attributes["S"] = draw(_line)
    data["attributes"] = attributes
    return data


@settings(max_examples=150, deadline=None)
@given(reported())
def test_an_issue_reported_again_from_its_request_is_the_same_issue(data: dict[str, Any]) -> None:
    issue = Issue("7", "georeport", 1, "received", "all", None, "r", OPENED, OPENED, data=data)
    view = request_view(issue, EVERY_DATATYPE, closed=False, last=None, org=None)
    again = issue_data(EVERY_DATATYPE, request_form(view, issue))
    assert again == data
    # and through the wire: the request as XML and as JSON reads back as it was written
    assert parse_xml(to_xml("service_requests", [view])) == normalized([view])
    assert parse_json(to_json([view])) == normalized([view])
