"""The JSON Schemas of the API's request bodies, built from the engine, and its OpenAPI document.

The schemas are derived from what the engine has registered: the workflows an issue may be
opened on, the triggers a move may name. The same schema objects validate each request body
(with ``jsonschema``) before the engine is called, and are published in the OpenAPI document,
so the document cannot drift from what the server accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import jsonschema

from govflow.errors import InvalidRequestError
from govflow.workflow.spec import Channel

if TYPE_CHECKING:
    from govflow.engine import Engine

_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"
_TEXT: Final = {"type": "string", "minLength": 1, "maxLength": 200}
_OPTIONAL_TEXT: Final = {"type": ["string", "null"], "minLength": 1, "maxLength": 200}
_TIME: Final = {"type": ["string", "null"], "format": "date-time"}


def request_schemas(engine: Engine) -> dict[str, dict[str, Any]]:
    """The request bodies' schemas: ``OpenIssue`` and ``Fire``."""
    workflows = sorted(engine.workflows)
    triggers = sorted({t for w in engine.workflows.values() for t in w.triggers})
    return {
        "OpenIssue": {
            "type": "object",
            "additionalProperties": False,
            "required": ["workflow"],
            "properties": {
                "workflow": {"type": "string", "enum": workflows},
                "version": {"type": "integer", "minimum": 1},
                "location": _OPTIONAL_TEXT,
                "category": _OPTIONAL_TEXT,
                "data": {"type": "object"},
                "reporter": _OPTIONAL_TEXT,
                "channel": {"type": ["string", "null"], "enum": [*(str(c) for c in Channel), None]},
            },
        },
        "Fire": {
            "type": "object",
            "additionalProperties": False,
            "required": ["trigger"],
            "properties": {
                "trigger": {"type": "string", "enum": triggers} if triggers else _TEXT,
                "payload": {"type": "object"},
                "expected_version": {"type": "integer", "minimum": 0},
            },
        },
    }


def response_schemas() -> dict[str, dict[str, Any]]:
    """The response bodies' schemas."""
    strings = {"type": "array", "items": {"type": "string"}}
    rate = {"type": ["number", "null"]}
    figures = {
        "type": "object",
        "properties": {
            "group": {"type": "string"},
            **{
                name: {"type": "integer"}
                for name in (
                    "received",
                    "cancelled",
                    "completed",
                    "completed_on_time",
                    "ratings",
                    "satisfied",
                )
            },
            "completion_rate": rate,
            "on_time_rate": rate,
            "satisfaction_rate": rate,
        },
    }
    return {
        "Issue": {
            "type": "object",
            "required": ["id", "workflow", "state", "version"],
            "properties": {
                "id": {"type": "string"},
                "workflow": {"type": "string"},
                "workflow_version": {"type": "integer"},
                "state": {"type": "string"},
                "state_kind": {"type": "string"},
                "state_label": {"type": "string"},
                "terminal": {"type": "boolean"},
                "category": {"type": ["string", "null"]},
                "location": {"type": ["string", "null"]},
                "reporter": {"type": "string"},
                "opened_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"},
                "due_at": _TIME,
                "assignees": strings,
                "handlers": strings,
                "data": {"type": "object"},
                "version": {"type": "integer"},
            },
        },
        "Event": {
            "type": "object",
            "required": ["issue_id", "sequence", "trigger", "destination", "actor", "hash"],
            "properties": {
                "issue_id": {"type": "string"},
                "sequence": {"type": "integer"},
                "trigger": {"type": "string"},
                "source": {"type": ["string", "null"]},
                "destination": {"type": "string"},
                "actor": {"type": "string"},
                "at": {"type": "string", "format": "date-time"},
                "due_at": _TIME,
                "payload": {"type": "object"},
                "changes": {"type": "object"},
                "plugin": {"type": ["string", "null"]},
                "decisions": {"type": "object"},
                "previous_hash": {"type": "string"},
                "hash": {"type": "string"},
            },
        },
        "Triggers": {
            "type": "object",
            "properties": {"issue_id": {"type": "string"}, "triggers": strings},
        },
        "Figures": figures,
        "Report": {
            "type": "object",
            "properties": {
                "total": {"$ref": "#/components/schemas/Figures"},
                "groups": {"type": "array", "items": {"$ref": "#/components/schemas/Figures"}},
                "ranking": strings,
            },
        },
        "Workflow": {
            "type": "object",
            "required": ["name", "version", "initial", "states", "transitions"],
            "properties": {
                "name": {"type": "string"},
                "version": {"type": "integer"},
                "initial": {"type": "string"},
                "states": {"type": "array", "items": {"type": "object"}},
                "transitions": {"type": "array", "items": {"type": "object"}},
                "plugin": {"type": "string"},
            },
        },
        "Problem": {
            "type": "object",
            "required": ["type", "title", "status", "detail"],
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "error": {"type": "string"},
            },
        },
    }


def validate_body(
    schema: Mapping[str, Any] | jsonschema.Draft202012Validator, body: Any, what: str
) -> None:
    """Refuse ``body`` unless it fits ``schema`` (or a validator compiled from one):
    :class:`InvalidRequestError` naming the first place where it does not."""
    validator = (
        schema
        if isinstance(schema, jsonschema.Draft202012Validator)
        else jsonschema.Draft202012Validator(schema)
    )
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "the body"
        raise InvalidRequestError(f"{what}: {where}: {error.message}")


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _answer(description: str, schema: str | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description}
    if schema is not None:
        answer["content"] = _json(schema)
    return answer


_PROBLEM: Final = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _problems(*statuses: int) -> dict[str, Any]:
    return {str(s): {"description": "a problem document", "content": _PROBLEM} for s in statuses}


def _issue_id() -> dict[str, Any]:
    return {"name": "issue_id", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document(engine: Engine, *, title: str = "govflow") -> dict[str, Any]:
    """The OpenAPI 3.1 document of the native API, with the engine's request schemas."""
    from govflow import __version__  # noqa: PLC0415  (govflow imports this package's users)

    security: list[dict[str, list[str]]] = [{"bearer": []}]
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__},
        "jsonSchemaDialect": _DIALECT,
        "components": {
            "schemas": {**request_schemas(engine), **response_schemas()},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": security,
        "paths": {
            "/issues": {
                "post": {
                    "operationId": "openIssue",
                    "summary": "Open an issue; the caller is its reporter.",
                    "requestBody": {"required": True, "content": _json("OpenIssue")},
                    "responses": {
                        "201": _answer("the issue, at version 0", "Issue"),
                        **_problems(400, 401, 404, 413, 415, 422),
                    },
                }
            },
            "/issues/{issue_id}": {
                "get": {
                    "operationId": "readIssue",
                    "parameters": [_issue_id()],
                    "responses": {
                        "200": _answer("the issue; its ETag is its version", "Issue"),
                        **_problems(401, 404),
                    },
                }
            },
            "/issues/{issue_id}/history": {
                "get": {
                    "operationId": "readHistory",
                    "parameters": [_issue_id()],
                    "responses": {
                        "200": {
                            "description": "the audit log, oldest first",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Event"},
                                    }
                                }
                            },
                        },
                        **_problems(401, 404),
                    },
                }
            },
            "/issues/{issue_id}/triggers": {
                "get": {
                    "operationId": "availableTriggers",
                    "parameters": [_issue_id()],
                    "responses": {
                        "200": _answer("what the caller may fire now", "Triggers"),
                        **_problems(401, 404),
                    },
                }
            },
            "/issues/{issue_id}/fire": {
                "post": {
                    "operationId": "fire",
                    "summary": "Move the issue; If-Match or expected_version guard the version.",
                    "parameters": [
                        _issue_id(),
                        {"name": "If-Match", "in": "header", "schema": {"type": "string"}},
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "schema": {"type": "string", "maxLength": 200},
                        },
                    ],
                    "requestBody": {"required": True, "content": _json("Fire")},
                    "responses": {
                        "200": _answer("the appended event", "Event"),
                        **_problems(400, 401, 403, 404, 409, 412, 413, 415, 422),
                    },
                }
            },
            "/figures": {
                "get": {
                    "operationId": "figures",
                    "responses": {
                        "200": _answer("figures by location and the ranking", "Report"),
                        **_problems(401),
                    },
                }
            },
            "/workflows": {
                "get": {
                    "operationId": "workflows",
                    "responses": {
                        "200": {
                            "description": "every registered workflow (latest versions)",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Workflow"},
                                    }
                                }
                            },
                        },
                        **_problems(401),
                    },
                }
            },
            "/workflows/{name}": {
                "get": {
                    "operationId": "workflow",
                    "parameters": [
                        {"name": "name", "in": "path", "required": True, "schema": _TEXT}
                    ],
                    "responses": {
                        "200": _answer("the workflow", "Workflow"),
                        **_problems(401, 404),
                    },
                }
            },
            "/workflows/{name}/diagram": {
                "get": {
                    "operationId": "diagram",
                    "parameters": [
                        {"name": "name", "in": "path", "required": True, "schema": _TEXT}
                    ],
                    "responses": {
                        "200": {
                            "description": "a Mermaid state diagram",
                            "content": {"text/vnd.mermaid": {"schema": {"type": "string"}}},
                        },
                        **_problems(401, 404),
                    },
                }
            },
        },
    }


__all__ = ["openapi_document", "request_schemas", "response_schemas", "validate_body"]
