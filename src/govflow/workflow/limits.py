"""Deadlines as data: limit tables by category × urgency, and a workflow's deadline policy.

A state's ``time_limit`` is its default; its ``limits`` table refines it for some categories
and urgencies (an urgent matter gets ``8wh`` where an ordinary one gets ``3wd``). A workflow's
:class:`DeadlinePolicy` adds what spans states: the overall 办结时限 of an issue, early warning
(预警) at a share of each limit, who may pause (挂起) an issue, and who may approve an extension
(延期) and how much. All of it is plain data: ``govflow check``, diagrams and ``to_dict`` see
it, and a plugin changes a table through the ``govflow_limit_tables`` hook, never by code
that computes due times of its own (the engine's calendar does the arithmetic).

Which row applies, most specific first: category *and* urgency; urgency alone; category alone;
the default. The urgency of an issue is its data's ``urgency`` (``data={"urgency": "urgent"}``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from govflow.errors import InvalidWorkflowError
from govflow.workflow.durations import Duration, format_duration, parse_duration

#: The key of an issue's ``data`` that names its urgency.
URGENCY_KEY = "urgency"


def _duration(value: Duration | str | int | float) -> Duration:
    return parse_duration(value)


@attrs.frozen(slots=True)
class Limit:
    """One row of a limit table: ``limit`` for issues of ``category`` and ``urgency`` (None:
    any)."""

    limit: Duration = attrs.field(converter=_duration)
    category: str | None = None
    urgency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain data :func:`limits_from_data` reads back."""
        out: dict[str, Any] = {"limit": format_duration(self.limit)}
        if self.category is not None:
            out["category"] = self.category
        if self.urgency is not None:
            out["urgency"] = self.urgency
        return out


_LIMIT_KEYS = frozenset({"limit", "category", "urgency"})


def limits_from_data(value: Iterable[Limit | Mapping[str, Any]]) -> tuple[Limit, ...]:
    """A limit table from rows given as :class:`Limit` or as ``{"limit": "8wh", "urgency":
    "urgent"}`` mappings; a row without a category or an urgency, or twice the same pair, is an
    error (the default belongs in ``time_limit``)."""
    if isinstance(value, str | bytes | Mapping):
        raise InvalidWorkflowError("-", "limits", "must be a list of rows")
    rows: list[Limit] = []
    seen: set[tuple[str | None, str | None]] = set()
    for item in value:
        if isinstance(item, Limit):
            row = item
        elif isinstance(item, Mapping):
            unknown = sorted(set(item) - _LIMIT_KEYS)
            if unknown or "limit" not in item:
                raise InvalidWorkflowError(
                    "-",
                    "limits",
                    f"a row needs 'limit' and may have 'category', 'urgency'; got {dict(item)}",
                )
            row = Limit(**item)
        else:
            raise InvalidWorkflowError("-", "limits", f"{item!r} is not a row")
        key = (row.category, row.urgency)
        if key == (None, None):
            raise InvalidWorkflowError(
                "-", "limits", "a row names a category or an urgency (the default is time_limit)"
            )
        if key in seen:
            raise InvalidWorkflowError("-", "limits", f"two rows for {key}")
        seen.add(key)
        rows.append(row)
    return tuple(rows)


def pick_limit(
    default: Duration | None,
    rows: Iterable[Limit],
    category: str | None,
    urgency: str | None,
) -> Duration | None:
    """The limit that applies to an issue of ``category`` and ``urgency`` (see the module
    docstring for the order). Earlier rows win over later rows of the same specificity, which
    is how a plugin's rows take precedence over the spec's."""
    best: Duration | None = default
    rank = 0
    for row in rows:
        if row.category is not None and row.category != category:
            continue
        if row.urgency is not None and row.urgency != urgency:
            continue
        mine = (2 if row.urgency is not None else 0) + (1 if row.category is not None else 0)
        if mine > rank:
            best, rank = row.limit, mine
    return best


def _roles(value: str | Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


def _share(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise InvalidWorkflowError("-", "deadlines", f"warn_at must be in (0, 1), got {value!r}")
    return float(value)


def _optional_duration(value: Duration | str | int | float | None) -> Duration | None:
    return None if value is None else parse_duration(value)


@attrs.frozen(slots=True)
class DeadlinePolicy:
    """What a workflow says about time beyond each state's limit.

    :param overall: the 办结时限: how long the whole issue may take, from opening to a terminal
        state (None: no overall limit). ``overall_limits`` refines it by category × urgency.
        When it passes before the issue is closed, :meth:`~govflow.Engine.tick` appends an
        ``overall_overdue`` event (by the deadline clock), and the issue does not count as
        completed on time (按期办结).
    :param on_overdue: a trigger the deadline clock fires right after that event, from
        whichever state the issue is in if that state has it (``"supervise"``: 督办 once the
        办结时限 has passed); a state without it only records the event.
    :param warn_at: early warning (预警) when this share of a state's limit has run (0.8: at
        80 %); the engine's :meth:`~govflow.Engine.tick` appends a ``warn`` event.
    :param pause_roles: who may pause (挂起) and resume an issue; empty: nobody.
    :param extension_roles: who may approve an extension (延期); empty: no extensions.
    :param max_extensions: how many extensions one issue may get.
    :param max_extension: the longest single extension (None: unbounded). An extension must
        count time the same way (natural or working) as this bound.
    """

    overall: Duration | None = attrs.field(default=None, converter=_optional_duration)
    overall_limits: tuple[Limit, ...] = attrs.field(default=(), converter=limits_from_data)
    on_overdue: str | None = None
    warn_at: float | None = attrs.field(default=None, converter=_share)
    pause_roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    extension_roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    max_extensions: int = 1
    max_extension: Duration | None = attrs.field(default=None, converter=_optional_duration)

    def __attrs_post_init__(self) -> None:
        if self.overall_limits and self.overall is None:
            raise InvalidWorkflowError(
                "-", "deadlines", "overall_limits refine 'overall', which is missing"
            )
        if self.on_overdue is not None:
            if not isinstance(self.on_overdue, str) or not self.on_overdue.strip():
                raise InvalidWorkflowError(
                    "-", "deadlines", f"on_overdue must name a trigger, got {self.on_overdue!r}"
                )
            if self.overall is None:
                raise InvalidWorkflowError(
                    "-", "deadlines", "on_overdue acts when 'overall' passes, and it is missing"
                )
        if not isinstance(self.max_extensions, int) or self.max_extensions < 0:
            raise InvalidWorkflowError(
                "-", "deadlines", f"max_extensions must be ≥ 0, got {self.max_extensions!r}"
            )

    def overall_for(self, category: str | None, urgency: str | None) -> Duration | None:
        """The 办结时限 of an issue of ``category`` and ``urgency``."""
        return pick_limit(self.overall, self.overall_limits, category, urgency)

    def to_dict(self) -> dict[str, Any]:
        """Plain data that ``DeadlinePolicy(**data)`` reads back."""
        out: dict[str, Any] = {}
        if self.overall is not None:
            out["overall"] = format_duration(self.overall)
        if self.overall_limits:
            out["overall_limits"] = [row.to_dict() for row in self.overall_limits]
        if self.on_overdue is not None:
            out["on_overdue"] = self.on_overdue
        if self.warn_at is not None:
            out["warn_at"] = self.warn_at
        if self.pause_roles:
            out["pause_roles"] = sorted(self.pause_roles)
        if self.extension_roles:
            out["extension_roles"] = sorted(self.extension_roles)
            out["max_extensions"] = self.max_extensions
        if self.max_extension is not None:
            out["max_extension"] = format_duration(self.max_extension)
        return out


_POLICY_KEYS = frozenset(attrs.fields_dict(DeadlinePolicy))


def policy_from_data(value: DeadlinePolicy | Mapping[str, Any] | None) -> DeadlinePolicy:
    """A :class:`DeadlinePolicy` from itself, plain data, or None (the empty policy)."""
    if value is None:
        return NO_POLICY
    if isinstance(value, DeadlinePolicy):
        return value
    if not isinstance(value, Mapping):
        raise InvalidWorkflowError("-", "deadlines", "must be a table")
    unknown = sorted(set(value) - _POLICY_KEYS)
    if unknown:
        raise InvalidWorkflowError(
            "-", "deadlines", f"unknown keys {unknown}; allowed are {sorted(_POLICY_KEYS)}"
        )
    try:
        return DeadlinePolicy(**value)
    except (TypeError, ValueError) as err:
        raise InvalidWorkflowError("-", "deadlines", str(err)) from None


#: The policy of a workflow that says nothing about time beyond its states' limits.
NO_POLICY = DeadlinePolicy()

__all__ = [
    "NO_POLICY",
    "URGENCY_KEY",
    "DeadlinePolicy",
    "Limit",
    "limits_from_data",
    "pick_limit",
    "policy_from_data",
]
