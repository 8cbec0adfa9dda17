"""Open311 GeoReport v2 over HTTP: the spec's validation, errors, filters and limits.

Every refusal is the spec's ``errors`` document with the spec's status, and stores nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from govflow import Actor, hookimpl
from govflow.errors import PluginError
from govflow.interop.open311 import Open311, Service, parse_json, parse_xml
from govflow.testing.web import LiveServer
from govflow.web import SignedTokens

from .conftest import GEOREPORT, SERVICE_LIST


@pytest.fixture
def server(govflow_web: Any, city: Any, front: Open311) -> LiveServer:
    served: LiveServer = govflow_web(city, open311=front, max_body=2048)
    return served


@pytest.fixture
def key(govflow_tokens: SignedTokens) -> str:
    return govflow_tokens.issue("resident-1")


def _errors(response: Any, status: int, fmt: str = "json") -> str:
    assert response.status_code == status, response.text
    read = parse_json if fmt == "json" else parse_xml
    errors = read(response.content)
    assert isinstance(errors, list)
    assert errors[0]["code"] == status
    description: str = errors[0]["description"]
    return description


def _post(server: LiveServer, form: dict[str, Any], fmt: str = "json", **options: Any) -> Any:
    with server.client() as client:
        return client.post(f"/open311/v2/requests.{fmt}", data=form, **options)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_posts_are_the_specs_errors_and_store_nothing(
    server: LiveServer, city: Any, key: str, fmt: str
) -> None:
    good = {"api_key": key, "service_code": "002", "address_string": "1 Main St"}
    cases = [
        ({**good, "service_code": "999"}, 404, "service_code '999' was not found"),
        ({k: v for k, v in good.items() if k != "service_code"}, 400, "service_code was not"),
        ({**good, "jurisdiction_id": "other.gov"}, 404, "jurisdiction_id 'other.gov'"),
        ({k: v for k, v in good.items() if k != "address_string"}, 400, "a location is"),
        ({**good, "lat": "37.1"}, 400, "lat and long"),
        ({**good, "lat": "137", "long": "1"}, 400, "out of range"),
        ({**good, "lat": "north", "long": "1"}, 400, "not a number"),
        ({**good, "attribute[NOPE]": "x"}, 400, "no attribute 'NOPE'"),
        ({**good, "media_url": "javascript:alert(1)"}, 400, "http(s) URL"),
        ({**good, "phone": "1" * 600}, 400, "phone is too long"),
        ({k: v for k, v in good.items() if k != "api_key"}, 403, "api_key was not provided"),
    ]
    for form, status, words in cases:
        assert words in _errors(_post(server, form, fmt), status, fmt), form
    with server.client() as client:
        not_a_form = client.post(f"/open311/v2/requests.{fmt}", json=good)
        broken = client.post(
            f"/open311/v2/requests.{fmt}",
            content=b"\xff\xfe",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    _errors(not_a_form, 400, fmt)
    _errors(broken, 400, fmt)
    assert len(city.store) == 0
    assert _post(server, good, fmt).status_code == 200
    assert len(city.store) == 1


def test_an_oversized_post_is_413_before_it_is_read(server: LiveServer, city: Any) -> None:
    form = {"service_code": "002", "address_string": "x" * 4000}
    assert "at most 2048" in _errors(_post(server, form), 413)
    assert len(city.store) == 0


def test_attributes_are_checked_against_their_six_datatypes(server: LiveServer, key: str) -> None:
    base = {
        "api_key": key,
        "service_code": "A01",
        "lat": "31.2",
        "long": "121.5",
        "attribute[REQ]": "r",
    }
    accepted = _post(
        server,
        {
            **base,
            "attribute[S]": "one line",
            "attribute[N]": "12.5",
            "attribute[D]": "2010-04-14T06:37:38-08:00",
            "attribute[T]": "two\nlines",
            "attribute[ONE]": "a",
            "attribute[MANY][]": ["x", "y"],
        },
    )
    assert accepted.status_code == 200, accepted.text
    refused = [
        ({"attribute[S]": "two\nlines"}, "line breaks"),
        ({"attribute[N]": "twelve"}, "not a number"),
        ({"attribute[N]": "nan"}, "finite"),
        ({"attribute[D]": "2010-04-14T06:37:38"}, "offset"),
        ({"attribute[D]": "yesterday"}, "ISO 8601"),
        ({"attribute[ONE]": "b"}, "not among"),
        ({"attribute[ONE][]": ["a", "a"]}, "one value"),
        ({"attribute[MANY][]": ["x", "z"]}, "not among"),
        ({"attribute[REQ]": ""}, "requires"),
    ]
    for extra, words in refused:
        form = {**base, **extra}
        if extra.get("attribute[REQ]") == "":
            form.pop("attribute[REQ]")
        assert words in _errors(_post(server, form), 400), extra


def test_the_definition_of_an_unknown_service_is_404(server: LiveServer) -> None:
    with server.client() as client:
        _errors(client.get("/open311/v2/services/999.json"), 404)
        _errors(client.get("/open311/v2/services/999.xml"), 404, "xml")
        _errors(client.get("/open311/v2/services.yaml"), 404, "xml")
        _errors(client.get("/open311/v2/requests/404.json"), 404)


def test_another_jurisdictions_data_is_not_found(server: LiveServer, city: Any, key: str) -> None:
    assert (
        _post(server, {"api_key": key, "service_code": "002", "address_id": "7"}).status_code == 200
    )
    issue_id = next(city.issues()).id
    other = {"jurisdiction_id": "other.gov"}
    with server.client() as client:
        for path in ("/services", "/services/002", "/requests", f"/requests/{issue_id}"):
            assert "other.gov" in _errors(client.get(f"/open311/v2{path}.json", params=other), 404)
        mine = client.get(
            f"/open311/v2/requests/{issue_id}.json", params={"jurisdiction_id": "city.gov"}
        )
    assert mine.status_code == 200


def _open_many(city: Any, count: int, step: timedelta, code: str = "002") -> list[str]:
    ids = []
    for _ in range(count):
        ids.append(
            city.open(
                "georeport",
                reporter="r",
                category="street/plate",
                data={"service_code": code, "address_string": "1 Main St"},
            ).id
        )
        city.clock.advance(seconds=step.total_seconds())
    return ids


def test_the_filters_window_and_cap(server: LiveServer, city: Any) -> None:
    old = _open_many(city, 2, timedelta(days=50))  # 100 days ago and 50 days ago, then now
    recent = _open_many(city, 3, timedelta(hours=1))
    city.fire(recent[0], "close", actor=Actor("clerk", roles={"staff"}))
    with server.client() as client:

        def ids(**params: str) -> list[str]:
            answer = client.get("/open311/v2/requests.json", params=params)
            assert answer.status_code == 200, answer.text
            return [r["service_request_id"] for r in parse_json(answer.content)]

        assert ids() == [old[1], *recent]  # the default: the last 90 days, oldest first
        assert ids(status="closed") == [recent[0]]
        assert ids(status="open") == [old[1], *recent[1:]]
        assert ids(status="open,closed") == [old[1], *recent]
        assert ids(service_code="003") == []
        assert ids(service_code="002,003") == [old[1], *recent]
        start = old[0]
        first = city.get(start).opened_at
        assert ids(start_date=first.isoformat()) == [old[0], old[1]]  # 90 days from the start
        assert ids(service_request_id=f"{old[0]},{recent[2]},missing") == [old[0], recent[2]]
        too_wide = {"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-06-01T00:00:00Z"}
        assert "more than 90 days" in _errors(
            client.get("/open311/v2/requests.json", params=too_wide), 400
        )
        naive = {"start_date": "2010-01-01T00:00:00"}
        assert "offset" in _errors(client.get("/open311/v2/requests.json", params=naive), 400)
        backwards = {"start_date": "2010-06-01T00:00:00Z", "end_date": "2010-05-01T00:00:00Z"}
        assert "before" in _errors(client.get("/open311/v2/requests.json", params=backwards), 400)
        assert "options" in _errors(
            client.get("/open311/v2/requests.json", params={"status": "x"}), 400
        )
        assert "not found" in _errors(
            client.get("/open311/v2/requests.json", params={"service_code": "999"}), 404
        )


def test_a_query_returns_at_most_the_cap(govflow_web: Any, city: Any) -> None:
    front = Open311(SERVICE_LIST, jurisdiction="city.gov", limit=3)
    server = govflow_web(city, open311=front)
    opened = _open_many(city, 5, timedelta(minutes=1))
    with server.client() as client:
        answer = parse_json(client.get("/open311/v2/requests.json").content)
    assert [r["service_request_id"] for r in answer] == opened[:3]


def test_a_blackbox_post_answers_with_neither_id_nor_token(
    server: LiveServer, city: Any, key: str
) -> None:
    answer = parse_json(
        _post(server, {"api_key": key, "service_code": "X01", "address_id": "9"}).content
    )
    assert answer == [{"service_notice": None, "account_id": None}]
    assert len(city.store) == 1


def test_the_default_front_offers_one_service_per_workflow(
    govflow_web: Any, govflow_engine: Any
) -> None:
    engine = govflow_engine()
    with govflow_web(engine).client() as client:
        services = parse_xml(client.get("/open311/v2/services.xml").content)
    assert [s["service_code"] for s in services] == ["closed-loop"]
    assert services[0]["metadata"] is False


class LampPlugin:
    """A local method offering its category as an Open311 service."""

    @staticmethod
    @hookimpl
    def govflow_open311_services() -> list[Service]:
        return [Service("LAMP", "路灯不亮", "closed-loop", category="市政设施")]


def test_plugins_offer_services_and_other_workflows_get_their_own(
    govflow_engine: Any,
) -> None:
    engine = govflow_engine(LampPlugin(), workflows=[GEOREPORT])
    front = Open311.from_engine(engine)
    assert sorted(front.services) == ["LAMP", "georeport"]
    assert front.services["LAMP"].category == "市政设施"


def test_a_plugin_offering_something_else_is_named(govflow_engine: Any) -> None:
    class Broken:
        @hookimpl
        def govflow_open311_services(self) -> list[str]:
            return ["LAMP"]

    engine = govflow_engine(Broken())
    with pytest.raises(PluginError, match="not a Service"):
        Open311.from_engine(engine)
