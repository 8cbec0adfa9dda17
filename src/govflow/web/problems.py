"""govflow's errors as RFC 9457 problem documents (``application/problem+json``).

Every refusal the engine raises reaches an HTTP client as a problem document whose ``type``
names the error class, whose ``detail`` is the error's own message, and which carries the
error's fields (``issue_id``, ``trigger``, ``missing_roles``, ``available``...) as extension
members, so a client can act on them without parsing the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from starlette.responses import JSONResponse

from govflow.errors import (
    ConflictError,
    GovflowError,
    GuardFailedError,
    IntegrityError,
    InvalidRequestError,
    PermissionDeniedError,
    StoreError,
    TransitionNotAllowedError,
    UnknownIssueError,
    UnknownWorkflowError,
)

#: The media type of a problem document.
PROBLEM_JSON: Final = "application/problem+json"

#: The HTTP status of each error class (the first match in this order wins).
STATUS: Final[tuple[tuple[type[GovflowError], int], ...]] = (
    (UnknownIssueError, 404),
    (UnknownWorkflowError, 404),
    (PermissionDeniedError, 403),
    (TransitionNotAllowedError, 409),
    (ConflictError, 409),
    (GuardFailedError, 422),
    (InvalidRequestError, 422),
    (StoreError, 503),
    (IntegrityError, 500),
)

_TITLES: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    428: "Precondition Required",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _kebab(name: str) -> str:
    name = name.removesuffix("Error")
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-")


def problem_type(name: str) -> str:
    """The ``type`` URI of the problem called ``name`` (an error class name or a short word)."""
    return f"urn:govflow:problem:{_kebab(name)}"


def status_of(error: GovflowError) -> int:
    """The HTTP status a govflow error is answered with."""
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 400


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    return str(value)


def error_fields(error: GovflowError) -> dict[str, Any]:
    """The error's own attributes (what its constructor was told), as JSON values."""
    return {
        key: _plain(value)
        for key, value in vars(error).items()
        if not key.startswith("_") and key not in {"args"}
    }


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    title: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A problem document: ``type``, ``title``, ``status``, ``detail`` and ``extra`` members."""
    document: dict[str, Any] = {
        "type": problem_type(kind) if kind else "about:blank",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if extra:
        document.update(extra)
    return document


def problem_from_error(error: GovflowError, *, status: int | None = None) -> dict[str, Any]:
    """The problem document of a govflow error: its class as ``type`` and ``error``, its
    message as ``detail``, its fields as extension members."""
    code = status if status is not None else status_of(error)
    name = type(error).__name__
    return problem(code, str(error), kind=name, extra={"error": name, **error_fields(error)})


class ProblemResponse(JSONResponse):
    """A JSON response with the problem media type."""

    media_type = PROBLEM_JSON

    def __init__(
        self, document: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(dict(document), status_code=int(document["status"]), headers=headers)


__all__ = [
    "PROBLEM_JSON",
    "STATUS",
    "ProblemResponse",
    "error_fields",
    "problem",
    "problem_from_error",
    "problem_type",
    "status_of",
]
