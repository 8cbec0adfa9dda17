"""SQLStore.claim_due: each due issue goes to one worker at a time, and a claim expires."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from govflow import Engine, ManualClock
from govflow.errors import InvalidRequestError
from govflow.store import SQLStore

OPENED = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
LATER = OPENED + timedelta(hours=2)  # an hour past every issue's due time
LEASE = timedelta(minutes=1)


@pytest.fixture(params=["sqlite", "postgres"])
def store(
    request: pytest.FixtureRequest, tmp_path: Path, plugin_module: ModuleType
) -> Iterator[SQLStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'claims.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with SQLStore(url) as made:
        yield made


def _engine(store: SQLStore, plugin: ModuleType) -> Engine:
    return Engine(plugins=[plugin], store=store, clock=ManualClock(OPENED), autoload=False)


def test_a_due_issue_is_claimed_by_one_worker_until_released(
    store: SQLStore, plugin_module: ModuleType
) -> None:
    engine = _engine(store, plugin_module)
    ids = [engine.open("waiting", reporter="r").id for _ in range(5)]
    first = store.claim_due(LATER, owner="a", lease=LEASE, limit=3)
    second = store.claim_due(LATER, owner="b", lease=LEASE, limit=10)
    assert [i.id for i in first] == ids[:3]  # earliest due first
    assert [i.id for i in second] == ids[3:]
    assert store.claim_due(LATER, owner="c", lease=LEASE, limit=10) == []
    store.release_claims("a", [ids[0]])
    assert [i.id for i in store.claim_due(LATER, owner="c", lease=LEASE, limit=10)] == [ids[0]]


def test_a_claim_expires_after_its_lease(store: SQLStore, plugin_module: ModuleType) -> None:
    engine = _engine(store, plugin_module)
    issue = engine.open("waiting", reporter="r")
    assert store.claim_due(LATER, owner="dead", lease=LEASE, limit=10) == [issue]
    assert store.claim_due(LATER + LEASE / 2, owner="b", lease=LEASE, limit=10) == []
    assert store.claim_due(LATER + LEASE, owner="b", lease=LEASE, limit=10) == [issue]


def test_a_claim_holds_only_for_the_version_it_was_taken_at(
    store: SQLStore, plugin_module: ModuleType
) -> None:
    engine = _engine(store, plugin_module)
    issue = engine.open("waiting", reporter="r")
    store.claim_due(LATER, owner="a", lease=LEASE, limit=10)
    engine.tick(LATER, issues=[issue])  # fired: the claimed version is gone
    assert store.claim_due(LATER, owner="b", lease=LEASE, limit=10) == []  # and not due
    assert engine.get(issue.id).state == "expired"


def test_issues_not_yet_due_are_not_claimed(store: SQLStore, plugin_module: ModuleType) -> None:
    engine = _engine(store, plugin_module)
    engine.open("waiting", reporter="r")
    assert store.claim_due(OPENED, owner="a", lease=LEASE, limit=10) == []


def test_a_claim_needs_an_owner_a_lease_and_a_limit(store: SQLStore) -> None:
    with pytest.raises(InvalidRequestError, match="owner"):
        store.claim_due(LATER, owner="", lease=LEASE)
    with pytest.raises(InvalidRequestError, match="lease"):
        store.claim_due(LATER, owner="a", lease=timedelta(0))
    with pytest.raises(InvalidRequestError, match="limit"):
        store.claim_due(LATER, owner="a", lease=LEASE, limit=0)
