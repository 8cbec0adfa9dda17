"""Reading request bodies within a size limit, and the HTTP-level refusals that are not the
engine's (too large, not JSON, no credentials)."""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.requests import Request

#: The default limit on a request body, in bytes: an issue's text and a few references fit.
DEFAULT_MAX_BODY: Final = 64 * 1024


class HTTPProblem(Exception):  # noqa: N818  (an HTTP answer, not a govflow error)
    """A request refused by the HTTP layer itself, before the engine saw it."""

    def __init__(self, status: int, detail: str, kind: str) -> None:
        self.status = status
        self.detail = detail
        self.kind = kind
        super().__init__(detail)


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes (from
    ``Content-Length`` before reading, or while streaming a body sent without one)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise HTTPProblem(400, f"Content-Length {declared!r} is not a number", "bad-request")
        if int(declared) > limit:
            raise HTTPProblem(
                413, f"the body has {declared} bytes; at most {limit} are accepted", "too-large"
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPProblem(413, f"the body exceeds {limit} bytes", "too-large")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json(request: Request, limit: int) -> Any:
    """The body parsed as JSON (``application/json``), within ``limit`` bytes."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await read_body(request, limit)
    if media != "application/json" and not media.endswith("+json"):
        raise HTTPProblem(415, "send the body as application/json", "unsupported-media-type")
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise HTTPProblem(400, f"the body is not JSON: {err}", "malformed-body") from None


__all__ = ["DEFAULT_MAX_BODY", "HTTPProblem", "read_body", "read_json"]
