"""`govflow serve`: the app over a database, served by uvicorn, stopped by SIGTERM."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from govflow.cli import main
from govflow.web import SignedTokens


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_over_http_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    url = f"sqlite:///{tmp_path / 'served.db'}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "govflow",
            "serve",
            "--database",
            url,
            "--port",
            str(port),
            "--no-autoload",
        ],
        env={**os.environ, "GOVFLOW_SECRET": "s3cret"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        token = SignedTokens("s3cret").issue("resident")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.1)
        headers = {"Authorization": f"Bearer {token}"}
        opened = httpx.post(f"{base}/issues", json={"workflow": "closed-loop"}, headers=headers)
        assert opened.status_code == 201, opened.text
        assert httpx.get(f"{base}/open311/v2/services.json").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        _, err = server.communicate(timeout=30)
    # uvicorn finishes its requests, shuts down, then re-raises the signal it caught
    assert server.returncode in (0, -signal.SIGTERM), err
    assert "Shutting down" in err
    assert "Finished server process" in err


def test_serve_without_a_secret_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVFLOW_SECRET", raising=False)
    err = io.StringIO()
    status = main(
        ["serve", "--database", f"sqlite:///{tmp_path / 'x.db'}"], stdout=io.StringIO(), stderr=err
    )
    assert status == 2
    assert "GOVFLOW_SECRET" in err.getvalue()
