"""Residents' personal data, sealed so that it can be erased without breaking the log.

China's Personal Information Protection Law (个人信息保护法, PIPL, art. 47) gives a resident the
right to have their personal information deleted; the audit log must still verify afterwards,
years later, by another program. Deleting or rewriting events would break every hash after
them, so govflow erases by *crypto-shredding*:

* the value of every personal key of an issue's data or a move's payload (the keys the
  workflow's :class:`~govflow.workflow.spec.Privacy` names) is sealed before it is hashed or
  stored: AES-256-GCM under a key of its own per *subject* (the issue's reporter), as the
  envelope ``{"$sealed": {"cipher": "A256GCM", "key": <key id>, "data": <base64>}}``;
* the log hashes, stores and exports the envelope, never the plaintext, so the plaintext is
  never written to the database at all;
* the subject's keys live in the store beside the log, outside every hash;
  :meth:`govflow.Engine.erase` records the request in each of the subject's issues (an
  ``erase`` event: who asked, when, which subject, never the data) and then deletes the keys.
  The envelopes stay and every hash still matches; nobody can open them any more.

Reads through the engine (:meth:`~govflow.Engine.get`, :meth:`~govflow.Engine.history`)
unseal what the reader may see; an erased value reads as absent. ``docs/audit-format.md``
specifies the envelope.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Protocol

import attrs
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from govflow.audit.canonical import canonical_json, parse_integer
from govflow.errors import IntegrityError
from govflow.records import EMPTY, Event, Issue, PluginRef
from govflow.store.base import SubjectKey

#: The one key of a sealed value's envelope.
SEALED: Final = "$sealed"
#: The cipher envelopes name (JOSE's name for AES-256-GCM, RFC 7518).
CIPHER: Final = "A256GCM"
#: The trigger of the event recording an erasure in each of the subject's issues.
ERASE_TRIGGER: Final = "erase"
#: Who contributed an ``erase`` event: this module.
ERASER: Final = PluginRef("govflow.audit.personal")

_NONCE: Final = 12  # bytes: GCM's standard nonce, random per sealed value


class Keyring(Protocol):
    """Where subjects' keys are kept: every :class:`~govflow.store.Store` is one."""

    def subject_key(self, subject: str, *, create: bool = False) -> SubjectKey | None:
        """The subject's current key; with ``create``, made (and stored) if there is none."""
        ...

    def subject_secret(self, key_id: str) -> bytes | None:
        """The secret of the key with this id, or None once it was erased."""
        ...


def is_sealed(value: Any) -> bool:
    """True if ``value`` has the shape of a sealed value's envelope."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    inner = value.get(SEALED)
    return (
        isinstance(inner, Mapping)
        and set(inner) == {"cipher", "key", "data"}
        and inner["cipher"] == CIPHER
        and type(inner["key"]) is str
        and type(inner["data"]) is str
    )


def seal_value(key: SubjectKey, field: str, value: Any) -> dict[str, Any]:
    """``value`` (JSON data) sealed under ``key``; ``field`` is bound to it as associated data
    (a sealed phone number cannot be passed off as another field)."""
    nonce = secrets.token_bytes(_NONCE)
    plain = canonical_json(value).encode("utf-8")
    sealed = AESGCM(key.secret).encrypt(nonce, plain, field.encode("utf-8"))
    text = base64.b64encode(nonce + sealed).decode("ascii")
    return {SEALED: {"cipher": CIPHER, "key": key.key_id, "data": text}}


def unseal_value(envelope: Mapping[str, Any], secret: bytes, field: str) -> Any:
    """The value ``envelope`` sealed (see :func:`seal_value`).

    :raises ValueError: the envelope was not sealed with ``secret`` for ``field``, or was
        altered.
    """
    try:
        raw = base64.b64decode(envelope[SEALED]["data"], validate=True)
        plain = AESGCM(secret).decrypt(raw[:_NONCE], raw[_NONCE:], field.encode("utf-8"))
    except (InvalidTag, binascii.Error) as err:
        raise ValueError(f"the sealed {field!r} does not open: {type(err).__name__}") from None
    return json.loads(plain, parse_int=parse_integer)


class PersonalData:
    """Seals and unseals the personal keys of issue data and payloads, with a store's keys."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def seal(self, fields: frozenset[str], subject: str, data: Mapping[str, Any]) -> Any:
        """``data`` with the value of each of ``fields`` sealed under ``subject``'s key (made
        on first use); ``data`` itself when it holds none. Every such value is sealed, even
        one shaped like an envelope: what a caller sends is never taken for sealed data."""
        if not data or fields.isdisjoint(data):
            return data
        key = self.keyring.subject_key(subject, create=True)
        assert key is not None  # created if missing
        sealed = dict(data)
        for name in fields.intersection(data):
            sealed[name] = seal_value(key, name, data[name])
        return sealed

    def unseal(
        self,
        data: Mapping[str, Any],
        fields: frozenset[str],
        issue_id: str,
        sequence: int | None = None,
    ) -> Any:
        """``data`` with the sealed values of ``fields`` opened; one whose key was erased is
        left out. ``data`` itself when nothing there is sealed. Only ``fields`` are opened:
        an envelope anywhere else is data a caller sent, and stays as it is.

        :raises IntegrityError: an envelope does not open under its key (it was altered in
            the database).
        """
        if not data or fields.isdisjoint(data):
            return data
        sealed = [name for name in fields.intersection(data) if is_sealed(data[name])]
        if not sealed:
            return data
        opened = dict(data)
        for name in sealed:
            secret = self.keyring.subject_secret(data[name][SEALED]["key"])
            if secret is None:
                del opened[name]  # erased
                continue
            try:
                opened[name] = unseal_value(data[name], secret, name)
            except ValueError as err:
                where = -1 if sequence is None else sequence
                raise IntegrityError(issue_id, where, str(err)) from None
        return opened

    def unseal_issue(self, issue: Issue, fields: frozenset[str]) -> Issue:
        """``issue`` with its personal data opened (the same object if none is sealed)."""
        data = self.unseal(issue.data, fields, issue.id)
        return issue if data is issue.data else attrs.evolve(issue, data=data)

    def unseal_event(self, event: Event, fields: frozenset[str]) -> Event:
        """``event`` with its payload's and its changed data's personal values opened."""
        payload = self.unseal(event.payload, fields, event.issue_id, event.sequence)
        data = event.changes.get("data")
        opened = (
            self.unseal(data, fields, event.issue_id, event.sequence)
            if isinstance(data, Mapping)
            else data
        )
        if payload is event.payload and opened is data:
            return event
        changes = event.changes if opened is data else {**event.changes, "data": opened}
        return attrs.evolve(event, payload=payload, changes=changes or EMPTY)

    def unseal_events(self, events: Iterable[Event], fields: frozenset[str]) -> tuple[Event, ...]:
        """Every event of ``events`` opened (see :meth:`unseal_event`)."""
        return tuple(self.unseal_event(event, fields) for event in events)


def erasure_payload(subject: str, reason: str | None) -> dict[str, Any]:
    """What an ``erase`` event records: the subject and the stated reason, never the data."""
    payload: dict[str, Any] = {"subject": subject}
    if reason is not None:
        payload["reason"] = reason
    return payload


def reported_by(issues: Iterator[Issue], subject: str) -> Iterator[Issue]:
    """The issues of ``issues`` that ``subject`` reported."""
    return (issue for issue in issues if issue.reporter == subject)


__all__ = [
    "CIPHER",
    "ERASER",
    "ERASE_TRIGGER",
    "SEALED",
    "Keyring",
    "PersonalData",
    "SubjectKey",
    "erasure_payload",
    "is_sealed",
    "reported_by",
    "seal_value",
    "unseal_value",
]
