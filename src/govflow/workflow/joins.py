"""Declarations for joint work and work across levels, attached to states and transitions.

* :class:`Join` on a :class:`~govflow.workflow.State`: several parties (departments summoned by
  a whistle, 吹哨报到; the units of 多元办事) each hold a task in that state, with its own
  deadline, report and outcome; the join :attr:`Join.rule` (all, any, k of n) decides when a
  report moves the issue on.
* :class:`Branch` on a :class:`~govflow.workflow.Transition`: one trigger, several destinations
  chosen by declared conditions on the payload (满意 / 不满意 on one ``evaluate``).
* :class:`Update`: a declared change of the issue's category or data that a move (or a branch)
  makes, recorded in the event's changes (reclassifying a 停车难 issue filed under the wrong
  category).
* :class:`Link`: a move that opens child issues (another workflow, unit or level) the parent
  then waits for (一组一会 referring a 三重一大 matter into 四议两公开).

These are data only; :mod:`govflow.joint` carries them out when an engine moves an issue, and
:mod:`govflow.workflow.check` verifies them statically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from govflow.errors import InvalidWorkflowError
from govflow.workflow.durations import Duration, parse_duration

#: Join rules by name; an int ``k`` means "k of n".
ALL = "all"
ANY = "any"

#: Where a :class:`Link` opens its child, or where a relocating move takes the issue.
SAME = "same"
UP = "up"
DOWN = "down"
PAYLOAD = "payload"

#: The fields an :class:`Update` may set.
UPDATABLE = ("category", "data")


def _rule(value: str | int) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise InvalidWorkflowError(
            "?", "join", f"rule must be 'all', 'any' or k ≥ 1, got {value!r}"
        )
    if isinstance(value, int):
        if value < 1:
            raise InvalidWorkflowError("?", "join", f"rule k of n needs k ≥ 1, got {value}")
        return value
    if value not in (ALL, ANY):
        raise InvalidWorkflowError(
            "?", "join", f"rule must be 'all', 'any' or k ≥ 1, got {value!r}"
        )
    return value


def _optional_duration(value: Duration | str | int | float | None) -> Duration | None:
    return None if value is None else parse_duration(value)


@attrs.frozen(slots=True)
class Join:
    """Parallel parties in one state, and the rule that ends it.

    The move entering the state starts a new round: the parties are the payload's
    ``parties`` (ids, or ``{"id": ..., "limit": "2d"}`` tables), else the answer of the
    ``govflow_parties`` hook. A transition marked ``reports=True`` leaving the state is a
    party's report: it stays in the state until the rule holds, then goes to its destination.

    :param rule: ``"all"``, ``"any"``, or ``k`` (at least ``k`` parties have reported).
    :param party_limit: each party's time to report (a party may be given its own); when it
        runs out, :meth:`govflow.Engine.tick` escalates that party alone.
    :param min_parties: a round needs at least this many parties (and at least ``k``).
    :param overdue_trigger: the trigger of the clock's event escalating an overdue party.
    """

    rule: str | int = attrs.field(default=ALL, converter=_rule)
    party_limit: Duration | None = attrs.field(default=None, converter=_optional_duration)
    min_parties: int = 1
    overdue_trigger: str = "party_overdue"

    def needed(self, parties: int) -> int:
        """How many of ``parties`` must report before the state is left."""
        if self.rule == ALL:
            return parties
        if self.rule == ANY:
            return min(1, parties)
        assert isinstance(self.rule, int)
        return self.rule

    def describe(self) -> str:
        """``all``, ``any`` or ``2 of n``, for diagrams and messages."""
        return self.rule if isinstance(self.rule, str) else f"{self.rule} of n"


def _condition(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if not value:
        return MappingProxyType({})
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise InvalidWorkflowError("?", "branch", f"when must map payload keys, got {value!r}")
    return MappingProxyType(
        {k: (list(v) if isinstance(v, list | tuple) else v) for k, v in value.items()}
    )


def condition_holds(when: Mapping[str, Any], payload: Mapping[str, Any]) -> bool:
    """True if every key of ``when`` matches the payload: equal to a scalar, or one of a list."""
    for key, wanted in when.items():
        given = payload.get(key)
        if isinstance(wanted, list):
            if given not in wanted:
                return False
        elif given != wanted:
            return False
    return True


@attrs.frozen(slots=True)
class Update:
    """A declared change a move makes to the issue: its ``category``, or one key of its data.

    :param field: ``"category"`` or ``"data"``.
    :param key: for ``data``, which key to set.
    :param value: the value to set; or
    :param from_payload: the payload key to take the value from (the move is refused if the
        payload lacks it).
    """

    field: str
    key: str | None = None
    value: Any = None
    from_payload: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.field not in UPDATABLE:
            raise InvalidWorkflowError(
                "?", "update", f"field must be one of {list(UPDATABLE)}, got {self.field!r}"
            )
        if (self.field == "data") != (self.key is not None):
            raise InvalidWorkflowError(
                "?", "update", "a data update names its key; a category update names none"
            )
        if self.value is not None and self.from_payload is not None:
            raise InvalidWorkflowError("?", "update", "give a value or from_payload, not both")

    def describe(self) -> str:
        """``category := payload.category``, for diagrams."""
        target = self.field if self.key is None else f"data.{self.key}"
        source = f"payload.{self.from_payload}" if self.from_payload else repr(self.value)
        return f"{target} := {source}"


def _updates(value: Iterable[Update | Mapping[str, Any]]) -> tuple[Update, ...]:
    return tuple(u if isinstance(u, Update) else Update(**u) for u in value)


@attrs.frozen(slots=True)
class Branch:
    """One guarded destination of a transition: taken when ``when`` holds on the payload.

    Branches are tried in declaration order; the transition's own destination is taken when
    none holds. ``max_times`` bounds how often this branch may be taken per issue ("rework at
    most once"): once spent, it no longer holds and the next branch (or the default) is taken.
    """

    destination: str
    when: Mapping[str, Any] = attrs.field(factory=dict, converter=_condition)
    updates: tuple[Update, ...] = attrs.field(default=(), converter=_updates)
    max_times: int | None = None
    label: str = ""

    def describe(self) -> str:
        """``verdict = 不满意``, for diagrams."""
        parts = [
            f"{k} ∈ {v}" if isinstance(v, list) else f"{k} = {v}" for k, v in self.when.items()
        ]
        if self.max_times is not None:
            parts.append(f"≤{self.max_times}×")
        return self.label or ", ".join(parts) or "always"


def _branches(value: Iterable[Branch | Mapping[str, Any]]) -> tuple[Branch, ...]:
    out = []
    for item in value:
        if isinstance(item, Branch):
            out.append(item)
        else:
            fields = dict(item)
            dest = fields.pop("dest", None) or fields.pop("destination", None)
            if dest is None:
                raise InvalidWorkflowError("?", "branch", "needs dest")
            out.append(Branch(destination=dest, **fields))
    return tuple(out)


def _kinds(value: Iterable[str]) -> tuple[str, ...]:
    # A typed converter: with the bare ``tuple`` mypy's attrs plugin cannot type the argument.
    return tuple(value)


@attrs.frozen(slots=True)
class Link:
    """Child issues a move opens, under the link ``name``, and the parent may wait for.

    :param name: the link's name; a transition with ``awaits=name`` may only fire once every
        child opened under it has concluded, and records their outcomes.
    :param workflow: the child's workflow (latest version).
    :param location: ``"same"`` (the parent's location), ``"up"`` (its parent unit; an
        unlocated parent's child is unlocated too) or ``"payload"`` (the payload's
        ``child_location``).
    :param up_to: with ``"up"``, climb past the parent unit to the nearest unit above of one
        of these kinds (a residential area's matter goes to its community, not to the grid
        between them).
    """

    name: str
    workflow: str
    location: str = SAME
    label: str = ""
    up_to: tuple[str, ...] = attrs.field(default=(), converter=_kinds)

    def __attrs_post_init__(self) -> None:
        if self.location not in (SAME, UP, PAYLOAD):
            raise InvalidWorkflowError(
                "?",
                f"link {self.name!r}",
                f"location must be same, up or payload, not {self.location!r}",
            )
        if self.up_to and self.location != UP:
            raise InvalidWorkflowError(
                "?", f"link {self.name!r}", "up_to applies to location 'up' only"
            )


def _links(value: Iterable[Link | Mapping[str, Any]]) -> tuple[Link, ...]:
    return tuple(v if isinstance(v, Link) else Link(**v) for v in value)


def _join(value: Join | Mapping[str, Any] | None) -> Join | None:
    if value is None or isinstance(value, Join):
        return value
    return Join(**value)


def _relocate(value: str | None) -> str | None:
    if value is not None and value not in (UP, DOWN):
        raise InvalidWorkflowError("?", "relocate", f"must be 'up' or 'down', got {value!r}")
    return value


__all__ = [
    "ALL",
    "ANY",
    "DOWN",
    "PAYLOAD",
    "SAME",
    "UP",
    "UPDATABLE",
    "Branch",
    "Join",
    "Link",
    "Update",
    "condition_holds",
]
