"""The ASGI application: govflow's native HTTP API and Open311 GeoReport v2, over one engine.

:func:`create_app` returns a Starlette application; serve it with uvicorn or mount it in an
application of your own (``Mount("/govflow", app=create_app(engine))``). Every rule stays in the
engine: a handler authenticates the caller, validates the body against the schema published in
``/openapi.json``, calls the engine, and turns what it returns (or raises) into HTTP.

Engine calls run in a worker thread, so a database round trip never blocks the event loop; on an
in-memory store they run inline, one at a time, since a :class:`~govflow.MemoryStore` is not
meant to be written by two threads at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from jsonschema import Draft202012Validator
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from govflow.engine import Engine
from govflow.errors import ConflictError, GovflowError, UnknownIssueError
from govflow.metrics import accountability
from govflow.records import Actor, Event
from govflow.store import MemoryStore
from govflow.web.auth import AuthenticationError, Authenticator, Identity, resolve_actor
from govflow.web.body import DEFAULT_MAX_BODY, HTTPProblem, read_json
from govflow.web.problems import ProblemResponse, problem, problem_from_error
from govflow.web.schemas import openapi_document, request_schemas, validate_body
from govflow.web.views import event_view, issue_view, report_view, workflow_view
from govflow.workflow.diagram import workflow_to_mermaid

if TYPE_CHECKING:
    from govflow.interop.open311.front import Open311

_T = TypeVar("_T")

#: Resolves an authenticated person into who the engine is told acts: ``resolve(org, identity)``
#: gives an Actor, or a person id for the engine to resolve on its org graph.
Resolver = Callable[[Any, Identity], Actor | str]


class EngineRunner:
    """Runs engine calls: off the event loop when they wait on a database, inline on an
    in-memory store (microseconds of work, and one at a time, as a MemoryStore needs)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = isinstance(engine.store, MemoryStore)
        self._limiter = anyio.CapacityLimiter(16)

    async def __call__(self, work: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        if self.inline:
            return work(*args, **kwargs)
        return await anyio.to_thread.run_sync(partial(work, *args, **kwargs), limiter=self._limiter)


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header asks for (None: no header, or ``*``)."""
    if header is None or header.strip() == "*":
        return None
    tag = header.strip()
    if tag.startswith("W/"):
        raise HTTPProblem(400, "If-Match takes the issue's strong ETag, not a weak one", "bad-etag")
    tag = tag.strip('"')
    if not tag.isdigit():
        raise HTTPProblem(400, f"If-Match {header!r} is not an ETag of an issue", "bad-etag")
    return int(tag)


class NativeApi:
    """The handlers of the native API; one instance per application."""

    def __init__(
        self,
        engine: Engine,
        *,
        runner: EngineRunner,
        authenticate: Authenticator,
        resolve: Resolver,
        max_body: int,
    ) -> None:
        self.engine = engine
        self.run = runner
        self.authenticate = authenticate
        self.resolve = resolve
        self.max_body = max_body
        self.validators = {
            name: Draft202012Validator(schema) for name, schema in request_schemas(engine).items()
        }
        self.openapi = openapi_document(engine)

    # --- plumbing ------------------------------------------------------------------------------

    def actor(self, request: Request) -> Actor | str:
        """The caller, as the engine is told who acts; 401 without credentials."""
        identity = self.authenticate(request)
        if identity is None:
            raise HTTPProblem(401, "this endpoint needs 'Authorization: Bearer <token>'", "login")
        return self.resolve(self.engine.org, identity)

    async def body(self, request: Request, schema: str) -> dict[str, Any]:
        body = await read_json(request, self.max_body)
        validate_body(self.validators[schema], body, schema)
        result: dict[str, Any] = body
        return result

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/openapi.json", self.openapi_json, methods=["GET"]),
            Route("/issues", self.open_issue, methods=["POST"]),
            Route("/issues/{issue_id}", self.read_issue, methods=["GET"], name="issue"),
            Route("/issues/{issue_id}/history", self.history, methods=["GET"]),
            Route("/issues/{issue_id}/triggers", self.triggers, methods=["GET"]),
            Route("/issues/{issue_id}/fire", self.fire, methods=["POST"]),
            Route("/figures", self.figures, methods=["GET"]),
            Route("/workflows", self.workflows, methods=["GET"]),
            Route("/workflows/{name}", self.workflow, methods=["GET"]),
            Route("/workflows/{name}/diagram", self.diagram, methods=["GET"]),
        ]

    # --- handlers ------------------------------------------------------------------------------

    async def openapi_json(self, _request: Request) -> Response:
        return JSONResponse(self.openapi)

    async def open_issue(self, request: Request) -> Response:
        actor = self.actor(request)
        body = await self.body(request, "OpenIssue")
        reporter = body.get("reporter")
        issue = await self.run(
            self.engine.open,
            body["workflow"],
            reporter=actor if reporter is None else reporter,
            opened_by=None if reporter is None else actor,
            channel=body.get("channel"),
            location=body.get("location"),
            category=body.get("category"),
            data=body.get("data"),
            version=body.get("version"),
        )
        issue = await self.run(self.engine.get, issue.id, reader=actor)
        view = issue_view(issue, self.engine.workflow(issue.workflow, issue.workflow_version))
        location = str(request.url_for("issue", issue_id=issue.id))
        return JSONResponse(
            view, status_code=201, headers={"Location": location, "ETag": _etag(issue.version)}
        )

    def _visible(self, issue_id: str, reader: Actor | str) -> None:
        """Refuse, as if there were no such issue, an issue ``reader`` may not see at all
        (:meth:`govflow.authority.Authority.sees`: an official outside their jurisdiction, a
        resident someone else's)."""
        authority = self.engine.authority
        if not authority.sees(self.engine.store.get(issue_id), authority.principal(reader)):
            raise UnknownIssueError(issue_id)

    async def read_issue(self, request: Request) -> Response:
        actor = self.actor(request)
        await self.run(self._visible, request.path_params["issue_id"], actor)
        issue = await self.run(self.engine.get, request.path_params["issue_id"], reader=actor)
        view = issue_view(issue, self.engine.workflow(issue.workflow, issue.workflow_version))
        return JSONResponse(view, headers={"ETag": _etag(issue.version)})

    async def history(self, request: Request) -> Response:
        actor = self.actor(request)
        await self.run(self._visible, request.path_params["issue_id"], actor)
        events = await self.run(self.engine.history, request.path_params["issue_id"], reader=actor)
        return JSONResponse([event_view(event) for event in events])

    async def triggers(self, request: Request) -> Response:
        actor = self.actor(request)
        issue_id = request.path_params["issue_id"]
        await self.run(self._visible, issue_id, actor)
        names = await self.run(self.engine.available_triggers, issue_id, actor)
        return JSONResponse({"issue_id": issue_id, "triggers": names})

    async def fire(self, request: Request) -> Response:
        actor = self.actor(request)
        issue_id = request.path_params["issue_id"]
        wanted = _if_match(request.headers.get("if-match"))
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= 200:
            raise HTTPProblem(400, "Idempotency-Key must have 1 to 200 characters", "bad-key")
        body = await self.body(request, "Fire")
        expected = body.get("expected_version")
        if wanted is not None and expected is not None and wanted != expected:
            raise HTTPProblem(
                400,
                f"If-Match asks for version {wanted} but expected_version is {expected}",
                "bad-precondition",
            )
        expected = wanted if wanted is not None else expected
        try:
            event = await self.run(
                self.engine.fire,
                issue_id,
                body["trigger"],
                actor=actor,
                payload=body.get("payload"),
                expected_version=expected,
                idempotency_key=key,
            )
        except ConflictError as conflict:
            if expected is not None:
                current = await self.run(self.engine.get, issue_id)
                if current.version != expected:
                    return ProblemResponse(
                        problem_from_error(conflict, status=412),
                        headers={"ETag": _etag(current.version)},
                    )
            raise
        shown = await self.run(self._as_seen, event, actor)
        return JSONResponse(event_view(shown), headers={"ETag": _etag(event.sequence)})

    def _as_seen(self, event: Event, reader: Actor | str) -> Event:
        """``event`` as ``reader`` may see it (a payload's personal data is the engine's to
        show or not, even to whoever sent it)."""
        if not event.payload and "data" not in event.changes:
            return event  # most moves: nothing to hide, nothing to read
        engine = self.engine
        issue = engine.store.get(event.issue_id)
        workflow = engine.workflow(issue.workflow, issue.workflow_version)
        fields = workflow.privacy.fields
        data = event.changes.get("data")
        if fields.isdisjoint(event.payload) and not (
            isinstance(data, Mapping) and not fields.isdisjoint(data)
        ):
            return event
        return engine.authority.read_events(issue, workflow.privacy, (event,), reader)[0]

    async def figures(self, request: Request) -> Response:
        self.actor(request)
        report = await self.run(accountability, self.engine)
        return JSONResponse(report_view(report))

    async def workflows(self, request: Request) -> Response:
        self.actor(request)
        engine = self.engine
        return JSONResponse(
            [
                workflow_view(workflow, engine.workflow_plugin(name))
                for name, workflow in sorted(engine.workflows.items())
            ]
        )

    async def workflow(self, request: Request) -> Response:
        self.actor(request)
        name = request.path_params["name"]
        return JSONResponse(
            workflow_view(self.engine.workflow(name), self.engine.workflow_plugin(name))
        )

    async def diagram(self, request: Request) -> Response:
        self.actor(request)
        name = request.path_params["name"]
        return PlainTextResponse(
            workflow_to_mermaid(self.engine.workflow(name)), media_type="text/vnd.mermaid"
        )


# --- errors ------------------------------------------------------------------------------------


async def _govflow_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GovflowError)
    if isinstance(exc, AuthenticationError):
        return ProblemResponse(
            problem(401, str(exc), kind="authentication"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return ProblemResponse(problem_from_error(exc))


async def _http_problem(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return ProblemResponse(problem(exc.status, exc.detail, kind=exc.kind), headers=headers)


async def _http_exception(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return ProblemResponse(problem(exc.status_code, str(exc.detail)), headers=exc.headers)


_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    GovflowError: _govflow_error,
    HTTPProblem: _http_problem,
    HTTPException: _http_exception,
}


def create_app(
    engine: Engine,
    *,
    authenticate: Authenticator,
    resolve: Resolver = resolve_actor,
    max_body: int = DEFAULT_MAX_BODY,
    open311: Open311 | None = None,
) -> Starlette:
    """The ASGI application over ``engine``.

    :param authenticate: turns a request into the caller's :class:`~govflow.web.Identity`
        (None: anonymous), e.g. a :class:`~govflow.web.SignedTokens`.
    :param resolve: turns an identity into the actor the engine checks;
        :func:`~govflow.web.resolve_actor` by default.
    :param max_body: the largest request body accepted, in bytes (larger: 413).
    :param open311: the :class:`~govflow.interop.open311.Open311` front served under
        ``/open311/v2``; by default one offering a service per workflow.
    """
    # Imported here: the Open311 front builds on this package's auth and body helpers.
    from govflow.interop.open311.front import Open311  # noqa: PLC0415

    runner = EngineRunner(engine)
    api = NativeApi(
        engine, runner=runner, authenticate=authenticate, resolve=resolve, max_body=max_body
    )
    front = open311 if open311 is not None else Open311.from_engine(engine)
    open311_app = front.app(
        engine, runner=runner, authenticate=authenticate, resolve=resolve, max_body=max_body
    )
    routes: list[BaseRoute] = [*api.routes(), Mount("/open311/v2", app=open311_app)]
    app = Starlette(routes=routes, exception_handlers=_HANDLERS)
    app.state.engine = engine
    app.state.api = api
    app.state.open311 = front
    return app


__all__ = ["EngineRunner", "NativeApi", "Resolver", "create_app"]
