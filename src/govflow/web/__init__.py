"""govflow as a service: an ASGI application over an engine (needs the ``web`` extra).

:func:`create_app` builds a Starlette application with govflow's native API (issues, moves,
history, triggers, figures, workflows, ``/openapi.json``) and the Open311 GeoReport v2
endpoints under ``/open311/v2``; :func:`serve` runs one with uvicorn. Authentication is
pluggable (:data:`Authenticator`; :class:`SignedTokens` ships), authorization is the engine's,
and errors are RFC 9457 problem documents (:mod:`govflow.web.problems`).
"""

from govflow.web.app import EngineRunner, Resolver, create_app
from govflow.web.auth import (
    AuthenticationError,
    Authenticator,
    Identity,
    SignedTokens,
    no_authentication,
    resolve_actor,
)
from govflow.web.body import DEFAULT_MAX_BODY
from govflow.web.problems import PROBLEM_JSON, problem_from_error
from govflow.web.schemas import openapi_document, request_schemas
from govflow.web.serve import serve
from govflow.web.views import json_value

__all__ = [
    "DEFAULT_MAX_BODY",
    "PROBLEM_JSON",
    "AuthenticationError",
    "Authenticator",
    "EngineRunner",
    "Identity",
    "Resolver",
    "SignedTokens",
    "create_app",
    "json_value",
    "no_authentication",
    "openapi_document",
    "problem_from_error",
    "request_schemas",
    "resolve_actor",
    "serve",
]
