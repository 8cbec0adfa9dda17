"""Every example of the GeoReport v2 spec, XML and JSON, answered by govflow's server.

The spec's example city is rebuilt on an engine (see conftest.py), its example requests opened
and moved as the examples describe them, and each endpoint's answer compared with the spec's
document, read with govflow's own readers: the XML example against the XML answer, the JSON
example (leading-zero codes and all) against the JSON answer, and the two formats against each
other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from govflow import Actor, ManualClock
from govflow.audit.personal import is_sealed
from govflow.interop.open311 import normalized, parse_json, parse_xml
from govflow.testing.web import LiveServer
from govflow.web import SignedTokens

from .conftest import example

PAIRS = [
    ("service_list", "/services"),
    ("service_definition", "/services/DMV66"),
    ("service_requests", "/requests"),
    ("service_request", "/requests/638344"),
]


def test_the_spec_examples_read_the_same_in_xml_and_json() -> None:
    names = [
        "service_list",
        "service_definition",
        "post_response",
        "token",
        "service_requests",
        "service_request",
        "errors",
    ]
    for name in names:
        assert parse_xml(example(f"{name}.xml")) == parse_json(example(f"{name}.json")), name


def test_leading_zero_codes_are_kept_as_strings() -> None:
    services = parse_json(example("service_list.json"))
    assert [s["service_code"] for s in services] == ["001", "002", "003"]
    assert parse_json('{"service_request_id": 638344, "lat": 37.5}') == {
        "service_request_id": "638344",
        "lat": 37.5,
    }


def _spec_city(city: Any) -> None:
    """Requests 638344 (closed as a duplicate) and 638349 (open, urgent) of the examples."""
    clock: ManualClock = city.clock
    where = {
        "address_string": "8TH AVE and JUDAH ST",
        "address_id": "545483",
        "zipcode": "94122",
        "lat": 37.762221815,
        "long": -122.4651145,
    }
    city.open(
        "georeport",
        reporter="resident",
        category="curb",
        issue_id="638344",
        data={
            **where,
            "service_code": "006",
            "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638344.jpg",
        },
    )
    city.fire(
        "638344",
        "close",
        actor=Actor("clerk", roles={"staff"}),
        payload={"status_notes": "Duplicate request."},
    )
    clock.set(datetime.fromisoformat("2010-04-19T06:37:38-08:00"))
    city.open(
        "georeport",
        reporter="resident",
        category="curb",
        issue_id="638349",
        data={
            **where,
            "service_code": "006",
            "urgent": True,
            "media_url": "http://city.gov.s3.amazonaws.com/requests/media/638349.jpg",
        },
    )


@pytest.fixture
def served(govflow_web: Any, city: Any, front: Any, listed_front: Any) -> dict[str, LiveServer]:
    _spec_city(city)
    return {
        "listed": govflow_web(city, open311=listed_front),
        "full": govflow_web(city, open311=front),
    }


@pytest.mark.parametrize(("name", "path"), PAIRS, ids=[p[0] for p in PAIRS])
def test_each_get_answers_as_the_spec_shows(
    served: dict[str, LiveServer], name: str, path: str
) -> None:
    server = served["listed" if name == "service_list" else "full"]
    query = {"jurisdiction_id": "city.gov"}
    with server.client() as client:
        xml = client.get(f"/open311/v2{path}.xml", params=query)
        json = client.get(f"/open311/v2{path}.json", params=query)
    assert xml.status_code == json.status_code == 200
    assert xml.headers["content-type"] == "text/xml; charset=utf-8"
    assert json.headers["content-type"] == "application/json; charset=utf-8"
    assert xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert parse_xml(xml.content) == parse_xml(example(f"{name}.xml"))
    assert parse_json(json.content) == parse_json(example(f"{name}.json"))
    assert normalized(json.json()) == parse_xml(xml.content)


def _spec_form(token: str) -> dict[str, list[str]]:
    body = example("post_request.http").split("\n\n", 1)[1].strip()
    form = parse_qs(body, keep_blank_values=True)
    form["api_key"] = [token]  # the spec's "xyz", as this city issues keys
    return form


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_example_post_answers_as_the_spec_shows(
    served: dict[str, LiveServer], city: Any, govflow_tokens: SignedTokens, fmt: str
) -> None:
    with served["full"].client() as client:
        answer = client.post(
            f"/open311/v2/requests.{fmt}", data=_spec_form(govflow_tokens.issue("resident-7"))
        )
    assert answer.status_code == 200, answer.text
    got = parse_xml(answer.content) if fmt == "xml" else parse_json(answer.content)
    spec = parse_xml(example("post_response.xml"))
    created = got[0]["service_request_id"]
    assert got == [{**spec[0], "service_request_id": created}]
    issue = city.store.get(created)  # as stored: personal data and all
    assert issue.reporter == "resident-7"
    assert issue.category == "sanitation/cans"
    assert issue.data["attributes"] == {"WHISPAWN": "123456", "WHISDORN": "COISL001"}
    assert issue.data["address_string"] == "1234 5th street"
    assert is_sealed(issue.data["personal"])  # kept, sealed under the resident's key
    opened = city.get(created, reader="resident-7").data["personal"]
    assert opened["email"] == "smit333@sfgov.edu"  # and shown to the resident only
    assert "personal" not in city.get(created).data  # what a read without permission gets


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_batch_post_answers_with_a_token_that_later_gives_the_id(
    served: dict[str, LiveServer], city: Any, govflow_tokens: SignedTokens, fmt: str
) -> None:
    form = {
        "service_code": "B01",
        "address_string": "1 Main St",
        "api_key": govflow_tokens.issue("resident-8"),
    }
    with served["full"].client() as client:
        answer = client.post(f"/open311/v2/requests.{fmt}", data=form)
        read = parse_xml if fmt == "xml" else parse_json
        posted = read(answer.content)
        assert "service_request_id" not in posted[0]
        token = posted[0]["token"]
        looked_up = read(client.get(f"/open311/v2/tokens/{token}.{fmt}").content)
        unknown = client.get(f"/open311/v2/tokens/forged.{fmt}")
    spec = read(example(f"token.{fmt}"))
    assert looked_up[0].keys() == spec[0].keys()
    assert looked_up[0]["token"] == token
    assert city.get(looked_up[0]["service_request_id"]).data["address_string"] == "1 Main St"
    assert unknown.status_code == 404


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_invalid_api_key_is_the_specs_error(
    served: dict[str, LiveServer], city: Any, fmt: str
) -> None:
    before = len(city.store)
    with served["full"].client() as client:
        answer = client.post(f"/open311/v2/requests.{fmt}", data=_spec_form("xyz"))
    assert answer.status_code == 403
    read = parse_xml if fmt == "xml" else parse_json
    assert read(answer.content) == read(example(f"errors.{fmt}"))
    assert len(city.store) == before
