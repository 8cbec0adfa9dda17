"""Testing a govflow app over real HTTP: a uvicorn server on 127.0.0.1 and an httpx client.

:class:`LiveServer` runs any ASGI app on an ephemeral port in a background thread, for as long
as a ``with`` block lasts; :meth:`LiveServer.client` gives an ``httpx.Client`` on it, signed in
as a person when given a token. The pytest plugin's ``govflow_web`` fixture builds one around
:func:`govflow.web.create_app` and stops it after the test. Needs the ``web`` extra and httpx.
"""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

#: The secret the fixtures sign tokens with.
TEST_SECRET = "govflow-test-secret"  # noqa: S105  (for tests, and public on purpose)


class LiveServer:
    """``app`` served by uvicorn on ``127.0.0.1`` (an ephemeral port unless ``port`` is given)."""

    def __init__(self, app: Any, *, port: int = 0, timeout: float = 10.0) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="govflow-live-server", daemon=True)
        self._timeout = timeout
        self.url = ""

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + self._timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        """Ask the server to finish its requests and stop; wait for it."""
        self._server.should_exit = True
        self._thread.join(self._timeout)

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        """An httpx client on the server, sending ``Authorization: Bearer <token>`` if given."""
        headers = dict(options.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30.0, **options)


__all__ = ["TEST_SECRET", "LiveServer"]
