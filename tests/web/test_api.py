"""The native HTTP API, against a real uvicorn server on 127.0.0.1 and a real HTTP client.

Every rule is the engine's: the API authenticates the caller, passes the request on, and
reports what the engine did or refused -- a refusal as an RFC 9457 problem document carrying
the error's fields, with nothing changed.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from govflow.testing.web import LiveServer
from govflow.web import PROBLEM_JSON, SignedTokens

STAFF = {
    "op": ["operator"],
    "dispatcher": ["dispatcher"],
    "inspector": ["inspector"],
    "gw1": ["grid_worker"],
    "resident": [],
    "neighbour": [],
}


@pytest.fixture
def engine(govflow_engine: Any) -> Any:
    return govflow_engine()


@pytest.fixture
def server(govflow_web: Any, engine: Any) -> LiveServer:
    served: LiveServer = govflow_web(engine, max_body=4096)
    return served


@pytest.fixture
def as_(server: LiveServer, govflow_tokens: SignedTokens) -> Any:
    clients: dict[str, httpx.Client] = {}

    def client(person: str) -> httpx.Client:
        if person not in clients:
            clients[person] = server.client(govflow_tokens.issue(person, STAFF[person]))
        return clients[person]

    yield client
    for made in clients.values():
        made.close()


def _problem(response: httpx.Response, status: int, error: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert {"type", "title", "detail"} <= document.keys()
    if error is not None:
        assert document["error"] == error
        assert document["type"].startswith("urn:govflow:problem:")
    return document


def _open(as_: Any) -> dict[str, Any]:
    response = as_("resident").post(
        "/issues", json={"workflow": "closed-loop", "data": {"description": "楼道灯坏了"}}
    )
    assert response.status_code == 201, response.text
    issue: dict[str, Any] = response.json()
    assert response.headers["location"].endswith(f"/issues/{issue['id']}")
    assert response.headers["etag"] == '"0"'
    return issue


def _fire(as_: Any, person: str, issue_id: str, trigger: str, **body: Any) -> httpx.Response:
    return as_(person).post(f"/issues/{issue_id}/fire", json={"trigger": trigger, **body})


def test_the_closed_loop_runs_over_http(as_: Any, engine: Any) -> None:
    issue = _open(as_)
    assert issue["state"] == "collected"
    assert issue["reporter"] == "resident"
    moves = [
        ("op", "file", {}),
        ("dispatcher", "dispatch", {"payload": {"assignees": ["gw1"]}}),
        ("gw1", "finish", {}),
        ("inspector", "verify", {}),
        ("resident", "evaluate", {"payload": {"satisfaction": "satisfied"}}),
    ]
    for version, (person, trigger, body) in enumerate(moves, start=1):
        triggers = as_(person).get(f"/issues/{issue['id']}/triggers").json()["triggers"]
        assert trigger in triggers
        response = _fire(as_, person, issue["id"], trigger, expected_version=version - 1, **body)
        assert response.status_code == 200, response.text
        assert response.json()["sequence"] == version
        assert response.headers["etag"] == f'"{version}"'
    read = as_("op").get(f"/issues/{issue['id']}")
    assert read.json()["state"] == "closed"
    assert read.json()["state_kind"] == "closed"
    assert read.headers["etag"] == '"5"'
    history = as_("op").get(f"/issues/{issue['id']}/history").json()
    assert [e["trigger"] for e in history] == ["open", *[m[1] for m in moves]]
    assert [e["previous_hash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]
    assert engine.verify(issue["id"]) == 6
    figures = as_("op").get("/figures").json()
    assert figures["total"]["completion_rate"] == 1.0
    assert figures["total"]["satisfaction_rate"] == 1.0
    assert figures["ranking"] == ["(none)"]


def test_a_refused_move_is_a_problem_document_and_changes_nothing(as_: Any, engine: Any) -> None:
    issue = _open(as_)
    document = _problem(_fire(as_, "resident", issue["id"], "file"), 403, "PermissionDeniedError")
    assert document["issue_id"] == issue["id"]
    assert document["trigger"] == "file"
    assert document["actor"] == "resident"
    assert document["missing_roles"] == ["operator"]
    wrong = _problem(_fire(as_, "op", issue["id"], "verify"), 409, "TransitionNotAllowedError")
    assert wrong["state"] == "collected"
    assert wrong["available"] == ["file", "cancel"]
    guard = _problem(_fire(as_, "op", issue["id"], "cancel"), 422, "GuardFailedError")
    assert guard["guard"] == "reason_given"
    assert len(engine.history(issue["id"])) == 1
    assert as_("op").get(f"/issues/{issue['id']}").json()["version"] == 0


def test_a_stale_version_is_412_and_changes_nothing(as_: Any, engine: Any) -> None:
    issue = _open(as_)
    assert _fire(as_, "op", issue["id"], "file").status_code == 200
    stale = as_("dispatcher").post(
        f"/issues/{issue['id']}/fire",
        json={"trigger": "dispatch", "payload": {"assignees": ["gw1"]}},
        headers={"If-Match": '"0"'},
    )
    document = _problem(stale, 412, "ConflictError")
    assert stale.headers["etag"] == '"1"'  # what to read again at
    assert "expected version 0" in document["detail"]
    by_body = _fire(
        as_, "dispatcher", issue["id"], "dispatch", expected_version=0, payload={"assignees": []}
    )
    _problem(by_body, 412, "ConflictError")
    assert engine.get(issue["id"]).version == 1
    clash = as_("dispatcher").post(
        f"/issues/{issue['id']}/fire",
        json={"trigger": "dispatch", "expected_version": 1},
        headers={"If-Match": '"0"'},
    )
    _problem(clash, 400)


def test_an_idempotent_retry_returns_the_first_event(as_: Any, engine: Any) -> None:
    issue = _open(as_)
    headers = {"Idempotency-Key": "req-42"}
    first = as_("op").post(f"/issues/{issue['id']}/fire", json={"trigger": "file"}, headers=headers)
    again = as_("op").post(f"/issues/{issue['id']}/fire", json={"trigger": "file"}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(engine.history(issue["id"])) == 2
    reused = as_("op").post(
        f"/issues/{issue['id']}/fire", json={"trigger": "cancel"}, headers=headers
    )
    _problem(reused, 409, "ConflictError")


def test_malformed_and_oversized_bodies_are_refused_and_store_nothing(
    as_: Any, engine: Any, server: LiveServer
) -> None:
    client = as_("resident")
    _problem(
        client.post("/issues", content=b"{not json", headers={"content-type": "application/json"}),
        400,
    )
    _problem(client.post("/issues", json={"data": {}}), 422, "InvalidRequestError")
    _problem(client.post("/issues", json={"workflow": "no-such"}), 422, "InvalidRequestError")
    _problem(client.post("/issues", json=["workflow"]), 422)
    _problem(client.post("/issues", content=b"workflow=x"), 415)
    huge = {"workflow": "closed-loop", "data": {"description": "x" * 5000}}
    _problem(client.post("/issues", json=huge), 413)
    streamed = client.post(
        "/issues",
        content=iter([b'{"workflow": "closed-loop", "data": {"d": "', b"y" * 5000, b'"}}']),
        headers={"content-type": "application/json"},
    )
    _problem(streamed, 413)
    assert len(engine.store) == 0


def test_callers_must_authenticate(server: LiveServer, engine: Any) -> None:
    with server.client() as anonymous:
        refused = anonymous.post("/issues", json={"workflow": "closed-loop"})
        _problem(refused, 401)
        assert refused.headers["www-authenticate"] == "Bearer"
    forged = SignedTokens("another secret").issue("op", ["operator"])
    with server.client(forged) as impostor:
        _problem(impostor.get("/workflows"), 401)
    with server.client(headers={"Authorization": "Basic b3A6b3A="}) as basic:
        _problem(basic.get("/workflows"), 401)
    assert len(engine.store) == 0


def test_unknown_things_are_404_problems(as_: Any) -> None:
    _problem(as_("op").get("/issues/nope"), 404, "UnknownIssueError")
    _problem(as_("op").get("/issues/nope/history"), 404, "UnknownIssueError")
    _problem(as_("op").get("/workflows/nope"), 404, "UnknownWorkflowError")
    _problem(as_("op").get("/no/such/path"), 404)
    _problem(as_("op").delete("/issues"), 405)


def test_workflows_and_their_diagrams_are_published(as_: Any) -> None:
    listed = as_("op").get("/workflows").json()
    assert [w["name"] for w in listed] == ["closed-loop"]
    assert listed[0]["plugin"] == "govflow.closed_loop"
    one = as_("op").get("/workflows/closed-loop").json()
    assert one["initial"] == "collected"
    diagram = as_("op").get("/workflows/closed-loop/diagram")
    assert diagram.headers["content-type"].startswith("text/vnd.mermaid")
    assert diagram.text.startswith("stateDiagram-v2")


def test_the_openapi_document_carries_the_engines_schemas(as_: Any, server: LiveServer) -> None:
    with server.client() as anonymous:
        document = anonymous.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    assert schemas["OpenIssue"]["properties"]["workflow"]["enum"] == ["closed-loop"]
    assert "dispatch" in schemas["Fire"]["properties"]["trigger"]["enum"]
    assert set(document["paths"]) >= {"/issues", "/issues/{issue_id}/fire", "/figures"}


def test_an_issue_is_seen_only_by_those_the_engine_lets_see_it(as_: Any) -> None:
    issue = _open(as_)
    for path in ("", "/history", "/triggers"):
        assert as_("resident").get(f"/issues/{issue['id']}{path}").status_code == 200
        assert as_("op").get(f"/issues/{issue['id']}{path}").status_code == 200
        hidden = as_("neighbour").get(f"/issues/{issue['id']}{path}")
        assert _problem(hidden, 404, "UnknownIssueError")["issue_id"] == issue["id"]
