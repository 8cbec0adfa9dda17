"""The engine's deadline machinery: due times, 办结时限, 预警, 挂起 and 延期.

Every due time an engine sets comes from one place, :meth:`Timekeeper.due_time` (exposed as
:meth:`govflow.Engine.due_time`): the limit that applies, counted by the engine's business
calendar (:mod:`govflow.calendar`) for the issue's locality. Code that needs a due time of its
own (a summoned department's limit in joint work, say) asks it too, so the calendar applies.

What the clock must remember between moves lives in :attr:`govflow.Issue.timing`, plain JSON
data set by the events' ``changes`` (so replay rebuilds it and the hash covers it):

``overall_due``
    the 办结时限 of the whole issue (ISO time), set when it is opened, moved by a pause and an
    extension, dropped when the issue reaches a terminal state.
``overdue``
    the 办结时限 that passed before the issue was closed (ISO time): set by the
    ``overall_overdue`` event :meth:`govflow.Engine.tick` appends when it passes, or by the
    move that closes the issue after it. An issue closed with it is not on time (按期办结).
``warn_at``
    a pending early warning (预警) for the current state (ISO time); :meth:`govflow.Engine.tick`
    appends a ``warn`` event when it passes, and drops the key.
``paused``
    set while the issue is paused (挂起): when, why, and how much of each limit was left
    (seconds, counted as office time when the limit is working time).
``extensions``
    how many extensions (延期) were approved; ``requested`` holds a pending request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from govflow.calendar import BusinessCalendar, Duration, WorkingTime, format_duration
from govflow.errors import DeadlineError, InvalidRequestError, PluginError
from govflow.org import OrgGraph
from govflow.plugins import PluginHost
from govflow.records import Issue, PluginRef
from govflow.workflow.durations import parse_duration
from govflow.workflow.limits import URGENCY_KEY, Limit, limits_from_data, pick_limit
from govflow.workflow.spec import State, Workflow

Tables = Mapping[str, tuple[Limit, ...]]
#: The trigger of the event the deadline clock appends when an issue's 办结时限 passes.
OVERALL_OVERDUE = "overall_overdue"
#: The timing key that records a 办结时限 passed before the issue was closed.
OVERDUE_KEY = "overdue"
#: Timing keys of things still to come, which a terminal state drops.
_PENDING = frozenset({"warn_at", "overall_due"})


def _urgency(issue: Issue) -> str | None:
    value = issue.data.get(URGENCY_KEY) if issue.data else None
    return None if value is None else str(value)


def _comparable(first: Duration, second: Duration) -> bool:
    if isinstance(first, WorkingTime) and isinstance(second, WorkingTime):
        return bool(first.days) == bool(second.days)
    return type(first) is type(second)


def _fits(extension: Duration, bound: Duration) -> bool:
    if isinstance(extension, WorkingTime) and isinstance(bound, WorkingTime):
        return (extension.days, extension.hours) <= (bound.days, bound.hours)
    assert isinstance(extension, timedelta)
    assert isinstance(bound, timedelta)
    return extension <= bound


class Timekeeper:
    """Counts an engine's time: owned by :class:`~govflow.Engine`, one per engine."""

    def __init__(
        self, calendar: BusinessCalendar, org: OrgGraph | None, plugins: PluginHost
    ) -> None:
        self.calendar = calendar
        self.org = org
        self._plugins = plugins
        self._tables: dict[tuple[str, int], Tables] = {}

    # --- tables ----------------------------------------------------------------------------

    def add_workflow(self, workflow: Workflow) -> None:
        """Fix ``workflow``'s effective limit tables: plugins' rows (``govflow_limit_tables``)
        before the spec's, so that they win a tie of specificity."""
        tables: dict[str, list[Limit]] = {}
        for ref, answer in self._plugins.collect("govflow_limit_tables", workflow=workflow):
            for state, rows in dict(answer).items():
                if not workflow.has_state(state) or workflow.state(state).time_limit is None:
                    raise PluginError(
                        ref.name,
                        f"limit table for state {state!r} of {workflow.name!r}: the state does "
                        "not exist or has no default time_limit",
                    )
                tables.setdefault(state, []).extend(limits_from_data(rows))
        for state in workflow.states:
            if state.limits:
                tables.setdefault(state.name, []).extend(state.limits)
        self._tables[workflow.key] = {name: tuple(rows) for name, rows in tables.items()}

    def tables(self, workflow: Workflow) -> Tables:
        """The limit tables in force for ``workflow``, by state (plugins' rows first)."""
        return self._tables.get(workflow.key, {})

    def limit(self, workflow: Workflow, state: State, issue: Issue) -> Duration | None:
        """The time limit of ``state`` for ``issue`` (its category and urgency)."""
        rows = self._tables.get(workflow.key, {}).get(state.name)
        if not rows:
            return state.time_limit
        return pick_limit(state.time_limit, rows, issue.category, _urgency(issue))

    # --- arithmetic ------------------------------------------------------------------------

    def calendar_for(self, issue: Issue) -> BusinessCalendar:
        """The engine's calendar with the overrides of the issue's locality, if it has any."""
        calendar = self.calendar
        if not calendar.localities or issue.location is None:
            return calendar
        if self.org is not None and issue.location in self.org:
            units: Iterable[str] = [unit.id for unit in self.org.chain(issue.location)]
        else:
            units = [issue.location]
        return calendar.for_units(units)

    def due_time(self, issue: Issue, duration: Duration | str, start: datetime) -> datetime:
        """When ``duration`` from ``start`` runs out for ``issue``, by its calendar."""
        limit = parse_duration(duration) if isinstance(duration, str) else duration
        return self.calendar_for(issue).add(start, limit)

    def _share(
        self, issue: Issue, start: datetime, due: datetime, limit: Duration, share: float
    ) -> datetime:
        calendar = self.calendar_for(issue)
        used = calendar.elapsed(start, due, limit) * share
        return calendar.resume(start, used, limit)

    # --- entering states -------------------------------------------------------------------

    def opened(self, workflow: Workflow, issue: Issue, now: datetime) -> Mapping[str, Any]:
        """The timing of a new issue: its 办结时限, if the workflow has one."""
        overall = workflow.deadlines.overall_for(issue.category, _urgency(issue))
        if overall is None:
            return {}
        return {"overall_due": self.due_time(issue, overall, now).isoformat()}

    def entered(
        self,
        workflow: Workflow,
        issue: Issue,
        timing: Mapping[str, Any],
        *,
        state: State,
        limit: Duration | None,
        due: datetime | None,
        now: datetime,
    ) -> Mapping[str, Any]:
        """The timing after entering ``state``, due at ``due``: a new pending warning if the
        workflow warns, the previous state's dropped; in a terminal state, nothing pending
        (see :meth:`closed`). Returns ``timing`` itself if unchanged."""
        if state.terminal:
            return self.closed(timing, now)
        share = workflow.deadlines.warn_at
        if share is None and "warn_at" not in timing:
            return timing
        out = {key: value for key, value in timing.items() if key != "warn_at"}
        if share is not None and due is not None:
            counted = limit if limit is not None else due - now
            out["warn_at"] = self._share(issue, now, due, counted, share).isoformat()
        return out

    def closed(self, timing: Mapping[str, Any], now: datetime) -> Mapping[str, Any]:
        """The timing of an issue reaching a terminal state at ``now``: no warning or 办结时限
        pending any more, and ``overdue`` set if the 办结时限 passed before ``now`` without the
        clock having recorded it yet (the move came before the next tick)."""
        if not timing or ("warn_at" not in timing and "overall_due" not in timing):
            return timing
        out = {key: value for key, value in timing.items() if key not in _PENDING}
        overall = timing.get("overall_due")
        if (
            overall is not None
            and OVERDUE_KEY not in timing
            and now > datetime.fromisoformat(overall)
        ):
            out[OVERDUE_KEY] = overall
        return out

    # --- the 办结时限 passing ---------------------------------------------------------------

    def overall_passed(self, issue: Issue, now: datetime) -> str | None:
        """The 办结时限 of ``issue`` (ISO time) if it has passed by ``now`` and is not recorded
        as passed yet; None otherwise (none, not yet, recorded, or paused)."""
        timing = issue.timing
        if not timing or OVERDUE_KEY in timing or "paused" in timing:
            return None
        overall = timing.get("overall_due")
        if overall is None or datetime.fromisoformat(overall) > now:
            return None
        return str(overall)

    def overdue(self, issue: Issue) -> Mapping[str, Any]:
        """The timing of ``issue`` once its 办结时限 is recorded as passed."""
        timing = dict(issue.timing)
        timing[OVERDUE_KEY] = timing["overall_due"]
        return timing

    # --- pause and resume ------------------------------------------------------------------

    def pause(
        self, workflow: Workflow, issue: Issue, reason: str, now: datetime
    ) -> Mapping[str, Any]:
        """The timing of ``issue`` paused at ``now``: what was left of each clock."""
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRequestError("a pause needs a reason (挂起原因)")
        timing = dict(issue.timing)
        if "paused" in timing:
            raise DeadlineError(issue.id, "is paused already")
        calendar = self.calendar_for(issue)
        limit = self.limit(workflow, workflow.state(issue.state), issue)
        working = isinstance(limit, WorkingTime)
        paused: dict[str, Any] = {"at": now.isoformat(), "reason": reason, "working": working}
        if issue.due_at is not None:
            left = calendar.elapsed(now, issue.due_at, limit or timedelta(0))
            paused["left"] = left.total_seconds()
        warn = timing.pop("warn_at", None)
        if warn is not None:
            left = calendar.elapsed(now, datetime.fromisoformat(warn), limit or timedelta(0))
            paused["warn_left"] = left.total_seconds()
        overall = timing.get("overall_due")
        if overall is not None:
            total = workflow.deadlines.overall_for(issue.category, _urgency(issue))
            overall_working = isinstance(total, WorkingTime)
            left = calendar.elapsed(now, datetime.fromisoformat(overall), total or timedelta(0))
            paused["overall_left"] = left.total_seconds()
            paused["overall_working"] = overall_working
        timing["paused"] = paused
        return timing

    def resume(self, issue: Issue, now: datetime) -> tuple[datetime | None, Mapping[str, Any]]:
        """The due time and timing of a paused ``issue`` resumed at ``now``."""
        timing = dict(issue.timing)
        paused = timing.pop("paused", None)
        if paused is None:
            raise DeadlineError(issue.id, "is not paused")
        calendar = self.calendar_for(issue)

        def later(key: str, working: bool) -> datetime | None:
            left = paused.get(key)
            if left is None:
                return None
            kind: Duration = WorkingTime(hours=1) if working else timedelta(1)
            return calendar.resume(now, timedelta(seconds=left), kind)

        due = later("left", paused["working"])
        warn = later("warn_left", paused["working"])
        if warn is not None:
            timing["warn_at"] = warn.isoformat()
        overall = later("overall_left", paused.get("overall_working", False))
        if overall is not None:
            timing["overall_due"] = overall.isoformat()
        return due, timing

    # --- extensions ------------------------------------------------------------------------

    def request(
        self, workflow: Workflow, issue: Issue, by: Duration | str, reason: str, actor: str
    ) -> Mapping[str, Any]:
        """The timing with an extension of ``by`` requested by ``actor``; checks the bounds."""
        policy = workflow.deadlines
        try:
            extension = parse_duration(by)
        except Exception as err:  # InvalidWorkflowError: a bad request, not a bad spec
            raise InvalidRequestError(f"extension {by!r}: {err}") from None
        if not policy.extension_roles:
            raise DeadlineError(issue.id, f"workflow {workflow.name!r} allows no extensions")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRequestError("an extension request needs a reason (延期理由)")
        if issue.due_at is None:
            raise DeadlineError(issue.id, "has no running deadline to extend")
        timing = dict(issue.timing)
        if "requested" in timing:
            raise DeadlineError(issue.id, "has an extension request pending already")
        if timing.get("extensions", 0) >= policy.max_extensions:
            raise DeadlineError(
                issue.id, f"has had {policy.max_extensions} extension(s), the most allowed"
            )
        bound = policy.max_extension
        if bound is not None:
            if not _comparable(extension, bound):
                raise InvalidRequestError(
                    f"extension {format_duration(extension)} must count time like the bound "
                    f"{format_duration(bound)}"
                )
            if not _fits(extension, bound):
                raise DeadlineError(
                    issue.id,
                    f"an extension of {format_duration(extension)} exceeds the most allowed, "
                    f"{format_duration(bound)}",
                )
        timing["requested"] = {
            "by": format_duration(extension),
            "reason": reason,
            "actor": actor,
        }
        return timing

    def approve(self, issue: Issue, approver: str) -> tuple[datetime, Mapping[str, Any], str]:
        """The new due time and timing once the pending extension is approved."""
        timing = dict(issue.timing)
        requested = timing.pop("requested", None)
        if requested is None:
            raise DeadlineError(issue.id, "has no extension request to decide")
        if requested["actor"] == approver:
            raise DeadlineError(issue.id, "the requester of an extension cannot approve it")
        if issue.due_at is None:
            raise DeadlineError(issue.id, "has no running deadline to extend")
        by = parse_duration(requested["by"])
        calendar = self.calendar_for(issue)
        due = calendar.add(issue.due_at, by)
        overall = timing.get("overall_due")
        if overall is not None:
            timing["overall_due"] = calendar.add(datetime.fromisoformat(overall), by).isoformat()
        timing.pop("warn_at", None)
        timing["extensions"] = timing.get("extensions", 0) + 1
        return due, timing, requested["by"]

    def refuse(self, issue: Issue) -> Mapping[str, Any]:
        """The timing once the pending extension request is refused."""
        timing = dict(issue.timing)
        if timing.pop("requested", None) is None:
            raise DeadlineError(issue.id, "has no extension request to decide")
        return timing


#: Who the decisions of the engine's own deadline events are attributed to.
TIMEKEEPER = PluginRef("govflow.timekeeping")

__all__ = ["OVERALL_OVERDUE", "OVERDUE_KEY", "TIMEKEEPER", "Tables", "Timekeeper"]
