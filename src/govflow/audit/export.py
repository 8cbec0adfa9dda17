"""A whole store as JSON Lines, and back: for archiving, moving, and auditing elsewhere.

The file is the store-wide log in commit order, one event a line, each in its canonical form
(``docs/audit-format.md``), so that any program that can parse JSON and compute SHA-256 can
check it::

    {"govflow":"export","format":1}
    {"event":{...the canonical object...},"hash":"..."}
    ...
    {"end":{"events":330000,"root":"..."}}

The last line holds the count and the Merkle root of the events' hashes
(:mod:`govflow.audit.merkle`): a truncated file has no such line, or the wrong one.
:func:`import_store` checks everything -- every hash, every chain, the count and the root --
before it writes the first event, and writes only into an empty store, so a file that does not
verify leaves the target untouched. Importing an export gives a store whose log, issue by
issue and entry by entry, is the one exported: checkpoints of the source verify against it.

Residents' personal data is in the file only sealed (:mod:`govflow.audit.personal`): the file
can go to an auditor as it is. The subjects' keys that open it go, when asked for, to a second
file (:func:`export_keys`), which is as secret as the data it opens; a subject erased before
the export has no key in it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TextIO

import attrs

from govflow.audit.canonical import (
    CANONICAL_FIELDS,
    canonical_json,
    canonical_text,
    parse_integer,
)
from govflow.audit.chain import GENESIS, advance, recompute_hash
from govflow.audit.merkle import MerkleRoot
from govflow.errors import CorruptRecordError, GovflowError, IntegrityError, InvalidRequestError
from govflow.records import EMPTY, Event, Issue, PluginRef, freeze_mapping
from govflow.store.base import CorruptRecord, Store, SubjectKey

#: The version of the export format.
EXPORT_FORMAT: Final = 1

_HEADER: Final = {"govflow": "export", "format": EXPORT_FORMAT}
_KEYS_HEADER: Final = {"govflow": "subject-keys", "format": EXPORT_FORMAT}
_KEY_BYTES: Final = 32
_TYPES: Final = {field.name: str(field.type) for field in attrs.fields(Event)}


@attrs.frozen
class ExportSummary:
    """How many events a file holds, and the Merkle root of their hashes."""

    events: int
    root: str


def _event_line(event: Event) -> str:
    """``canonical_json({"event": canonical_object(event), "hash": event.hash})`` and a newline:
    the event's own canonical text (its hash's fast path) inside the line's two members, which
    JCS orders ``event``, ``hash``."""
    return f'{{"event":{canonical_text(event)},"hash":{canonical_json(event.hash)}}}\n'


def export_store(store: Store, out: TextIO) -> ExportSummary:
    """Write every event of ``store`` to ``out``, in the order they were committed.

    :raises CorruptRecordError: a row cannot be read (verify the store first: it names all).
    """
    tree = MerkleRoot()
    out.write(canonical_json(_HEADER) + "\n")
    for event in store.log_events():
        if isinstance(event, CorruptRecord):
            sequence = -1 if event.sequence is None else event.sequence
            raise CorruptRecordError(event.issue_id, sequence, event.problem)
        out.write(_event_line(event))
        tree.append(event.hash)
    summary = ExportSummary(tree.size, tree.root())
    out.write(canonical_json({"end": {"events": summary.events, "root": summary.root}}) + "\n")
    return summary


def _change(key: str, value: Any) -> Any:
    # JSON has no tuples and no read-only mappings: give back what the engine put in changes.
    if key in {"assignees", "handlers"} and isinstance(value, list):
        return tuple(value)
    if key == "data" and isinstance(value, dict):
        return freeze_mapping(value)
    return value


def _field(name: str, value: Any) -> Any:
    kind = _TYPES[name]
    if value is None:
        return None
    if kind.startswith("datetime"):
        return datetime.fromisoformat(value)
    if kind.startswith("PluginRef"):
        return PluginRef(value["name"], value["version"])
    if kind.startswith("Mapping"):
        if not isinstance(value, dict):
            raise TypeError(f"{name} must be an object")
        if name == "changes":
            return (
                MappingProxyType({k: _change(k, v) for k, v in value.items()}) if value else EMPTY
            )
        return freeze_mapping(value)
    return value


def event_from_canonical(obj: Mapping[str, Any], event_hash: str) -> Event:
    """The event whose canonical object is ``obj`` and whose hash is ``event_hash``.

    :raises InvalidRequestError: ``obj`` lacks a field, has an unknown one, or holds a value
        of the wrong shape.
    """
    missing = set(CANONICAL_FIELDS) - set(obj)
    unknown = set(obj) - set(CANONICAL_FIELDS)
    if missing or unknown:
        raise InvalidRequestError(
            f"not an event of audit format 1: missing {sorted(missing)}, unknown {sorted(unknown)}"
        )
    try:
        fields = {name: _field(name, obj[name]) for name in CANONICAL_FIELDS}
        return Event(**fields, hash=event_hash)
    except (ValueError, TypeError, KeyError) as err:
        raise InvalidRequestError(f"not an event: {type(err).__name__}: {err}") from None


def _lines(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            try:
                yield number, json.loads(line, parse_int=parse_integer)
            except ValueError as err:
                raise IntegrityError(
                    "?", number, f"{path}, line {number}: not JSON ({err})"
                ) from None


def _events(path: Path) -> Iterator[tuple[int, Event]]:
    """The file's events with their line numbers; checks the header and the trailer."""
    lines = _lines(path)
    first = next(lines, None)
    if first is None or first[1] != _HEADER:
        raise IntegrityError("?", 1, f"{path} does not start with a govflow export header")
    tree = MerkleRoot()
    for number, record in lines:
        if isinstance(record, dict) and set(record) == {"end"}:
            end = record["end"]
            if end != {"events": tree.size, "root": tree.root()}:
                raise IntegrityError(
                    "?",
                    number,
                    f"{path}, line {number}: the file ends with {end}, but its events give "
                    f"{tree.size} events and root {tree.root()}: events were added or removed",
                )
            if next(lines, None) is not None:
                raise IntegrityError("?", number + 1, f"{path}: lines follow the end line")
            return
        if not isinstance(record, dict) or set(record) != {"event", "hash"}:
            raise IntegrityError("?", number, f"{path}, line {number}: not an event line")
        try:
            event = event_from_canonical(record["event"], str(record["hash"]))
        except InvalidRequestError as err:
            raise IntegrityError("?", number, f"{path}, line {number}: {err}") from None
        tree.append(event.hash)
        yield number, event
    raise IntegrityError("?", tree.size, f"{path} has no end line: it was truncated")


def _check(path: Path) -> ExportSummary:
    """Verify the whole file: hashes, chains (issue by issue), the count and the root."""
    heads: dict[str, tuple[int, str]] = {}  # issue id -> (last sequence, last hash)
    tree = MerkleRoot()
    for number, event in _events(path):
        where = f"{path}, line {number}"
        try:
            recomputed = recompute_hash(event)
        except (GovflowError, ValueError, TypeError, RecursionError) as err:
            raise IntegrityError(event.issue_id, event.sequence, f"{where}: {err}") from None
        if recomputed != event.hash:
            raise IntegrityError(
                event.issue_id, event.sequence, f"{where}: was edited: its hash does not match"
            )
        sequence, previous = heads.get(event.issue_id, (-1, GENESIS))
        if event.sequence != sequence + 1 or event.previous_hash != previous:
            raise IntegrityError(
                event.issue_id, event.sequence, f"{where}: does not follow event {sequence}"
            )
        heads[event.issue_id] = (event.sequence, event.hash)
        tree.append(event.hash)
    return ExportSummary(tree.size, tree.root())


def export_keys(store: Store, out: TextIO) -> int:
    """Write the subjects' keys ``store`` holds to ``out`` (JSON Lines); return how many.

    Keep the file as secret as the personal data it opens, and apart from the export.
    """
    out.write(canonical_json(_KEYS_HEADER) + "\n")
    count = 0
    for key in store.subject_keys():
        secret = base64.b64encode(key.secret).decode("ascii")
        out.write(canonical_json({"subject": key.subject, "key": key.key_id, "secret": secret}))
        out.write("\n")
        count += 1
    return count


def _key(record: Any) -> SubjectKey:
    if not isinstance(record, dict) or set(record) != {"subject", "key", "secret"}:
        raise TypeError("not a key line")
    secret = base64.b64decode(record["secret"], validate=True)
    if len(secret) != _KEY_BYTES or type(record["subject"]) is not str:
        raise ValueError("not a 32-byte key of a subject")
    return SubjectKey(record["subject"], str(record["key"]), secret)


def read_keys(path: str | Path) -> list[SubjectKey]:
    """The keys of a file :func:`export_keys` wrote.

    :raises IntegrityError: the file is not such a file (the line is named).
    """
    source = Path(path)
    keys: list[SubjectKey] = []
    lines = _lines(source)
    if next(lines, (1, None))[1] != _KEYS_HEADER:
        raise IntegrityError("?", 1, f"{source} does not start with a subjects' keys header")
    for number, record in lines:
        try:
            keys.append(_key(record))
        except (TypeError, ValueError, binascii.Error) as err:
            raise IntegrityError("?", number, f"{source}, line {number}: {err}") from None
    return keys


def import_store(
    path: str | Path, store: Store, *, keys: str | Path | None = None
) -> ExportSummary:
    """Load an export into ``store``, which must be empty, after verifying all of it; with
    ``keys``, the subjects' keys :func:`export_keys` wrote, so their personal data opens.

    :raises IntegrityError: the file (or the keys file) does not verify (truncated, edited,
        reordered); nothing was written.
    :raises InvalidRequestError: the store is not empty; nothing was written.
    """
    source = Path(path)
    if len(store) or store.log_size() or next(store.subject_keys(), None) is not None:
        raise InvalidRequestError("import needs an empty store: this one holds issues already")
    summary = _check(source)
    subject_keys = [] if keys is None else read_keys(keys)
    issues: dict[str, Issue] = {}
    for _, event in _events(source):
        issue = advance(issues.get(event.issue_id), event)
        store.commit(issue, event)
        issues[event.issue_id] = issue
    for key in subject_keys:
        store.add_subject_key(key)
    return summary


__all__ = [
    "EXPORT_FORMAT",
    "ExportSummary",
    "event_from_canonical",
    "export_keys",
    "export_store",
    "import_store",
    "read_keys",
]
