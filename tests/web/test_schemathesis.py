"""schemathesis against the app's own OpenAPI document: no generated request is a 500.

Bounded: a few examples per operation, no deadline per example (the machine is shared), and
every request goes to a real uvicorn server on 127.0.0.1, signed in as staff holding every role
of the closed loop, with a few issues in the store for the generated ids to hit.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from govflow import Engine
from govflow.testing.web import LiveServer
from govflow.web import SignedTokens, openapi_document

ROLES = ["operator", "dispatcher", "inspector", "grid_worker"]


@pytest.fixture
def live(govflow_web: Any, govflow_engine: Any) -> LiveServer:
    engine = govflow_engine()
    for _ in range(3):
        engine.open("closed-loop", reporter="staff", data={"description": "seed"})
    served: LiveServer = govflow_web(engine)
    return served


#: The document a server over the built-in workflows publishes (the test checks it is).
DOCUMENT = openapi_document(Engine(autoload=False))
OPERATIONS = [
    result.ok() for result in schemathesis.openapi.from_dict(DOCUMENT).get_all_operations()
]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_generated_request_is_a_server_error(
    operation: Any, live: LiveServer, govflow_tokens: SignedTokens
) -> None:
    with live.client() as client:
        assert client.get("/openapi.json").json() == DOCUMENT
    token = govflow_tokens.issue("staff", ROLES)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def no_server_error(case: Any) -> None:
        response = case.call(
            base_url=live.url, session=session, headers={"Authorization": f"Bearer {token}"}
        )
        case.validate_response(response, checks=(not_a_server_error,))

    # One session, closed here: a session per call may leave its socket to the garbage collector,
    # whose ResourceWarning would then fail whichever test happens to be running.
    with requests.Session() as session:
        no_server_error()
