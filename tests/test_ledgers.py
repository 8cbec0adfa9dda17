"""Ledgers (台账): declared, append-only, hash-chained records that are not issues."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, Ledgers, LedgerSpec, ManualClock, hookimpl
from govflow.audit import GENESIS
from govflow.errors import (
    ConflictError,
    DefinitionError,
    IntegrityError,
    InvalidRequestError,
    LedgerIntegrityError,
    PluginError,
    UnknownLedgerError,
)
from govflow.ledgers import Entry, LedgerStore, MemoryLedgerStore, Posting, entry_hash
from govflow.testing import record_on_days, tamper
from govflow.testing.strategies import ledger_records

START = datetime(2024, 3, 4, 9, tzinfo=UTC)
HOURS = LedgerSpec(
    "service-hours",
    label="下沉党员服务时长",
    kinds={"served"},
    required={"hours"},
    numeric={"hours"},
)
MICRO = LedgerSpec("micro-wishes", label="微心愿")


@pytest.fixture
def ledgers() -> Ledgers:
    return Ledgers([HOURS, MICRO], clock=ManualClock(START))


def _serve(ledgers: Ledgers, member: str, hours: float, **more: Any) -> None:
    ledgers.record(
        "service-hours",
        "served",
        actor="first-secretary",
        unit=more.pop("unit", "xiangyang"),
        subject=member,
        data={"hours": hours},
        **more,
    )


def test_an_entry_is_chained_to_the_one_before_it(ledgers: Ledgers) -> None:
    first = ledgers.record(
        "service-hours",
        "served",
        actor=Actor("first-secretary"),
        unit="xiangyang",
        subject="member-1",
        data={"hours": 1.5},
    )
    second = ledgers.record(
        "service-hours", "served", actor="first-secretary", subject="member-2", data={"hours": 2}
    )
    assert (first.sequence, first.previous_hash, first.at) == (0, GENESIS, START)
    assert (second.sequence, second.previous_hash) == (1, first.hash)
    assert first.hash == entry_hash(first) != second.hash
    assert ledgers.verify("service-hours") == 2
    assert ledgers.verify_all() == {"service-hours": 2, "micro-wishes": 0}


def test_entries_are_found_by_kind_unit_subject_and_period(ledgers: Ledgers) -> None:
    _serve(ledgers, "member-1", 1, at=START)
    _serve(ledgers, "member-1", 2, at=START + timedelta(days=1), unit="qingshan")
    _serve(ledgers, "member-2", 4, at=START + timedelta(days=2))
    assert [e.data["hours"] for e in ledgers.entries("service-hours", subject="member-1")] == [1, 2]
    assert len(ledgers.entries("service-hours", unit="qingshan")) == 1
    assert len(ledgers.entries("service-hours", unit=["qingshan", "xiangyang"])) == 3
    window = ledgers.entries(
        "service-hours", since=START + timedelta(days=1), until=START + timedelta(days=2)
    )
    assert [e.subject for e in window] == ["member-1"]
    assert ledgers.entries("service-hours", kind="other") == []
    assert ledgers.total("service-hours", "hours") == 7
    assert ledgers.total("service-hours", "hours", subject="member-1") == 3


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"kind": "chatted", "data": {"hours": 1}}, "kind"),
        ({"data": {}}, r"needs \['hours'\]"),
        ({"data": {"hours": -1}}, "number >= 0"),
        ({"data": {"hours": "two"}}, "number >= 0"),
        ({"data": {"hours": True}}, "number >= 0"),
        ({"data": {"hours": 1, "when": date(2024, 1, 1)}}, "JSON"),
        ({"data": {"hours": float("nan")}}, "JSON"),
        ({"actor": ""}, "actor"),
        ({"unit": ""}, "unit"),
        ({"subject": ""}, "subject"),
        ({"at": datetime(2024, 1, 1)}, "timezone"),
    ],
)
def test_a_malformed_entry_is_refused_and_nothing_is_written(
    ledgers: Ledgers, arguments: dict[str, Any], problem: str
) -> None:
    fields: dict[str, Any] = {"kind": "served", "actor": "clerk", "data": {"hours": 1}}
    fields.update(arguments)
    kind = fields.pop("kind")
    with pytest.raises(InvalidRequestError, match=problem):
        ledgers.record("service-hours", kind, **fields)
    assert ledgers.entries("service-hours") == []


def test_an_undeclared_ledger_is_refused(ledgers: Ledgers) -> None:
    with pytest.raises(UnknownLedgerError, match="no-such"):
        ledgers.record("no-such", "x", actor="clerk")
    with pytest.raises(UnknownLedgerError):
        ledgers.entries("no-such")
    with pytest.raises(UnknownLedgerError):
        ledgers.verify("no-such")


def test_a_ledger_is_declared_once() -> None:
    with pytest.raises(DefinitionError, match="declared already"):
        Ledgers([HOURS, HOURS])
    with pytest.raises(DefinitionError, match="name"):
        LedgerSpec(" ")
    with pytest.raises(DefinitionError, match="not a LedgerSpec"):
        Ledgers(["service-hours"])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ({"data": {"hours": 9.5}}, "was edited"),
        ({"unit": "elsewhere"}, "was edited"),
        ({"subject": "member-9"}, "was edited"),
        ({"at": START - timedelta(days=30)}, "was edited"),
        ({"kind": "served-twice"}, "was edited"),
        ({"previous_hash": GENESIS}, "previous_hash"),
        ({"sequence": 7}, "inserted or deleted"),
    ],
)
def test_any_edit_of_an_entry_breaks_the_chain_where_it_was_made(
    ledgers: Ledgers, edit: dict[str, Any], problem: str
) -> None:
    for member in ("member-1", "member-2", "member-3"):
        _serve(ledgers, member, 1)
    tamper(ledgers, "service-hours", 1, **edit)
    with pytest.raises(LedgerIntegrityError, match=problem) as raised:
        ledgers.verify("service-hours")
    assert (raised.value.ledger, raised.value.sequence) == ("service-hours", 1)
    assert str(raised.value).startswith("ledger 'service-hours', entry 1:")
    assert isinstance(raised.value, IntegrityError)  # one error for every broken chain


def test_a_stale_append_is_a_conflict_and_writes_nothing() -> None:
    store = MemoryLedgerStore()
    ledgers = Ledgers([MICRO], store=store)
    entry = ledgers.record("micro-wishes", "wish", actor="grid-worker")
    with pytest.raises(ConflictError, match="expected"):
        store.append(entry)  # the same sequence again: someone else appended first
    assert len(store.entries("micro-wishes")) == 1


def test_plugins_declare_ledgers_and_the_engine_keeps_them_on_its_clock() -> None:
    class Daye:
        @hookimpl
        def govflow_ledgers(self) -> list[LedgerSpec]:
            return [HOURS]

    clock = ManualClock(START)
    engine = Engine(plugins=[Daye()], clock=clock, autoload=False)
    entry = engine.ledgers.record(
        "service-hours", "served", actor="clerk", subject="m", data={"hours": 1}
    )
    assert entry.at == START
    assert entry.plugin is not None
    assert entry.plugin.name == "Daye"
    assert Engine(autoload=False).ledgers.specs == {}


def test_two_plugins_declaring_one_ledger_is_an_error_naming_the_second() -> None:
    class One:
        @hookimpl
        def govflow_ledgers(self) -> list[LedgerSpec]:
            return [HOURS]

    class Two(One):
        pass

    with pytest.raises(PluginError, match="declared already"):
        Engine(plugins=[One(), Two()], autoload=False)


def test_the_kit_records_one_entry_a_day(ledgers: Ledgers) -> None:
    days = [date(2024, 3, 4), date(2024, 3, 5)]
    entries = record_on_days(
        ledgers, "micro-wishes", "wish", days, actor="grid-worker", unit="xiangyang"
    )
    assert [e.at.date() for e in entries] == days
    other = _ListStore()
    assert isinstance(other, LedgerStore)
    with pytest.raises(TypeError):
        tamper(Ledgers([MICRO], store=other), "micro-wishes", 0)


class _ListStore:
    """A ledger store of another class: tamper refuses it."""

    def append(self, entry: Entry) -> None:
        raise AssertionError

    def entries(self, ledger: str) -> tuple[Entry, ...]:
        return ()


@settings(max_examples=40, deadline=None)
@given(st.lists(ledger_records(), min_size=1, max_size=12), st.data())
def test_every_untouched_ledger_verifies_and_every_edit_is_caught(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    spec = LedgerSpec("any", numeric={"hours"})
    ledgers = Ledgers([spec])
    for record in records:
        ledgers.record("any", **record)
    assert ledgers.verify("any") == len(records)
    assert ledgers.total("any", "hours") == pytest.approx(sum(r["data"]["hours"] for r in records))
    victim = data.draw(st.integers(0, len(records) - 1))
    original = ledgers.store.entries("any")[victim]
    tamper(ledgers, "any", victim, actor=original.actor + "-forged")
    with pytest.raises(LedgerIntegrityError) as raised:
        ledgers.verify("any")
    assert raised.value.sequence == victim


POSTED = LedgerSpec(
    "filed",
    kinds={"filed"},
    numeric={"hours"},
    postings=[Posting("closed-loop", "file", "filed", subject="reporter", fields=("hours",))],
)


class _Posting:
    @hookimpl
    def govflow_ledgers(self) -> list[LedgerSpec]:
        return [POSTED]


def test_a_declared_posting_records_an_entry_as_the_move_commits() -> None:
    clock = ManualClock(START)
    engine = Engine(plugins=[_Posting()], clock=clock, autoload=False)
    issue = engine.open("closed-loop", reporter="resident-1", location="c1")
    clock.advance(hours=1)
    event = engine.fire(
        issue.id, "file", actor=Actor("op", roles={"operator"}), payload={"hours": 0.5, "x": 1}
    )
    [entry] = engine.ledgers.entries("filed")
    assert (entry.kind, entry.unit, entry.subject, entry.actor, entry.at) == (
        "filed",
        "c1",
        "resident-1",
        "op",
        event.at,
    )
    assert dict(entry.data) == {"hours": 0.5, "issue": issue.id}


def test_a_move_whose_posting_would_be_refused_is_refused_and_changes_nothing() -> None:
    engine = Engine(plugins=[_Posting()], autoload=False)
    issue = engine.open("closed-loop", reporter="resident-1")
    with pytest.raises(InvalidRequestError, match="number >= 0"):
        engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}), payload={"hours": -2})
    assert engine.get(issue.id).state == issue.state
    assert len(engine.history(issue.id)) == 1
    assert engine.ledgers.entries("filed") == []


def test_a_posting_names_a_known_subject() -> None:
    with pytest.raises(ValueError, match="subject"):
        Posting("w", "t", "k", subject="mayor")
