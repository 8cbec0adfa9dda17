"""Checks at the boundary: what the engine accepts from callers, before anything is stored.

Every value that reaches the audit log must have a canonical form (``docs/audit-format.md``)
and must come back from every store unchanged, so the engine refuses -- with an
:class:`~govflow.errors.InvalidRequestError` naming the argument -- what would break either:
text that is not text (a number as an id), NUL characters in ids, names and keys
(PostgreSQL cannot store them; inside JSON data they are escaped, and kept), lone surrogates
(not Unicode), ids and keys longer than :data:`MAX_TEXT_LENGTH`, integers an
auditor's IEEE double cannot hold, floats that are not finite, naive times, and JSON data
nested deeper than :attr:`JSONLimits.max_depth` or larger than :attr:`JSONLimits.max_bytes`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Final

import attrs

from govflow.errors import ConflictError, InvalidRequestError
from govflow.records import EMPTY, Actor, Event

#: The longest id, name or idempotency key the engine takes, in characters (at most 1 KiB of
#: UTF-8: PostgreSQL cannot index much longer keys).
MAX_TEXT_LENGTH: Final = 256

_MAX_SAFE_INTEGER: Final = 2**53 - 1  # govflow.audit.MAX_SAFE_INTEGER, without the import cycle


@attrs.frozen
class JSONLimits:
    """How big the JSON data of one payload or issue may be.

    :param max_depth: containers nested inside each other (``{"a": [1]}`` is 2 deep).
    :param max_bytes: an estimate of its UTF-8 JSON size (text lengths plus punctuation).
    """

    max_depth: int = 32
    max_bytes: int = 256 * 1024


#: The limits the engine applies unless it is given others.
DEFAULT_LIMITS: Final = JSONLimits()

_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _text_problem(value: str) -> str | None:
    if value.isascii():
        return "holds a NUL character" if "\x00" in value else None
    if "\x00" in value:
        return "holds a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (not Unicode text)"
    return None


def _json_text_problem(value: str) -> str | None:
    # JSON escapes NUL (every store keeps it), but a lone surrogate has no UTF-8 at all.
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "holds a lone surrogate (not Unicode text)"
    return None


def check_text(what: str, value: object, *, optional: bool = False, empty: bool = False) -> None:
    """Refuse ``value`` unless it is text fit for the log (or None, if ``optional``)."""
    if value is None and optional:
        return
    if type(value) is not str:
        expected = "text or None" if optional else "text"
        raise InvalidRequestError(f"{what} must be {expected}, got {type(value).__name__}")
    if not value and not empty:
        raise InvalidRequestError(f"{what} must not be empty")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidRequestError(
            f"{what} is {len(value)} characters long; the limit is {MAX_TEXT_LENGTH}"
        )
    problem = _text_problem(value)
    if problem is not None:
        raise InvalidRequestError(f"{what} {problem}")


def check_int(what: str, value: object, *, minimum: int, optional: bool = False) -> None:
    """Refuse ``value`` unless it is an int (not a bool) of at least ``minimum``."""
    if value is None and optional:
        return
    if type(value) is not int:
        raise InvalidRequestError(f"{what} must be an integer, got {type(value).__name__}")
    if not minimum <= value <= _MAX_SAFE_INTEGER:
        raise InvalidRequestError(f"{what} must be between {minimum} and {_MAX_SAFE_INTEGER}")


def check_time(what: str, value: object, *, optional: bool = False) -> None:
    """Refuse ``value`` unless it is a datetime with a UTC offset."""
    if value is None and optional:
        return
    if not isinstance(value, datetime):
        raise InvalidRequestError(f"{what} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise InvalidRequestError(f"{what} must carry a UTC offset (a naive time is ambiguous)")


class _Walk:
    """One walk over JSON data: its size so far, and the first problem met."""

    __slots__ = ("limits", "size", "what")

    def __init__(self, what: str, limits: JSONLimits) -> None:
        self.what = what
        self.limits = limits
        self.size = 0

    def fail(self, where: str, problem: str) -> InvalidRequestError:
        return InvalidRequestError(f"{self.what} must be JSON data: {self.what}{where} {problem}")

    def grow(self, amount: int, where: str) -> None:
        self.size += amount
        if self.size > self.limits.max_bytes:
            raise self.fail(where, f"makes the data larger than {self.limits.max_bytes} bytes")

    def scalar(self, value: Any, where: str) -> Any:
        kind = type(value)
        if kind is str:
            problem = _json_text_problem(value)
            if problem is not None:
                raise self.fail(where, problem)
            self.grow(len(value) + 2, where)
            return value
        if kind is bool or value is None:
            self.grow(5, where)
            return value
        if kind is int:
            if not -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER:
                raise self.fail(where, f"is {value}, beyond ±(2**53 - 1)")
            self.grow(20, where)
            return value
        if kind is float:
            if not math.isfinite(value):
                raise self.fail(where, f"is {value}, which JSON cannot hold")
            self.grow(24, where)
            return value
        raise self.fail(where, f"is a {kind.__name__}, which is not JSON data")

    def value(self, value: Any, where: str, depth: int) -> Any:
        kind = type(value)
        if kind in _SCALARS:
            return self.scalar(value, where)
        if depth >= self.limits.max_depth:
            raise self.fail(where, f"nests deeper than {self.limits.max_depth} levels")
        if isinstance(value, Mapping):
            return self.mapping(value, where, depth + 1)
        if kind is list or kind is tuple:
            self.grow(2, where)
            return [self.value(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
        raise self.fail(where, f"is a {kind.__name__}, which is not JSON data")

    def mapping(self, value: Mapping[Any, Any], where: str, depth: int) -> dict[str, Any]:
        copy: dict[str, Any] = {}
        self.grow(2, where)
        for key, item in value.items():
            if type(key) is not str:
                raise InvalidRequestError(
                    f"{self.what} keys must be strings: {self.what}{where} has the key {key!r}"
                )
            problem = _json_text_problem(key)
            if problem is not None:
                raise self.fail(f"{where}[{key!r}]", f"(the key) {problem}")
            self.grow(len(key) + 4, where)
            copy[key] = self.value(item, f"{where}[{key!r}]", depth)
        return copy


def json_data(what: str, value: object, limits: JSONLimits = DEFAULT_LIMITS) -> Mapping[str, Any]:
    """A private, read-only copy of ``value`` as plain JSON data: what the log stores.

    ``None`` is no data. Anything else must be a mapping with text keys whose values are JSON
    (text, finite numbers, booleans, None, lists, mappings) within ``limits``; otherwise
    :class:`~govflow.errors.InvalidRequestError` names ``what`` and the element at fault.
    """
    if value is None:
        return EMPTY
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"{what} must be a mapping, got {type(value).__name__}")
    if not value:
        return EMPTY
    return MappingProxyType(_Walk(what, limits).mapping(value, "", 1))


__all__ = [
    "DEFAULT_LIMITS",
    "MAX_TEXT_LENGTH",
    "JSONLimits",
    "check_actor",
    "check_fire",
    "check_int",
    "check_open",
    "check_text",
    "check_time",
    "json_data",
    "same_opening",
    "same_request",
]


def check_actor(what: str, actor: object) -> None:
    """Refuse ``actor`` unless it is an :class:`~govflow.records.Actor`."""
    if not isinstance(actor, Actor):
        raise InvalidRequestError(f"{what} must be an Actor, got {type(actor).__name__}")


def check_fire(
    issue_id: object,
    trigger: object,
    actor: object,
    expected_version: object,
    idempotency_key: object,
) -> None:
    """The arguments of :meth:`govflow.Engine.fire`, before anything is read."""
    check_text("issue_id", issue_id)
    check_text("trigger", trigger)
    if not isinstance(actor, Actor):
        if type(actor) is not str:
            raise InvalidRequestError(
                f"actor must be an Actor or an actor id, got {type(actor).__name__}"
            )
        check_text("actor", actor)
    check_int("expected_version", expected_version, minimum=0, optional=True)
    check_text("idempotency_key", idempotency_key, optional=True)


def check_open(  # noqa: PLR0917  (Engine.open's arguments, in its order)
    workflow: object,
    reporter: object,
    location: object,
    category: object,
    version: object,
    issue_id: object,
    idempotency_key: object,
) -> Actor:
    """The arguments of :meth:`govflow.Engine.open`; returns the reporter as an Actor."""
    check_text("workflow", workflow)
    if isinstance(reporter, Actor):
        who = reporter
    elif type(reporter) is str:
        if not reporter:
            raise InvalidRequestError("the reporter needs an id")
        check_text("reporter", reporter)
        who = Actor(reporter)
    else:
        raise InvalidRequestError(
            f"reporter must be an Actor or an actor id, got {type(reporter).__name__}"
        )
    check_text("location", location, optional=True)
    check_text("category", category, optional=True)
    check_int("version", version, minimum=1, optional=True)
    check_text("issue_id", issue_id, optional=True)
    check_text("idempotency_key", idempotency_key, optional=True)
    return who


def _conflict(event: Event, key: str, differs: str) -> ConflictError:
    return ConflictError(
        event.issue_id,
        f"idempotency key {key!r} was used for a different request ({differs} differs)",
    )


def same_request(
    earlier: Event, key: str, trigger: str, actor: str, payload: Mapping[str, Any]
) -> Event:
    """``earlier`` if it answered the same request as this one; else a ConflictError."""
    if earlier.trigger != trigger:
        raise _conflict(earlier, key, f"the trigger: it was {earlier.trigger!r}")
    if earlier.actor != actor:
        raise _conflict(earlier, key, f"the actor: it was {earlier.actor!r}")
    if dict(earlier.payload) != dict(payload):
        raise _conflict(earlier, key, "the payload")
    return earlier


def same_opening(  # noqa: PLR0917  (the request being compared, field by field)
    earlier: Event,
    key: str,
    workflow: str,
    reporter: str,
    location: str | None,
    category: str | None,
    data: Mapping[str, Any],
    version: int | None,
    issue_id: str | None,
) -> None:
    """Refuse with ConflictError unless ``earlier`` (an open event) opened this same report.

    A category left to the classifier matches whatever it chose.
    """
    fields = earlier.changes
    compared: list[tuple[str, object, object]] = [
        ("the workflow", fields.get("workflow"), workflow),
        ("the reporter", fields.get("reporter"), reporter),
        ("the location", fields.get("location"), location),
        ("the data", dict(fields.get("data") or {}), dict(data)),
    ]
    if category is not None:
        compared.append(("the category", fields.get("category"), category))
    if version is not None:
        compared.append(("the workflow version", fields.get("workflow_version"), version))
    if issue_id is not None:
        compared.append(("the issue id", earlier.issue_id, issue_id))
    for name, was, now in compared:
        if was != now:
            raise _conflict(earlier, key, name)
