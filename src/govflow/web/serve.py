"""``govflow serve``: the app over an engine on a database, served by uvicorn."""

from __future__ import annotations

import os
from collections.abc import Iterable

import uvicorn

from govflow.deploy import engine_for
from govflow.errors import DefinitionError
from govflow.web.app import create_app
from govflow.web.auth import SignedTokens

#: The environment variable holding the secret that signs bearer tokens.
SECRET_VARIABLE = "GOVFLOW_SECRET"  # noqa: S105  (a variable's name, not a secret)


def serve(
    database: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8311,
    plugins: Iterable[str] = (),
    secret: str | None = None,
    autoload: bool = True,
) -> None:
    """Serve the app over an engine on ``database`` until interrupted.

    Tokens are signed with ``secret``, or the ``GOVFLOW_SECRET`` environment variable; one of
    them is required (a server with a secret nobody knows could authenticate nobody).
    """
    key = secret if secret is not None else os.environ.get(SECRET_VARIABLE)
    if not key:
        raise DefinitionError(f"set {SECRET_VARIABLE} to the secret that signs bearer tokens")
    engine = engine_for(database, plugins, autoload=autoload)
    app = create_app(engine, authenticate=SignedTokens(key))
    uvicorn.run(app, host=host, port=port, log_level="info")


__all__ = ["SECRET_VARIABLE", "serve"]
