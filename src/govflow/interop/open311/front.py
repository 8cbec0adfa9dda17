"""The GeoReport v2 endpoints, as a Starlette application mounted under ``/open311/v2``.

``GET services.{fmt}``, ``GET services/{code}.{fmt}``, ``POST requests.{fmt}``, ``GET
requests.{fmt}``, ``GET requests/{id}.{fmt}`` and ``GET tokens/{token}.{fmt}``, each in ``xml``
and ``json``. Errors are the spec's ``errors`` document, in the format asked for, with its
status codes: 404 for what does not exist (a service code, a request, a jurisdiction), 403 for a
missing or invalid ``api_key``, 400 for anything else the request got wrong, and 413 for a body
over the limit. A refused POST stores nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import parse_qs

import itsdangerous
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from govflow.errors import (
    DefinitionError,
    GovflowError,
    InvalidRequestError,
    PluginError,
    StoreError,
    UnknownIssueError,
    UnknownUnitError,
)
from govflow.interop.open311.documents import JSON_TYPE, XML_TYPE, to_json, to_xml
from govflow.interop.open311.requests import is_closed, issue_data, request_view
from govflow.interop.open311.services import Service, ServiceType, parse_datetime
from govflow.records import Issue
from govflow.web.auth import AuthenticationError, Identity
from govflow.web.body import HTTPProblem, read_body

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.web.app import EngineRunner, Resolver
    from govflow.web.auth import Authenticator

_FORMATS: Final = frozenset({"xml", "json"})
_FORM: Final = "application/x-www-form-urlencoded"
#: The spec's own wording for a refused key.
_INVALID_KEY: Final = "Invalid api_key received -- can't proceed with create_request."
_NO_KEY: Final = "api_key was not provided -- can't proceed with create_request."


class Open311Error(Exception):
    """A request refused in the GeoReport v2 error format: ``status`` and a description."""

    def __init__(self, status: int, description: str) -> None:
        self.status = status
        self.description = description
        super().__init__(description)


class Open311:
    """The Open311 GeoReport v2 front of an engine: its services and its jurisdiction.

    :param services: the request types offered, each mapped to a workflow and category.
    :param jurisdiction: the ``jurisdiction_id`` served (None: any, the spec's single-
        jurisdiction case); a request naming another one is answered 404 and changes nothing.
    :param token_secret: signs the tokens of ``batch`` services (default: random per process,
        so a token outlives neither a restart nor another worker of the server).
    :param window: the default and largest span of a ``GET requests`` query (90 days).
    :param limit: the most requests one query returns (1,000).
    """

    def __init__(
        self,
        services: Iterable[Service],
        *,
        jurisdiction: str | None = None,
        token_secret: str | None = None,
        window: timedelta = timedelta(days=90),
        limit: int = 1000,
    ) -> None:
        self.services: dict[str, Service] = {}
        for service in services:
            if service.code in self.services:
                raise DefinitionError(f"service_code {service.code!r} is offered twice")
            self.services[service.code] = service
        self.jurisdiction = jurisdiction
        self.window = window
        self.limit = limit
        self._tokens = itsdangerous.URLSafeSerializer(
            token_secret or secrets.token_hex(32), salt="govflow.open311.token"
        )

    @classmethod
    def from_engine(cls, engine: Engine, **options: Any) -> Open311:
        """The services plugins offer (``govflow_open311_services``), and one for each other
        registered workflow, coded by the workflow's name."""
        services: list[Service] = []
        for ref, answer in engine.plugins.collect("govflow_open311_services"):
            for service in answer:
                if not isinstance(service, Service):
                    raise PluginError(ref.name, f"offered {service!r}, which is not a Service")
                services.append(service)
        offered = {service.workflow for service in services}
        services += [
            Service(code=name, name=workflow.label or name, workflow=name)
            for name, workflow in sorted(engine.workflows.items())
            if name not in offered
        ]
        return cls(services, **options)

    def service_of(self, issue: Issue) -> Service | None:
        """The service an issue is reported as: the one it was opened through, else the one
        for its workflow and category, else the one for its workflow alone."""
        code = issue.data.get("service_code")
        if isinstance(code, str) and code in self.services:
            return self.services[code]
        candidates = [s for s in self.services.values() if s.workflow == issue.workflow]
        return next((s for s in candidates if s.category == issue.category), None) or next(
            (s for s in candidates if s.category is None), None
        )

    def token_for(self, issue_id: str) -> str:
        """The token a ``batch`` POST answers with for the request it will create."""
        return self._tokens.dumps(issue_id)

    def issue_of_token(self, token: str) -> str | None:
        """The request id a token stands for (None: not one of ours)."""
        try:
            value = self._tokens.loads(token)
        except itsdangerous.BadData:
            return None
        return value if isinstance(value, str) else None

    def app(
        self,
        engine: Engine,
        *,
        runner: EngineRunner,
        authenticate: Authenticator,
        resolve: Resolver,
        max_body: int,
    ) -> Starlette:
        """The Starlette application of these endpoints over ``engine``."""
        for service in self.services.values():
            engine.workflow(service.workflow)  # UnknownWorkflowError if it is not registered
        handlers = _Handlers(
            self,
            engine=engine,
            runner=runner,
            authenticate=authenticate,
            resolve=resolve,
            max_body=max_body,
        )
        return Starlette(
            routes=[
                Route("/services.{fmt}", handlers.services, methods=["GET"]),
                Route("/services/{code}.{fmt}", handlers.definition, methods=["GET"]),
                Route("/requests.{fmt}", handlers.requests, methods=["GET"]),
                Route("/requests.{fmt}", handlers.post, methods=["POST"]),
                Route("/requests/{request_id}.{fmt}", handlers.request, methods=["GET"]),
                Route("/tokens/{token}.{fmt}", handlers.token, methods=["GET"]),
            ],
            exception_handlers=_ERROR_HANDLERS,
        )


def _format(request: Request) -> str:
    fmt = str(request.path_params.get("fmt", "xml")).lower()
    request.state.fmt = fmt if fmt in _FORMATS else "xml"
    if fmt not in _FORMATS:
        raise Open311Error(404, f"format {fmt!r} is not served: use xml or json")
    return fmt


def render(fmt: str, root: str, document: Any, status: int = 200) -> Response:
    """A document in ``fmt`` (``xml`` under ``root``, or ``json``)."""
    if fmt == "json":
        return Response(to_json(document), status_code=status, media_type=JSON_TYPE)
    return Response(to_xml(root, document), status_code=status, media_type=XML_TYPE)


def _error_response(request: Request, status: int, description: str) -> Response:
    fmt = getattr(request.state, "fmt", None)
    if fmt is None:
        fmt = "json" if request.url.path.endswith(".json") else "xml"
    return render(fmt, "errors", [{"code": status, "description": description}], status)


class _Handlers:
    def __init__(
        self,
        front: Open311,
        *,
        engine: Engine,
        runner: EngineRunner,
        authenticate: Authenticator,
        resolve: Resolver,
        max_body: int,
    ) -> None:
        self.front = front
        self.engine = engine
        self.run = runner
        self.authenticate = authenticate
        self.resolve = resolve
        self.max_body = max_body

    def _jurisdiction(self, given: str | None) -> None:
        wanted = self.front.jurisdiction
        if given and wanted is not None and given != wanted:
            raise Open311Error(404, f"jurisdiction_id {given!r} was not found")

    def _service(self, code: str | None) -> Service:
        if not code:
            raise Open311Error(400, "service_code was not provided")
        service = self.front.services.get(code)
        if service is None:
            raise Open311Error(404, f"service_code {code!r} was not found")
        return service

    def _request_view(self, issue: Issue) -> dict[str, Any] | None:
        service = self.front.service_of(issue)
        if service is None:
            return None
        workflow = self.engine.workflow(issue.workflow, issue.workflow_version)
        store = self.engine.store
        expected = None
        if issue.due_at is None:
            expected = next((e.due_at for e in reversed(store.events(issue.id)) if e.due_at), None)
        return request_view(
            issue,
            service,
            closed=is_closed(workflow.state(issue.state).kind),
            last=store.last_event(issue.id),
            org=self.engine.org,
            expected=expected,
        )

    # --- services ------------------------------------------------------------------------------

    async def services(self, request: Request) -> Response:
        fmt = _format(request)
        self._jurisdiction(request.query_params.get("jurisdiction_id"))
        listed = [
            {
                "service_code": s.code,
                "service_name": s.name,
                "description": s.description,
                "metadata": s.metadata,
                "type": str(s.type),
                "keywords": ", ".join(s.keywords),
                "group": s.group,
            }
            for s in self.front.services.values()
        ]
        return render(fmt, "services", listed)

    async def definition(self, request: Request) -> Response:
        fmt = _format(request)
        self._jurisdiction(request.query_params.get("jurisdiction_id"))
        service = self._service(request.path_params["code"])
        attributes = [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": str(a.datatype),
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                **({"values": [{"key": k, "name": n} for k, n in a.values]} if a.values else {}),
            }
            for a in service.attributes
        ]
        return render(
            fmt, "service_definition", {"service_code": service.code, "attributes": attributes}
        )

    # --- requests ------------------------------------------------------------------------------

    async def request(self, request: Request) -> Response:
        fmt = _format(request)
        self._jurisdiction(request.query_params.get("jurisdiction_id"))
        request_id = request.path_params["request_id"]
        try:
            issue = await self.run(self.engine.get, request_id)
        except UnknownIssueError:
            raise Open311Error(404, f"service_request_id {request_id!r} was not found") from None
        view = await self.run(self._request_view, issue)
        if view is None:
            raise Open311Error(404, f"service_request_id {request_id!r} was not found")
        return render(fmt, "service_requests", [view])

    async def requests(self, request: Request) -> Response:
        fmt = _format(request)
        query = request.query_params
        self._jurisdiction(query.get("jurisdiction_id"))
        ids = _listed(query.get("service_request_id"))
        views = await self.run(self._search, ids, query)
        return render(fmt, "service_requests", views)

    def _search(self, ids: list[str], query: Mapping[str, str]) -> list[dict[str, Any]]:
        if ids:
            found = []
            for request_id in ids[: self.front.limit]:
                try:
                    issue = self.engine.get(request_id)
                except UnknownIssueError:
                    continue
                view = self._request_view(issue)
                if view is not None:
                    found.append(view)
            return found
        codes = set(_listed(query.get("service_code")))
        unknown = sorted(codes - set(self.front.services))
        if unknown:
            raise Open311Error(404, f"service_code {unknown} not found")
        statuses = set(_listed(query.get("status")))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, f"status {sorted(statuses)}: the options are open, closed")
        start, end = self._window(query.get("start_date"), query.get("end_date"))
        matched: list[tuple[datetime, dict[str, Any]]] = []
        for issue in self.engine.issues():
            if not start <= issue.opened_at <= end:
                continue
            service = self.front.service_of(issue)
            if service is None or (codes and service.code not in codes):
                continue
            view = self._request_view(issue)
            if view is None or (statuses and view["status"] not in statuses):
                continue
            matched.append((issue.opened_at, view))
        matched.sort(key=lambda pair: pair[0])  # the spec's "first 1000": the oldest first
        return [view for _, view in matched[: self.front.limit]]

    def _window(self, start_text: str | None, end_text: str | None) -> tuple[datetime, datetime]:
        window = self.front.window
        try:
            start = None if not start_text else parse_datetime("start_date", start_text)
            end = None if not end_text else parse_datetime("end_date", end_text)
        except InvalidRequestError as err:
            raise Open311Error(400, str(err)) from None
        if start is None and end is None:
            end = self.engine.clock.now()
        if start is None:
            assert end is not None
            start = end - window
        if end is None:
            end = start + window
        if end < start:
            raise Open311Error(400, "end_date is before start_date")
        if end - start > window:
            raise Open311Error(400, f"start_date to end_date spans more than {window.days} days")
        return start, end

    async def token(self, request: Request) -> Response:
        fmt = _format(request)
        self._jurisdiction(request.query_params.get("jurisdiction_id"))
        token = request.path_params["token"]
        issue_id = self.front.issue_of_token(token)
        if issue_id is None:
            raise Open311Error(404, f"token {token!r} was not found")
        try:
            await self.run(self.engine.get, issue_id)
        except UnknownIssueError:
            return render(fmt, "service_requests", [{"token": token}])  # not created yet
        return render(fmt, "service_requests", [{"service_request_id": issue_id, "token": token}])

    # --- POST ----------------------------------------------------------------------------------

    async def post(self, request: Request) -> Response:
        fmt = _format(request)
        body = await read_body(request, self.max_body)
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media != _FORM:
            raise Open311Error(400, f"send the request as {_FORM}")
        try:
            form = parse_qs(
                body.decode("utf-8"),
                keep_blank_values=True,
                max_num_fields=200,
                strict_parsing=False,
            )
        except (UnicodeDecodeError, ValueError) as err:
            raise Open311Error(400, f"the form cannot be read: {err}") from None
        self._jurisdiction(_single(form, "jurisdiction_id"))
        identity = self._caller(request, _single(form, "api_key"))
        service = self._service(_single(form, "service_code"))
        data = issue_data(service, form)
        actor = self.resolve(self.engine.org, identity)
        location = self._location(data.get("address_id"))
        opening = {
            "reporter": actor,
            "channel": "app",
            "location": location,
            "category": service.category,
            "data": data,
        }
        answer: dict[str, Any] = {}
        task = None
        if service.type is ServiceType.BATCH:
            issue_id = await self.run(self.engine.store.new_issue_id)
            answer["token"] = self.front.token_for(issue_id)
            task = BackgroundTask(self._open_later, service.workflow, issue_id, opening)
        else:
            issue = await self.run(self.engine.open, service.workflow, **opening)
            if service.type is ServiceType.REALTIME:
                answer["service_request_id"] = issue.id
        answer["service_notice"] = service.notice
        answer["account_id"] = None
        response = render(fmt, "service_requests", [answer])
        response.background = task
        return response

    async def _open_later(self, workflow: str, issue_id: str, opening: dict[str, Any]) -> None:
        await self.run(self.engine.open, workflow, issue_id=issue_id, **opening)

    def _caller(self, request: Request, api_key: str | None) -> Identity:
        try:
            identity = self.authenticate(request)
            verify = getattr(self.authenticate, "verify", None)
            if identity is None and api_key and callable(verify):
                identity = verify(api_key)
        except AuthenticationError:
            raise Open311Error(403, _INVALID_KEY) from None
        if identity is None:
            raise Open311Error(
                403, "api_key was not provided -- can't proceed with create_request."
            )
        assert isinstance(identity, Identity)
        return identity

    def _location(self, address_id: object) -> str | None:
        org = self.engine.org
        if org is None or not isinstance(address_id, str):
            return None
        try:
            return org.unit(address_id).id
        except UnknownUnitError:
            return None


def _listed(value: str | None) -> list[str]:
    return [] if not value else [part.strip() for part in value.split(",") if part.strip()]


def _single(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    return values[0].strip() or None if values else None


async def _open311_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Open311Error)
    return _error_response(request, exc.status, exc.description)


async def _govflow_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GovflowError)
    if isinstance(exc, UnknownIssueError | DefinitionError):
        status = 404 if isinstance(exc, UnknownIssueError) else 400
    elif isinstance(exc, StoreError):
        status = 503
    else:
        status = 400
    return _error_response(request, status, str(exc))


async def _http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPProblem)
    return _error_response(request, exc.status, exc.detail)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error_response(request, exc.status_code, str(exc.detail))


_ERROR_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    Open311Error: _open311_error,
    GovflowError: _govflow_error,
    HTTPProblem: _http_problem,
    HTTPException: _http_exception,
}

__all__ = ["Open311", "Open311Error", "render"]
