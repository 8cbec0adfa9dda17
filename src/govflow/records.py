"""The records govflow keeps: issues, the events that moved them, and the actors who moved them.

All three are immutable. An :class:`Issue` is the current state of one resident's matter; it
changes only by appending an :class:`Event`, and :func:`govflow.audit.replay` rebuilds it from
those events. Slots keep a live issue small: a district holds hundreds of thousands of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from govflow.errors import InvalidRequestError

#: Shared read-only empty mapping, so that the common "no data" case costs nothing per issue.
EMPTY: Mapping[str, Any] = MappingProxyType({})


def freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only view of a copy of ``value`` (the shared :data:`EMPTY` when there is nothing)."""
    kind = type(value)
    if kind is MappingProxyType or kind is InitialFields:  # read-only already: every move
        return value  # type: ignore[return-value]
    if not value:
        return EMPTY
    return MappingProxyType(dict(value))


def _freeze_ids(value: Iterable[str]) -> tuple[str, ...]:
    return value if type(value) is tuple else tuple(value)


def _role_set(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset((value,))
    try:
        return frozenset(value)
    except TypeError:
        raise InvalidRequestError(
            f"Actor roles must be role names, got {type(value).__name__}"
        ) from None


def _actor_text(optional: bool) -> Any:
    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None and optional:
            return
        if type(value) is not str or not value or "\x00" in value:
            raise InvalidRequestError(
                f"Actor {attribute.name} must be non-empty text without NUL, got {value!r}"
            )

    return check


def _check_roles(_instance: Any, _attribute: attrs.Attribute[Any], value: frozenset[Any]) -> None:
    for role in value:
        if type(role) is not str or not role:
            raise InvalidRequestError(f"Actor roles must be non-empty text, got {role!r}")


@attrs.frozen(slots=True)
class Actor:
    """Someone who moves issues: a resident, a grid worker, a department, the clock.

    ``roles`` are the role names transitions ask for; ``home_unit`` is the org unit the actor
    belongs to (a community, a grid), used by routing and by plugins' policies.
    """

    id: str = attrs.field(validator=_actor_text(optional=False))
    roles: frozenset[str] = attrs.field(
        default=frozenset(), converter=_role_set, validator=_check_roles
    )
    home_unit: str | None = attrs.field(default=None, validator=_actor_text(optional=True))
    name: str | None = attrs.field(default=None, validator=_actor_text(optional=True))

    def has_any_role(self, roles: frozenset[str]) -> bool:
        """True if the actor holds at least one of ``roles`` (an empty set asks for none)."""
        return not roles or not roles.isdisjoint(self.roles)


#: The actor in whose name :meth:`govflow.Engine.tick` fires timeout transitions.
SYSTEM_CLOCK = Actor("system:clock", roles=frozenset({"system"}), name="deadline clock")


@attrs.frozen(slots=True, cache_hash=True)  # hashed on every move, as part of a decisions key
class PluginRef:
    """Which plugin (distribution name and version) contributed a transition or a decision."""

    name: str
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.version is None else f"{self.name} {self.version}"


@attrs.frozen(slots=True, eq=True)
class Issue:
    """One resident's matter, as it stands now.

    ``version`` counts accepted moves (0 when just opened) and equals the sequence number of the
    issue's last event; pass it back as ``expected_version`` to guard against lost updates.
    ``handlers`` are the actors who worked the issue in a processing state: they may not
    evaluate it. ``due_at`` is when the current state's time limit runs out (None: no limit,
    or the issue is paused). ``timing`` is the engine's deadline bookkeeping, as JSON data
    (see :mod:`govflow.timekeeping`): the overall due time (办结时限), a pending early warning,
    a pause, extensions granted and requested.
    """

    id: str
    workflow: str
    workflow_version: int
    state: str
    category: str | None
    location: str | None
    reporter: str
    opened_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    assignees: tuple[str, ...] = attrs.field(default=(), converter=_freeze_ids)
    handlers: tuple[str, ...] = attrs.field(default=(), converter=_freeze_ids)
    data: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    version: int = 0
    #: The joint-work record (JSON data kept by :mod:`govflow.joint`): the current round of
    #: parties, linked issues, the parent issue, loop counts. Read it through
    #: :func:`govflow.joint.parties` and friends rather than by key.
    joint: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    timing: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    #: The hash of the issue's latest event, which the next move's event links to: carried on
    #: the issue so that a move reads one record, not the log. Derived from the log (stores
    #: read it from there), so it takes no part in comparing issues; "" when not known.
    last_hash: str = attrs.field(default="", eq=False, repr=False)

    @property
    def alarm_at(self) -> datetime | None:
        """When the deadline clock next has something to do with the issue: the earliest of
        its pending early warning (else its due time) and its 办结时限 while that has neither
        passed nor is paused (see :mod:`govflow.timekeeping`). What stores index for
        :meth:`~govflow.store.Store.due`."""
        timing = self.timing
        if not timing:
            return self.due_at
        warn = timing.get("warn_at")
        alarm = self.due_at if warn is None else datetime.fromisoformat(warn)
        overall = timing.get("overall_due")  # the keys are govflow.timekeeping's
        if overall is not None and "overdue" not in timing and "paused" not in timing:
            limit = datetime.fromisoformat(overall)
            if alarm is None or limit < alarm:
                return limit
        return alarm


class InitialFields(Mapping[str, Any]):
    """The fields an ``open`` event sets, read from the issue as it was opened.

    The ``open`` event must carry every initial field so that replay needs nothing else; a
    dict of them would copy seven references per issue (~400 bytes on a district's hundreds of
    thousands of live issues), while this view shares the opened issue's own objects.
    """

    __slots__ = ("_issue",)
    KEYS = (
        "category",
        "data",
        "location",
        "reporter",
        "workflow",
        "workflow_version",
    )

    def __init__(self, issue: Issue) -> None:
        self._issue = issue

    def __getitem__(self, key: str) -> Any:
        if key not in self.KEYS:
            raise KeyError(key)
        return getattr(self._issue, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def __repr__(self) -> str:
        return f"InitialFields({dict(self)!r})"

    def rebind(self, issue: Issue) -> None:
        """Read from ``issue`` from now on: the opened issue as stored, once the ``open`` event's
        hash is known, so that the issue read while hashing is not kept alive beside it.

        :raises ValueError: ``issue`` does not hold the very same initial fields.
        """
        if any(getattr(issue, key) is not getattr(self._issue, key) for key in self.KEYS):
            msg = "rebinding initial fields to an issue that was opened otherwise"
            raise ValueError(msg)
        self._issue = issue


@attrs.frozen(slots=True)
class Event:
    """One accepted move of one issue: an entry of the append-only audit log.

    ``sequence`` starts at 0 with the ``open`` event. ``due_at`` is when the state the event
    entered falls due (None: the state has no time limit); every move sets it, so it is a field
    of every event. ``changes`` holds the issue's other fields that the move set besides its
    state (the ``open`` event holds them all), so that replaying the events rebuilds the issue
    exactly. ``plugin`` is who contributed the transition;
    ``decisions`` names, for each decision a hook made during the move (``assignees``,
    ``due_at``, ``category``), the plugin that made it. ``previous_hash`` is the hash of the
    issue's previous event; ``hash`` covers every other field, so an edit anywhere breaks the
    chain. ``acting_for`` is the unit the ``actor`` (a person) acted for when the issue was
    assigned to that unit (units act through the people holding their posts; see
    :mod:`govflow.authority`), else None. ``audit_format`` and ``hash_algorithm`` say how
    ``hash`` was computed (``docs/audit-format.md``); they are hashed too.
    """

    issue_id: str
    sequence: int
    trigger: str
    source: str | None
    destination: str
    actor: str
    at: datetime
    due_at: datetime | None = None
    payload: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    changes: Mapping[str, Any] = attrs.field(default=EMPTY, converter=freeze_mapping)
    plugin: PluginRef | None = None
    decisions: Mapping[str, str] = attrs.field(  # decision name -> plugin that made it
        default=EMPTY, converter=freeze_mapping
    )
    previous_hash: str = ""
    hash: str = ""
    acting_for: str | None = None
    #: The version of the canonical form ``hash`` was computed over (govflow.audit.AUDIT_FORMAT).
    audit_format: int = 1
    #: The algorithm ``hash`` (and the next event's ``previous_hash``) was computed with.
    hash_algorithm: str = "sha256"


__all__ = ["EMPTY", "SYSTEM_CLOCK", "Actor", "Event", "Issue", "PluginRef", "freeze_mapping"]
