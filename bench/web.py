"""What govflow.web costs per move: fire over HTTP, against a bare Starlette endpoint.

Both contenders run on one uvicorn worker on 127.0.0.1 and make the same store write through
the same kind of engine: the closed loop's finish / rework cycle on issues dispatched
beforehand, so every request is one accepted move. govflow.web's ``POST /issues/{id}/fire``
verifies a signed bearer token, validates the body against the published JSON Schema, runs the
engine in a worker thread and answers with the event's view and an ETag; the bare endpoint
parses the JSON and calls ``engine.fire`` inline, answering with the sequence number. One
httpx client sends the requests one after another on a kept-alive connection.

Rounds are interleaved and each contender's best round is reported, as requests per second
and as the ratio govflow.web / bare (1.0: no overhead). Bounded in time: ``--seconds`` per
contender per round.

    python bench/web.py                      # MemoryStore and a SQLite file, 3 rounds
    python bench/web.py --seconds 1 --rounds 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from govflow import Actor, Engine, ManualClock, MemoryStore, Store
from govflow.store import SQLStore
from govflow.testing.web import LiveServer
from govflow.web import SignedTokens, create_app

SECRET = "bench-secret"
WORKER = Actor("grid-7")
INSPECTOR = Actor("insp-1", roles={"inspector"})
ISSUES = 50
CONTENDERS = ("govflow.web", "bare")


def _engine(store: Store) -> tuple[Engine, list[str]]:
    engine = Engine(
        store=store, clock=ManualClock(datetime(2024, 3, 1, tzinfo=UTC)), autoload=False
    )
    ids = []
    for _ in range(ISSUES):
        issue_id = engine.open("closed-loop", reporter="resident").id
        engine.fire(issue_id, "file", actor=Actor("op", roles={"operator"}))
        engine.fire(
            issue_id,
            "dispatch",
            actor=Actor("disp", roles={"dispatcher"}),
            payload={"assignees": [WORKER.id]},
        )
        ids.append(issue_id)
    return engine, ids


def bare_app(engine: Engine) -> Starlette:
    """The floor: parse, fire, answer; no authentication, schema, thread or view."""
    actors = {"finish": WORKER, "rework": INSPECTOR}

    async def fire(request: Request) -> JSONResponse:
        body: dict[str, Any] = await request.json()
        trigger = body["trigger"]
        event = engine.fire(
            request.path_params["issue_id"],
            trigger,
            actor=actors[trigger],
            payload=body.get("payload"),
        )
        return JSONResponse({"sequence": event.sequence})

    return Starlette(routes=[Route("/issues/{issue_id}/fire", fire, methods=["POST"])])


def _moves(ids: list[str]) -> Callable[[], tuple[str, dict[str, Any], str]]:
    """The next (issue, body, who) of the finish / rework cycle over the issues."""
    state = {"n": 0}

    def next_move() -> tuple[str, dict[str, Any], str]:
        n = state["n"]
        state["n"] += 1
        issue_id = ids[n % len(ids)]
        if (n // len(ids)) % 2 == 0:
            return issue_id, {"trigger": "finish"}, "worker"
        return issue_id, {"trigger": "rework", "payload": {"reason": "再看看"}}, "inspector"

    return next_move


def measure(
    server: LiveServer, ids: list[str], seconds: float, tokens: dict[str, str | None]
) -> float:
    """Requests per second for ``seconds``, each an accepted move."""
    clients = {who: server.client(token) for who, token in tokens.items()}
    next_move = _moves(ids)
    done = 0
    started = time.perf_counter()
    try:
        while time.perf_counter() - started < seconds:
            issue_id, body, who = next_move()
            answer = clients[who].post(f"/issues/{issue_id}/fire", json=body)
            if answer.status_code != 200:
                raise SystemExit(f"move refused: {answer.status_code} {answer.text}")
            done += 1
    finally:
        for client in clients.values():
            client.close()
    return done / (time.perf_counter() - started)


def run(kind: str, seconds: float, rounds: int) -> tuple[float, float]:
    folder = Path(tempfile.mkdtemp(prefix="govflow-bench-web-"))
    best = dict.fromkeys(CONTENDERS, 0.0)
    signer = SignedTokens(SECRET)
    for _ in range(rounds):
        for contender in CONTENDERS:
            store: Store = (
                MemoryStore()
                if kind == "memory"
                else SQLStore(f"sqlite:///{folder / f'{contender}-{time.monotonic_ns()}.db'}")
            )
            engine, ids = _engine(store)
            if contender == "bare":
                app = bare_app(engine)
                tokens: dict[str, str | None] = {"worker": None, "inspector": None}
            else:
                app = create_app(engine, authenticate=signer)
                tokens = {
                    "worker": signer.issue(WORKER.id),
                    "inspector": signer.issue(INSPECTOR.id, sorted(INSPECTOR.roles)),
                }
            with LiveServer(app) as server:
                rate = measure(server, ids, seconds, tokens)
            best[contender] = max(best[contender], rate)
            if isinstance(store, SQLStore):
                store.close()
    return best["govflow.web"], best["bare"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="per contender per round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"fire over HTTP, one uvicorn worker, best of {args.rounds} rounds of {args.seconds}s")
    print(f"{'store':<10} {'govflow.web req/s':>18} {'bare req/s':>11} {'ratio':>6}")
    for kind in ("memory", "sqlite"):
        web, bare = run(kind, args.seconds, args.rounds)
        print(f"{kind:<10} {web:>18.0f} {bare:>11.0f} {web / bare:>6.2f}")


if __name__ == "__main__":
    main()
