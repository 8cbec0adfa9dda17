"""Every error govflow raises.

Two families hang under :class:`GovflowError`:

* :class:`DefinitionError` -- something declared is wrong (a workflow, an org graph, a code
  layout, a plugin). Raised while building things, before any issue moves.
* :class:`RefusalError` -- a request against a well-defined system was refused (a move that is
  not allowed, a stale version, an unknown issue). A refusal never changes anything.

Callers catch the family they care about; every message names the offending element.
"""

from __future__ import annotations

from collections.abc import Sequence


class GovflowError(Exception):
    """Root of every error raised by govflow."""


# --- definition time -------------------------------------------------------------------------


class DefinitionError(GovflowError):
    """Something declared (workflow, org graph, plugin, code layout) is invalid."""


class InvalidWorkflowError(DefinitionError):
    """A workflow spec is malformed: ``element`` names the state, transition or guard at fault."""

    def __init__(self, workflow: str, element: str, problem: str) -> None:
        self.workflow = workflow
        self.element = element
        self.problem = problem
        super().__init__(f"workflow {workflow!r}: {element}: {problem}")


class InvalidOrgGraphError(DefinitionError):
    """A unit, person or edge breaks the org schema, or the graph is inconsistent."""


class InvalidCodeError(DefinitionError, ValueError):
    """A division or grid code does not fit its layout; ``segment`` names the part that is wrong."""

    def __init__(self, code: str, layout: str, segment: str, problem: str) -> None:
        self.code = code
        self.layout = layout
        self.segment = segment
        self.problem = problem
        super().__init__(f"code {code!r} ({layout}): segment {segment!r}: {problem}")


class DataLoadError(DefinitionError):
    """A row of an input table is bad.

    ``source`` and ``row`` (1-based, the header is row 1) say where.
    """

    def __init__(self, source: str, row: int, problem: str) -> None:
        self.source = source
        self.row = row
        self.problem = problem
        super().__init__(f"{source}, row {row}: {problem}")


class PluginError(DefinitionError):
    """A plugin is broken: wrong hook name, invalid contribution, clash with another plugin."""

    def __init__(self, plugin: str, problem: str) -> None:
        self.plugin = plugin
        self.problem = problem
        super().__init__(f"plugin {plugin!r}: {problem}")


# --- run time --------------------------------------------------------------------------------


class RefusalError(GovflowError):
    """A request was refused; nothing was changed and nothing was appended to the log."""


class UnknownIssueError(RefusalError, LookupError):
    """No issue has this id."""

    def __init__(self, issue_id: str) -> None:
        self.issue_id = issue_id
        super().__init__(f"no issue with id {issue_id!r}")


class UnknownWorkflowError(RefusalError, LookupError):
    """No workflow (or no such version of it) is registered with the engine."""

    def __init__(self, name: str, version: int | None = None) -> None:
        self.name = name
        self.version = version
        what = name if version is None else f"{name} v{version}"
        super().__init__(f"no workflow {what!r} is registered")


class InvalidRequestError(RefusalError, ValueError):
    """An argument to the engine is malformed (missing field, wrong type, unknown unit)."""


class UnknownUnitError(InvalidRequestError, LookupError):
    """No unit (or person) in the org graph has this id or code."""

    def __init__(self, unit_id: str, what: str = "id") -> None:
        self.unit_id = unit_id
        super().__init__(f"no unit with {what} {unit_id!r} in the org graph")


class UnknownSubjectError(InvalidRequestError, LookupError):
    """No personal data is held for this subject: they never reported any, or it was erased
    already (see :meth:`govflow.Engine.erase`)."""

    def __init__(self, subject: str) -> None:
        self.subject = subject
        super().__init__(f"no personal data is held for subject {subject!r}")


class TransitionNotAllowedError(RefusalError):
    """The trigger does not exist, or does not leave the issue's current state."""

    def __init__(
        self, issue_id: str, state: str, trigger: str, available: Sequence[str] = ()
    ) -> None:
        self.issue_id = issue_id
        self.state = state
        self.trigger = trigger
        self.available = tuple(available)
        hint = f"; from {state!r} the triggers are {list(self.available)}" if available else ""
        super().__init__(
            f"issue {issue_id!r}: trigger {trigger!r} is not allowed in state {state!r}{hint}"
        )


class PermissionDeniedError(RefusalError):
    """The actor lacks a role or relation the move requires.

    ``missing_role`` holds the roles any one of which would do; ``missing_relation`` names the
    relation to the issue that the actor does not have (``reporter``, ``assignee``, ...).
    With an org graph, ``scope`` names where the role had to be held (``location``,
    ``assigned``, ``named``, ``anywhere``) and ``units`` the units where it would have counted;
    ``conflict`` names the conflict-of-interest rule the actor failed.
    """

    def __init__(
        self,
        issue_id: str,
        trigger: str,
        actor: str,
        *,
        missing_roles: Sequence[str] = (),
        missing_relation: str | None = None,
        reason: str | None = None,
        scope: str | None = None,
        units: Sequence[str] = (),
        conflict: str | None = None,
    ) -> None:
        self.issue_id = issue_id
        self.trigger = trigger
        self.actor = actor
        self.missing_roles = tuple(missing_roles)
        self.missing_relation = missing_relation
        self.scope = scope
        self.units = tuple(units)
        self.conflict = conflict
        if reason is None:
            if self.missing_roles:
                reason = f"needs one of the roles {list(self.missing_roles)}"
            else:
                reason = f"must be {missing_relation}"
        self.reason = reason
        super().__init__(f"issue {issue_id!r}: {actor!r} may not fire {trigger!r}: {reason}")


class GuardFailedError(RefusalError):
    """A named guard (or a plugin's before-transition check) refused the move."""

    def __init__(self, issue_id: str, trigger: str, guard: str, reason: str | None = None) -> None:
        self.issue_id = issue_id
        self.trigger = trigger
        self.guard = guard
        self.reason = reason
        why = f": {reason}" if reason else ""
        super().__init__(f"issue {issue_id!r}: {trigger!r} refused by guard {guard!r}{why}")


class AccessRefusedError(GuardFailedError):
    """A move would push an issue to a unit whose access list (事项准入清单) does not hold its
    item; ``rule`` names the list, ``unit`` the unit and ``item`` the issue's category."""

    def __init__(self, issue_id: str, trigger: str, rule: str, unit: str, item: str | None) -> None:
        self.rule = rule
        self.unit = unit
        self.item = item
        super().__init__(
            issue_id,
            trigger,
            f"access list {rule!r}",
            f"unit {unit!r} does not accept item {item!r}",
        )


class ConflictError(RefusalError):
    """The caller's view is stale (``expected_version``), or an idempotency key was reused
    for a different request."""

    def __init__(self, issue_id: str, message: str) -> None:
        self.issue_id = issue_id
        super().__init__(f"issue {issue_id!r}: {message}")


class CalendarRangeError(RefusalError, LookupError):
    """A date falls outside the years a business calendar has holiday data for.

    Raised while computing a due time, before anything is committed: the move is refused and
    nothing changes. Install a newer ``chinese-calendar``, or give the calendar that year's
    schedule (:class:`govflow.calendar.YearSchedule`), to count time in those years: ``hint``
    says how, and ends the message.
    """

    def __init__(self, day: object, first: int, last: int, source: str, *, hint: str = "") -> None:
        self.day = day
        self.first = first
        self.last = last
        self.source = source
        self.hint = hint
        message = f"{source} has no holiday data for {day}: it covers the years {first}–{last} only"
        super().__init__(f"{message}; {hint}" if hint else message)


class DeadlineError(RefusalError):
    """A deadline operation (pause, resume, extension) is not possible on this issue now."""

    def __init__(self, issue_id: str, problem: str) -> None:
        self.issue_id = issue_id
        self.problem = problem
        super().__init__(f"issue {issue_id!r}: {problem}")


class StoreError(GovflowError):
    """The store could not do its work: the database is unreachable, a table is missing, the
    server failed. Not a refusal of the request: the same call may succeed later."""


class IntegrityError(GovflowError):
    """The audit log does not verify: ``issue_id`` and ``sequence`` say where it breaks."""

    def __init__(self, issue_id: str, sequence: int, problem: str) -> None:
        self.issue_id = issue_id
        self.sequence = sequence
        self.problem = problem
        super().__init__(f"issue {issue_id!r}, event {sequence}: {problem}")


class CorruptRecordError(IntegrityError):
    """A stored row cannot be read back (bad JSON, a bad time, a missing column value):
    ``issue_id`` and ``sequence`` (-1 for the issue row itself) say which."""

    def __init__(self, issue_id: str, sequence: int, problem: str) -> None:
        super().__init__(issue_id, sequence, problem)
        if sequence < 0:
            self.args = (f"issue {issue_id!r}, the issue row: {problem}",)

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownLedgerError(RefusalError, LookupError):
    """No ledger of this name is declared."""

    def __init__(self, ledger: str) -> None:
        self.ledger = ledger
        super().__init__(f"no ledger {ledger!r} is declared")


class LedgerIntegrityError(IntegrityError):
    """A ledger's chain does not verify: ``ledger`` and ``sequence`` say where it breaks."""

    def __init__(self, ledger: str, sequence: int, problem: str) -> None:
        super().__init__(f"ledger:{ledger}", sequence, problem)
        self.ledger = ledger
        self.args = (f"ledger {ledger!r}, entry {sequence}: {problem}",)

    def __str__(self) -> str:
        return str(self.args[0])


__all__ = [
    "AccessRefusedError",
    "CalendarRangeError",
    "ConflictError",
    "CorruptRecordError",
    "DataLoadError",
    "DeadlineError",
    "DefinitionError",
    "GovflowError",
    "GuardFailedError",
    "IntegrityError",
    "InvalidCodeError",
    "InvalidOrgGraphError",
    "InvalidRequestError",
    "InvalidWorkflowError",
    "LedgerIntegrityError",
    "PermissionDeniedError",
    "PluginError",
    "RefusalError",
    "StoreError",
    "TransitionNotAllowedError",
    "UnknownIssueError",
    "UnknownLedgerError",
    "UnknownSubjectError",
    "UnknownUnitError",
    "UnknownWorkflowError",
]
