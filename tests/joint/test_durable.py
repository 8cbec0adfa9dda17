"""Parties, links and loop counts survive the SQL store: a reopened store gives back the same
rounds, and every log verifies (hash chain and replay) after the JSON round trip."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from govflow import Engine, ManualClock
from govflow.links import verify_links
from govflow.store import SQLStore

from .conftest import (
    DEPARTMENTS,
    HOUSING,
    POLICE,
    RESIDENT,
    START,
    STREET,
    URBAN,
    WHISTLE,
    street_org,
)
from .test_links import CHILD, GROUP, PARENT, VILLAGE
from .test_links import RESIDENT as VILLAGER
from .test_links import _org as village_org


def test_rounds_of_parties_survive_the_sql_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'joint.db'}"
    clock = ManualClock(START)
    with SQLStore(url) as store:
        engine = Engine(
            org=street_org(), store=store, clock=clock, autoload=False, workflows=[WHISTLE]
        )
        issue = engine.open("whistle", reporter=RESIDENT, location="community")
        engine.fire(
            issue.id,
            "whistle",
            actor=STREET,
            payload={"parties": [{"id": "dept-police", "limit": "1d"}, *DEPARTMENTS[1:]]},
        )
        engine.fire(issue.id, "report", actor=HOUSING, payload={"outcome": "已维修"})
        clock.advance(days=1, hours=1)
        assert [e.trigger for e in engine.tick()] == ["party_overdue"]
        before = engine.parties(issue.id)
    with SQLStore(url, create=False) as again:
        engine = Engine(
            org=street_org(), store=again, clock=clock, autoload=False, workflows=[WHISTLE]
        )
        assert engine.parties(issue.id) == before
        assert engine.verify(issue.id) == 4
        assert engine.get(issue.id).due_at == START + timedelta(days=2)
        engine.fire(issue.id, "report", actor=POLICE)
        engine.fire(issue.id, "report", actor=URBAN)
        assert engine.get(issue.id).state == "reviewing"
        assert engine.verify(issue.id) == 6


def test_links_survive_the_sql_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'links.db'}"
    with SQLStore(url) as store:
        engine = Engine(
            org=village_org(),
            store=store,
            clock=ManualClock(START),
            autoload=False,
            workflows=[PARENT, CHILD],
        )
        issue = engine.open("group-council", reporter=VILLAGER, location="hamlet-3")
        engine.fire(issue.id, "refer_up", actor=GROUP)
        (child,) = engine.children(issue.id)
        engine.fire(child.issue, "resolve", actor=VILLAGE)
        engine.fire(child.issue, "conclude", actor=VILLAGE)
        engine.fire(issue.id, "upstream_concluded", actor=VILLAGE)
        assert verify_links(engine, issue.id) == verify_links(engine, child.issue) == 1
        assert engine.verify(issue.id) == 3
        assert engine.children(issue.id)[0].outcome == {
            "state": "passed",
            "kind": "closed",
            "at": START.isoformat(),
        }
