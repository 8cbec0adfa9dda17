"""Ledgers (台账): records that are not issues, each ledger its own hash-chained, append-only log.

The seeds keep many records that never move through a workflow: a party member's service
hours (大冶: "人均服务时长9.5个小时"), a community worker's days stationed in a residential area
(驻点服务), the four-party meetings a community held (湖州 四方会谈), the five micro ledgers of
瑶海 (微实事, 微心愿, 微团队, 微创投, 微网格). A ledger keeps them with the same tamper evidence
as an issue's audit log: every entry's hash covers its fields and the previous entry's hash,
computed by :func:`govflow.audit.recompute_hash` over the entry seen as an event (one hash
scheme, not two).

A ledger is declared (:class:`LedgerSpec`: its kinds of entry and the data each must carry), by
a plugin through the ``govflow_ledgers`` hook or directly; recording into an undeclared ledger,
with an undeclared kind or without a required field is refused with a typed error and changes
nothing. Entries are queried by kind, unit, subject and period. The store behind is the small
:class:`LedgerStore` interface; :class:`MemoryLedgerStore` is the in-memory one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import attrs

from govflow.audit import GENESIS, json_text, recompute_hash
from govflow.clock import Clock, SystemClock
from govflow.errors import (
    ConflictError,
    DefinitionError,
    InvalidRequestError,
    LedgerIntegrityError,
    PluginError,
    UnknownLedgerError,
)
from govflow.records import EMPTY, Actor, Event, Issue, PluginRef

if TYPE_CHECKING:
    from govflow.plugins import PluginHost

#: Prefix of the pseudo issue id an entry is hashed under, so that no entry hashes like an event.
_HASH_PREFIX = "ledger:"


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


#: Who a posted entry is about: the actor who made the move, the reporter, the first assignee.
POSTING_SUBJECTS = ("actor", "reporter", "assignee")


def _field_names(value: Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@attrs.frozen(slots=True)
class Posting:
    """A move that writes an entry: each accepted ``trigger`` of ``workflow`` records one.

    The entry's kind is ``kind``, its unit the issue's location, its subject ``subject`` (the
    move's actor, the issue's reporter or its first assignee), its time the move's, and its
    data the payload keys ``fields`` plus ``issue`` (the issue id). The entry is checked before
    the move commits, so a move whose entry would be refused is refused itself.
    """

    workflow: str
    trigger: str
    kind: str
    subject: str = attrs.field(default="actor", validator=attrs.validators.in_(POSTING_SUBJECTS))
    fields: tuple[str, ...] = attrs.field(default=(), converter=_field_names)


def _postings(value: Iterable[Posting]) -> tuple[Posting, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class LedgerSpec:
    """A ledger's declaration: its name, the kinds of entry it takes and the data they carry.

    :param kinds: the kinds of entry allowed (empty: any kind).
    :param required: data keys every entry must carry.
    :param numeric: data keys whose value must be a finite number >= 0 when present (hours,
        amounts); a key both required and numeric must be present and a number.
    :param postings: moves that write an entry into this ledger as they are made.
    """

    name: str
    label: str = ""
    kinds: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    required: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    numeric: frozenset[str] = attrs.field(default=frozenset(), converter=_names)
    postings: tuple[Posting, ...] = attrs.field(default=(), converter=_postings)

    def __attrs_post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise DefinitionError("a ledger needs a name")


@attrs.frozen(slots=True)
class Entry:
    """One record of a ledger.

    ``unit`` is the org unit it belongs to (a community, a residential area), ``subject`` whom
    it is about (a party member, a worker, an issue), ``at`` when it happened; ``data`` is JSON
    data. ``sequence`` counts from 0 within the ledger; ``hash`` covers every other field and
    ``previous_hash``, the hash of the entry before it.
    """

    ledger: str
    sequence: int
    kind: str
    unit: str | None
    subject: str | None
    actor: str
    at: datetime
    data: Mapping[str, Any] = attrs.field(default=EMPTY)
    plugin: PluginRef | None = None
    previous_hash: str = ""
    hash: str = ""


def _as_event(entry: Entry) -> Event:
    """The entry as an event, for hashing: every field of the entry is a hashed field."""
    return Event(
        issue_id=_HASH_PREFIX + entry.ledger,
        sequence=entry.sequence,
        trigger=entry.kind,
        source=None,
        destination=entry.ledger,
        actor=entry.actor,
        at=entry.at,
        payload=entry.data,
        changes={"unit": entry.unit, "subject": entry.subject},
        plugin=entry.plugin,
        previous_hash=entry.previous_hash,
    )


def entry_hash(entry: Entry) -> str:
    """The hash ``entry`` should carry, given its other fields (the audit log's scheme)."""
    return recompute_hash(_as_event(entry))


@runtime_checkable
class LedgerStore(Protocol):
    """Where ledger entries live. Only :class:`Ledgers` writes to it."""

    def append(self, entry: Entry) -> None:
        """Append ``entry``; :class:`~govflow.errors.ConflictError` unless its sequence is the
        ledger's next one (another writer got there first) -- then nothing is written."""
        ...

    def entries(self, ledger: str) -> Sequence[Entry]:
        """The ledger's entries in sequence order (empty for a ledger never written)."""
        ...


class MemoryLedgerStore:
    """Ledger entries in memory: one list per ledger."""

    def __init__(self) -> None:
        self._entries: dict[str, list[Entry]] = {}

    def append(self, entry: Entry) -> None:
        entries = self._entries.setdefault(entry.ledger, [])
        if entry.sequence != len(entries):
            raise ConflictError(
                _HASH_PREFIX + entry.ledger,
                f"entry {entry.sequence} appended where entry {len(entries)} was expected",
            )
        entries.append(entry)

    def entries(self, ledger: str) -> Sequence[Entry]:
        return tuple(self._entries.get(ledger, ()))

    def replace(self, ledger: str, position: int, entry: Entry) -> None:
        """Overwrite an entry in place. Only for tests of tampering: a real store never edits."""
        self._entries[ledger][position] = entry


def _plain(data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not data:
        return EMPTY
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise InvalidRequestError("ledger data must be a mapping with string keys")
    try:
        text = json_text(dict(data))
    except (TypeError, ValueError) as err:
        raise InvalidRequestError(f"ledger data must be JSON data: {err}") from None
    return MappingProxyType(json.loads(text))


def _check_fields(spec: LedgerSpec, kind: str, data: Mapping[str, Any]) -> None:
    if spec.kinds and kind not in spec.kinds:
        raise InvalidRequestError(
            f"ledger {spec.name!r} takes entries of kind {sorted(spec.kinds)}, not {kind!r}"
        )
    missing = sorted(spec.required - data.keys())
    if missing:
        raise InvalidRequestError(f"a {spec.name!r} entry needs {missing} in its data")
    for key in sorted(spec.numeric & data.keys()):
        value = data[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            raise InvalidRequestError(
                f"{key!r} of a {spec.name!r} entry must be a number >= 0, got {value!r}"
            )


class Ledgers:
    """The declared ledgers of one deployment and the entries recorded in them.

    :param specs: the ledgers' declarations (names must be unique).
    :param store: where entries live; in memory by default.
    :param clock: where ``at`` comes from when a record gives none.
    """

    def __init__(
        self,
        specs: Iterable[tuple[PluginRef | None, LedgerSpec] | LedgerSpec] = (),
        store: LedgerStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store: LedgerStore = store if store is not None else MemoryLedgerStore()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._specs: dict[str, tuple[PluginRef | None, LedgerSpec]] = {}
        self._postings: dict[tuple[str, str], list[tuple[str, Posting]]] = {}
        for item in specs:
            owner, spec = item if isinstance(item, tuple) else (None, item)
            self.declare(spec, plugin=owner)

    def declare(self, spec: LedgerSpec, *, plugin: PluginRef | None = None) -> None:
        """Declare a ledger; :class:`~govflow.errors.DefinitionError` if the name is taken."""
        if not isinstance(spec, LedgerSpec):
            raise DefinitionError(f"{spec!r} is not a LedgerSpec")
        if spec.name in self._specs:
            raise DefinitionError(f"ledger {spec.name!r} is declared already")
        self._specs[spec.name] = (plugin, spec)
        for posting in spec.postings:
            self._postings.setdefault((posting.workflow, posting.trigger), []).append(
                (spec.name, posting)
            )

    @property
    def posts(self) -> bool:
        """True if any declared ledger takes entries from moves (see :class:`Posting`)."""
        return bool(self._postings)

    @property
    def specs(self) -> Mapping[str, LedgerSpec]:
        """Every declared ledger, by name."""
        return {name: spec for name, (_, spec) in self._specs.items()}

    def spec(self, ledger: str) -> LedgerSpec:
        """The declaration of ``ledger``; :class:`~govflow.errors.UnknownLedgerError` if none."""
        found = self._specs.get(ledger)
        if found is None:
            raise UnknownLedgerError(ledger)
        return found[1]

    def record(
        self,
        ledger: str,
        kind: str,
        *,
        actor: Actor | str,
        unit: str | None = None,
        subject: str | None = None,
        data: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> Entry:
        """Append an entry to ``ledger`` and return it.

        :raises UnknownLedgerError: for an undeclared ledger.
        :raises InvalidRequestError: for a kind the ledger does not take, missing or non-numeric
            data, non-JSON data, an empty actor, unit or subject id, or a naive ``at``.
        """
        entry = self._draft(ledger, kind, actor, unit, subject, data, at, after=())
        self.store.append(entry)
        return entry

    def _draft(  # noqa: PLR0917  (an entry's fields)
        self,
        ledger: str,
        kind: str,
        actor: Actor | str,
        unit: str | None,
        subject: str | None,
        data: Mapping[str, Any] | None,
        at: datetime | None,
        after: Sequence[Entry],
    ) -> Entry:
        """The entry ``record`` would append (after the not yet appended ``after``), checked."""
        owner, spec = self._specs.get(ledger) or (None, None)
        if spec is None:
            raise UnknownLedgerError(ledger)
        who = actor.id if isinstance(actor, Actor) else str(actor)
        if not who:
            raise InvalidRequestError("a ledger entry needs an actor id")
        if not kind:
            raise InvalidRequestError("a ledger entry needs a kind")
        for name, value in (("unit", unit), ("subject", subject)):
            if value is not None and (not isinstance(value, str) or not value):
                raise InvalidRequestError(f"a ledger entry's {name} must be a non-empty id")
        when = at if at is not None else self.clock.now()
        if when.tzinfo is None:
            raise InvalidRequestError("a ledger entry's time must be timezone-aware")
        plain = _plain(data)
        _check_fields(spec, kind, plain)
        existing = [*self.store.entries(ledger), *(e for e in after if e.ledger == ledger)]
        draft = Entry(
            ledger=ledger,
            sequence=len(existing),
            kind=kind,
            unit=unit,
            subject=subject,
            actor=who,
            at=when,
            data=plain,
            plugin=owner,
            previous_hash=existing[-1].hash if existing else GENESIS,
        )
        return attrs.evolve(draft, hash=entry_hash(draft))

    def drafts(self, issue: Issue, event: Event) -> list[Entry]:
        """The entries the declared postings make of ``event`` moving ``issue`` (as moved),
        checked but not appended: the engine appends them once the move has committed.

        :raises InvalidRequestError: if an entry would be refused (the move is refused too).
        """
        found = self._postings.get((issue.workflow, event.trigger))
        if not found:
            return []
        entries: list[Entry] = []
        for ledger, posting in found:
            subject = {
                "actor": event.actor,
                "reporter": issue.reporter,
                "assignee": issue.assignees[0] if issue.assignees else None,
            }[posting.subject]
            data = {key: event.payload[key] for key in posting.fields if key in event.payload}
            data["issue"] = issue.id
            entries.append(
                self._draft(
                    ledger,
                    posting.kind,
                    event.actor,
                    issue.location,
                    subject,
                    data,
                    event.at,
                    after=entries,
                )
            )
        return entries

    def append(self, entries: Iterable[Entry]) -> None:
        """Append entries :meth:`drafts` made, in order."""
        for entry in entries:
            self.store.append(entry)

    def entries(
        self,
        ledger: str,
        *,
        kind: str | None = None,
        unit: str | Iterable[str] | None = None,
        subject: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Entry]:
        """The ledger's entries matching every filter given, oldest recorded first.

        ``unit`` may be one id or several; ``since`` is inclusive, ``until`` exclusive.
        """
        self.spec(ledger)
        units = None if unit is None else frozenset((unit,) if isinstance(unit, str) else unit)
        return [
            entry
            for entry in self.store.entries(ledger)
            if (kind is None or entry.kind == kind)
            and (units is None or entry.unit in units)
            and (subject is None or entry.subject == subject)
            and (since is None or entry.at >= since)
            and (until is None or entry.at < until)
        ]

    def total(self, ledger: str, key: str, **filters: Any) -> float:
        """The sum of data ``key`` over the entries :meth:`entries` gives for ``filters``
        (entries without the key count 0)."""
        return float(sum(entry.data.get(key, 0) for entry in self.entries(ledger, **filters)))

    def verify(self, ledger: str) -> int:
        """Check the ledger's chain is unbroken; return how many entries were checked.

        :raises LedgerIntegrityError: naming the ledger and the entry where it breaks.
        """
        self.spec(ledger)
        previous = GENESIS
        entries = self.store.entries(ledger)
        for position, entry in enumerate(entries):
            if entry.ledger != ledger:
                raise LedgerIntegrityError(ledger, position, f"belongs to {entry.ledger!r}")
            if entry.sequence != position:
                raise LedgerIntegrityError(
                    ledger,
                    position,
                    f"has sequence {entry.sequence}; an entry was inserted or deleted here",
                )
            if entry.previous_hash != previous:
                raise LedgerIntegrityError(
                    ledger, position, "previous_hash does not match the entry before it"
                )
            if entry_hash(entry) != entry.hash:
                raise LedgerIntegrityError(ledger, position, "was edited: its hash does not match")
            previous = entry.hash
        return len(entries)

    def verify_all(self) -> dict[str, int]:
        """:meth:`verify` every declared ledger: entries checked, by ledger."""
        return {name: self.verify(name) for name in self._specs}

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)


def build_ledgers(plugins: PluginHost, clock: Clock) -> Ledgers:
    """The ledgers every plugin declares through ``govflow_ledgers``, on ``clock`` (the engine's).

    :raises PluginError: naming the plugin whose declaration is not a LedgerSpec or whose name
        another plugin declared already.
    """
    ledgers = Ledgers(clock=clock)
    for ref, answer in plugins.collect("govflow_ledgers"):
        for spec in answer:
            try:
                ledgers.declare(spec, plugin=ref)
            except DefinitionError as err:
                raise PluginError(ref.name, str(err)) from err
    return ledgers


__all__ = [
    "POSTING_SUBJECTS",
    "Entry",
    "LedgerSpec",
    "LedgerStore",
    "Ledgers",
    "MemoryLedgerStore",
    "Posting",
    "build_ledgers",
    "entry_hash",
]
