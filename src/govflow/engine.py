"""The Engine: opens issues, moves them, fires deadlines, and keeps the audit log.

Every accepted move is one :meth:`~govflow.store.Store.commit`: the event appended and the
issue's new state saved together. Every refused move raises a typed error from
:mod:`govflow.errors` before anything is committed, so a refusal changes nothing.

The order of checks in :meth:`Engine.fire` is part of the contract, because it decides which
error a caller sees first: unknown issue → idempotent replay → stale version → unknown trigger
for the state → roles → relations → plugins' vetoes → guards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from functools import partial
from types import MappingProxyType
from typing import Any

import attrs

from govflow.access import AccessLists
from govflow.audit import GENESIS, seal, verify_events
from govflow.audit.hashing import DEFAULT_ALGORITHM, digest_function
from govflow.audit.personal import ERASE_TRIGGER, ERASER, PersonalData, erasure_payload
from govflow.authority import Authority, Principal
from govflow.authority.privacy import may_read_personal
from govflow.batch import BatchStore, batch
from govflow.calendar import BusinessCalendar, Duration, china_calendar
from govflow.clock import Clock, SystemClock
from govflow.errors import (
    ConflictError,
    DeadlineError,
    GuardFailedError,
    InvalidRequestError,
    InvalidWorkflowError,
    PermissionDeniedError,
    PluginError,
    RefusalError,
    TransitionNotAllowedError,
    UnknownSubjectError,
    UnknownWorkflowError,
)
from govflow.joint import Party, parties
from govflow.joint.plan import Plan, coordinate, fire_overdue_parties
from govflow.joint.record import pending_for
from govflow.ledgers import build_ledgers
from govflow.links import LinkedIssue, children
from govflow.org import OrgGraph
from govflow.plugins import PluginHost
from govflow.records import (
    EMPTY,
    SYSTEM_CLOCK,
    Actor,
    Event,
    InitialFields,
    Issue,
    PluginRef,
    freeze_mapping,
)
from govflow.store import MemoryStore, Store
from govflow.timekeeping import OVERALL_OVERDUE, TIMEKEEPER, Tables, Timekeeper
from govflow.validate import (
    DEFAULT_LIMITS,
    JSONLimits,
    check_fire,
    check_open,
    check_text,
    check_time,
    json_data,
    same_opening,
    same_request,
)
from govflow.workflow.machine import CompiledWorkflow, Guard, MoveContext
from govflow.workflow.spec import OPEN_TRIGGER, Privacy, Relation, State, Transition, Workflow

log = logging.getLogger(__name__)


class TickReport(list[Event]):
    """What :meth:`Engine.tick` did: the events it appended (it is their list) and, in
    ``skipped``, ``(issue id, reason)`` for each due issue it could not move."""

    def __init__(self) -> None:
        super().__init__()
        self.skipped: list[tuple[str, str]] = []

    def skip(self, issue_id: str, reason: str) -> None:
        log.error("tick skipped issue %s: %s", issue_id, reason)
        self.skipped.append((issue_id, reason))


_RELATION_TEXT = {
    Relation.REPORTER: "the issue's reporter",
    Relation.ASSIGNEE: "an assignee of the issue",
    Relation.NOT_HANDLER: "someone who did not handle the issue",
}


#: The privacy rules for issues of workflows this engine does not register.
_DEFAULT_PRIVACY = Privacy()


@attrs.define(slots=True)
class _Draft:
    """A move being made (:meth:`Engine._apply`): the issue as routing and joint work leave it,
    where it goes, and the new fields, changes and decisions made so far."""

    issue: Issue
    move: Transition
    destination: str
    when: datetime
    plan: Plan | None = None
    decisions: list[tuple[str, PluginRef]] = attrs.Factory(list)
    changes: dict[str, Any] = attrs.Factory(dict)
    assignees: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()
    data: Mapping[str, Any] = EMPTY
    due_at: datetime | None = None
    timing: Mapping[str, Any] = EMPTY


def _open_changes(
    fields_set: InitialFields, joint: Mapping[str, Any], timing: Mapping[str, Any]
) -> Mapping[str, Any]:
    """What an ``open`` event sets: the initial fields, and the joint record and timing when
    the issue starts with any (most do not, and their events share the issue's own fields)."""
    extra: dict[str, Any] = {}
    if joint:
        extra["joint"] = joint
    if timing:
        extra["timing"] = timing
    return MappingProxyType({**fields_set, **extra}) if extra else fields_set


class Engine:
    """One engine per deployment: plugins, an org graph, a store and a clock.

    :param org: the organization graph issues are located in and routed through (optional).
    :param plugins: plugins to register besides the built-ins and the installed ones.
    :param store: where issues and events live; an in-memory store by default.
    :param clock: where time comes from; the system clock (UTC) by default.
    :param autoload: load plugins from the ``govflow`` entry-point group; by default yes,
        unless ``GOVFLOW_DISABLE_PLUGIN_AUTOLOAD`` is set.
    :param workflows: extra workflows to register directly, attributed to the pseudo-plugin
        ``engine``; handy in scripts and tests.
    :param guards: extra named guards, likewise.
    :param hash_algorithm: what the audit log is hashed with: ``sha256`` (the default) or
        ``sm3`` (see :mod:`govflow.audit.hashing`); each event records it.
    :param json_limits: how deep and large payloads and issue data may be.
    :param calendar: the business calendar every due time is counted by; China's (official
        holidays and 调休, 9:00–12:00 and 13:30–17:30, Asia/Shanghai) by default.
    """

    def __init__(
        self,
        org: OrgGraph | None = None,
        plugins: Iterable[object] = (),
        store: Store | None = None,
        clock: Clock | None = None,
        *,
        autoload: bool | None = None,
        workflows: Iterable[Workflow] = (),
        guards: Mapping[str, Guard] | None = None,
        hash_algorithm: str = DEFAULT_ALGORITHM,
        json_limits: JSONLimits = DEFAULT_LIMITS,
        calendar: BusinessCalendar | None = None,
    ) -> None:
        self.org = org
        self.store: Store = store if store is not None else MemoryStore()
        #: Seals residents' personal data under their keys, so that it can be erased.
        self.personal = PersonalData(self.store)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.plugins = PluginHost(plugins, autoload=autoload)
        self.calendar = calendar if calendar is not None else china_calendar()
        self._time = Timekeeper(self.calendar, org, self.plugins)
        self.ledgers = build_ledgers(self.plugins, self.clock)
        # Asked once: most engines have no veto or listener plugins, and every move checks.
        self._vetoes = self.plugins.is_implemented("govflow_before_transition")
        self._listeners = self.plugins.is_implemented("govflow_after_transition")
        #: Inside :meth:`batch`: what is announced once the batch is committed.
        self._deferred: list[Callable[[], None]] | None = None
        self._decisions_cache: dict[tuple[tuple[str, PluginRef], ...], Mapping[str, str]] = {}
        digest_function(hash_algorithm)  # DefinitionError now, not on the first move
        #: The algorithm every event this engine appends is hashed with (``sha256``, ``sm3``).
        self.hash_algorithm = hash_algorithm
        #: How deep and large a payload or an issue's data may be.
        self.json_limits = json_limits
        direct = PluginRef("engine")
        all_guards = self._collect_guards(direct, guards or {})
        self._compiled: dict[tuple[str, int], CompiledWorkflow] = {}
        self._latest: dict[str, int] = {}
        contributed = [
            (ref, list(answer)) for ref, answer in self.plugins.collect("govflow_workflows")
        ]
        contributed.append((direct, list(workflows)))
        for ref, answer in contributed:
            for workflow in answer:
                self._add_workflow(ref, workflow, all_guards)
        #: who may act, where and for whom (:mod:`govflow.authority`).
        self.authority = Authority(org, self.plugins)
        for compiled in self._compiled.values():
            self.authority.check_workflow(compiled.workflow, compiled.plugin)
        #: The units' access lists (事项准入), as plugins declared them.
        self.access_lists = AccessLists.collect(self.plugins)
        self._access = bool(self.access_lists)  # asked on every assigning move

    # --- construction ----------------------------------------------------------------------

    def _collect_guards(self, direct: PluginRef, extra: Mapping[str, Guard]) -> dict[str, Guard]:
        guards: dict[str, Guard] = {}
        owners: dict[str, PluginRef] = {}
        for ref, answer in [*self.plugins.collect("govflow_guards"), (direct, extra)]:
            for name, guard in dict(answer).items():
                if name in guards:
                    raise PluginError(
                        ref.name, f"guard {name!r} is registered already by {owners[name].name}"
                    )
                if not callable(guard):
                    raise PluginError(ref.name, f"guard {name!r} is not callable")
                guards[name] = guard
                owners[name] = ref
        return guards

    def _add_workflow(self, ref: PluginRef, workflow: Any, guards: Mapping[str, Guard]) -> None:
        if not isinstance(workflow, Workflow):
            raise PluginError(ref.name, f"contributed {workflow!r}, which is not a Workflow")
        if workflow.key in self._compiled:
            other = self._compiled[workflow.key].plugin
            raise PluginError(
                ref.name,
                f"workflow {workflow.name!r} v{workflow.version} is registered already by "
                f"{other.name if other else '?'}",
            )
        try:
            compiled = CompiledWorkflow(workflow, guards, ref)
        except InvalidWorkflowError as err:
            raise PluginError(ref.name, str(err)) from err
        self._time.add_workflow(workflow)
        self._compiled[workflow.key] = compiled
        if workflow.version > self._latest.get(workflow.name, 0):
            self._latest[workflow.name] = workflow.version

    # --- reading ---------------------------------------------------------------------------

    def workflow(self, name: str, version: int | None = None) -> Workflow:
        """The registered workflow ``name`` (its latest version unless ``version`` is given)."""
        return self._compiled_for(name, version).workflow

    def workflow_plugin(self, name: str, version: int | None = None) -> str:
        """The name of the plugin that contributed workflow ``name`` (``engine`` for workflows
        passed to the constructor)."""
        plugin = self._compiled_for(name, version).plugin
        return "engine" if plugin is None else plugin.name

    @property
    def workflows(self) -> Mapping[str, Workflow]:
        """The latest version of every registered workflow, by name."""
        return {name: self._compiled[(name, v)].workflow for name, v in self._latest.items()}

    def _compiled_for(self, name: str, version: int | None) -> CompiledWorkflow:
        if version is None:
            version = self._latest.get(name)
            if version is None:
                raise UnknownWorkflowError(name)
        compiled = self._compiled.get((name, version))
        if compiled is None:
            raise UnknownWorkflowError(name, version)
        return compiled

    def due_time(
        self, issue: Issue, duration: Duration | str, start: datetime | None = None
    ) -> datetime:
        """When ``duration`` (``"2h"``, ``"3d"``, ``"3wd"``, ``"8wh"``) from ``start`` (now, by
        default) runs out for ``issue``: counted by the engine's calendar with the overrides of
        the issue's locality. Every due time the engine sets comes from here; so must any
        other code's (a summoned department's limit, say)."""
        return self._time.due_time(issue, duration, start or self.clock.now())

    def limit_tables(self, name: str, version: int | None = None) -> Tables:
        """The limit tables in force for workflow ``name``, by state: the spec's rows and the
        rows plugins added through ``govflow_limit_tables`` (theirs first: they win)."""
        return self._time.tables(self._compiled_for(name, version).workflow)

    def get(self, issue_id: str, *, reader: Actor | str | None = None) -> Issue:
        """The issue as it stands now, as ``reader`` may see it: its workflow's personal data
        is left out unless the reader is the reporter or holds the workflow's privacy
        permission in scope (see :mod:`govflow.authority.privacy`)."""
        check_text("issue_id", issue_id)
        issue = self.store.get(issue_id)
        privacy = self._privacy_of(issue)
        return self.personal.unseal_issue(
            self.authority.read_issue(issue, privacy, reader), privacy.fields
        )

    def history(self, issue_id: str, *, reader: Actor | str | None = None) -> tuple[Event, ...]:
        """The issue's audit log, oldest first, personal data left out as for :meth:`get`."""
        check_text("issue_id", issue_id)
        issue = self.store.get(issue_id)
        privacy = self._privacy_of(issue)
        return self.personal.unseal_events(
            self.authority.read_events(issue, privacy, self.store.events(issue_id), reader),
            privacy.fields,
        )

    def issues(self, *, visible_to: Actor | str | None = None) -> Iterator[Issue]:
        """Every issue in the store, personal data left out; with ``visible_to``, only those
        that reader may see (an official's jurisdiction, a resident's own), as they may see
        them."""
        if visible_to is None:
            for issue in self.store.issues():
                yield self.authority.read_issue(issue, self._privacy_of(issue), None)
            return
        reader = self.authority.principal(visible_to)
        for issue in self.store.issues():
            if self.authority.sees(issue, reader):
                privacy = self._privacy_of(issue)
                yield self.personal.unseal_issue(
                    self.authority.read_issue(issue, privacy, reader.actor), privacy.fields
                )

    def _privacy_of(self, issue: Issue) -> Privacy:
        # A record may hold issues of workflows this engine does not register (a plugin that
        # is not installed here): their data is still read with the default privacy rules.
        compiled = self._compiled.get((issue.workflow, issue.workflow_version))
        return _DEFAULT_PRIVACY if compiled is None else compiled.workflow.privacy

    def parties(self, issue_id: str, *, pending: bool = False) -> tuple[Party, ...]:
        """The parties of the issue's current (or last) round in a join state; with
        ``pending``, only those still owing a report in the state the issue is in now."""
        check_text("issue_id", issue_id)
        issue = self.store.get(issue_id)
        found = parties(issue)
        if not pending:
            return found
        return tuple(p for p in found if p.pending and p.state == issue.state)

    def children(self, issue_id: str) -> tuple[LinkedIssue, ...]:
        """The child issues the issue's moves opened (see :mod:`govflow.links`)."""
        check_text("issue_id", issue_id)
        return children(self.store.get(issue_id))

    def verify(self, issue_id: str) -> int:
        """Check the issue's audit log is intact and replays to the stored issue.

        :return: the number of events checked.
        :raises IntegrityError: naming the event where the log was edited, or where events were
            inserted or deleted.
        """
        check_text("issue_id", issue_id)
        return verify_events(self.store.events(issue_id), self.store.get(issue_id))

    def available_triggers(self, issue_id: str, actor: Actor | str) -> list[str]:
        """Triggers ``actor`` is authorized to fire on the issue now.

        Guards are not evaluated: they depend on the payload given when firing.
        """
        check_text("issue_id", issue_id)
        issue = self.store.get(issue_id)
        workflow = self._compiled_for(issue.workflow, issue.workflow_version).workflow
        who = self.authority.actor(actor)
        return [
            move.trigger
            for move in workflow.outgoing(issue.state)
            if self._refusal(issue, move, who) is None
        ]

    # --- writing ---------------------------------------------------------------------------

    def open(
        self,
        workflow: str,
        *,
        reporter: Actor | str,
        location: str | None = None,
        category: str | None = None,
        data: Mapping[str, Any] | None = None,
        version: int | None = None,
        issue_id: str | None = None,
        joint: Mapping[str, Any] | None = None,
        opened_by: Actor | str | None = None,
        channel: str | None = None,
        idempotency_key: str | None = None,
    ) -> Issue:
        """Open an issue on ``workflow`` (its latest version unless ``version`` is given).

        Without a ``category``, the ``govflow_classify`` hook may choose one. ``data`` must be
        JSON data. ``joint`` is the joint-work record the issue starts with
        (:mod:`govflow.links` gives a child its parent link). Returns the issue in the
        workflow's initial state, at version 0.

        Opening is authorized by the workflow's :class:`~govflow.workflow.spec.Opening`:
        ``opened_by`` is someone opening on behalf of the ``reporter`` (a hotline operator for
        a caller), who needs a proxy role at the location; ``channel`` is how the issue came in
        (``in_person``, ``app``, ``hotline``, ``patrol``). The ``open`` event's actor is the
        opener, its payload records the channel and whom the opener acted for; the caller
        stays the reporter.

        :param idempotency_key: a key unique to this report (a hotline call's id, say):
            opening again with the same key and the same request returns the issue opened
            the first time; the same key with a different request is a
            :class:`~govflow.errors.ConflictError`.
        :raises InvalidRequestError: an argument is malformed (the message names it).
        """
        who = check_open(workflow, reporter, location, category, version, issue_id, idempotency_key)
        check_text("channel", channel, optional=True)
        if opened_by is not None and not isinstance(opened_by, Actor):
            check_text("opened_by", opened_by)
        payload = json_data("data", data, self.json_limits)
        if idempotency_key is not None:
            earlier = self.store.find_opened(idempotency_key)
            if earlier is not None:
                return self._reopened(earlier, idempotency_key, workflow, who, location, category,
                                      payload, version, issue_id)  # fmt: skip
        compiled = self._compiled_for(workflow, version)
        spec = compiled.workflow
        self._check_location(location)
        who, opener, facts = self.authority.opening(
            spec,
            reporter=reporter,
            opened_by=opened_by,
            channel=channel,
            location=location,
            data=payload,
            issue_id=issue_id or "(new issue)",
        )
        new_id = issue_id if issue_id is not None else self.store.new_issue_id()
        facts_payload = json_data("payload", facts, self.json_limits)
        now = self.clock.now()
        check_time("the clock's time", now)
        decisions: list[tuple[str, PluginRef]] = []
        if category is None:
            answer = self.plugins.first(
                "govflow_classify",
                workflow=spec,
                data=payload,
                location=location,
                reporter=who,
                org=self.org,
            )
            if answer is not None:
                check_text(f"the category plugin {answer[0].name} chose", answer[1])
                category = answer[1]
                decisions.append(("category", answer[0]))
        # Personal data is sealed before anything hashes or stores it (govflow.audit.personal).
        sealed = self.personal.seal(spec.privacy.fields, who.id, payload)
        # id, workflow, version, state, category, location, reporter, opened_at, updated_at
        fields = (
            new_id,
            spec.name,
            spec.version,
            spec.initial,
            category,
            location,
            who.id,
            now,
            now,
        )
        record = json_data("joint", joint, self.json_limits)
        draft = Issue(*fields, data=sealed, joint=record)  # what the deadline hook sees
        due_at, limit = self._deadline(spec, draft, spec.initial, now, decisions)
        timing = self._time.opened(spec, draft, now)
        if spec.deadlines.warn_at is not None:
            timing = self._time.entered(
                spec, draft, timing, state=spec.state(spec.initial), limit=limit, due=due_at,
                now=now,
            )  # fmt: skip
        # The initial fields are the draft's until the stored issue exists (it needs the
        # event's hash); then the open event reads them from it.
        fields_set = InitialFields(draft)
        timing = freeze_mapping(timing)
        initial = _open_changes(fields_set, record, timing)
        event = self._event(
            new_id,
            0,
            OPEN_TRIGGER,
            None,
            spec.initial,
            opener.id,
            now,
            due_at,
            facts_payload,
            initial,
            compiled.plugin,
            decisions,
            GENESIS,
        )
        issue = Issue(*fields, due_at, data=draft.data, joint=draft.joint, timing=timing,
                      last_hash=event.hash)  # fmt: skip
        fields_set.rebind(issue)  # the event reads the stored issue: one Issue kept, not two
        try:
            self.store.commit(issue, event, idempotency_key=idempotency_key)
        except ConflictError:
            earlier = None if idempotency_key is None else self.store.find_opened(idempotency_key)
            if earlier is None or idempotency_key is None:
                raise
            # Two deliveries of one report raced and the other was stored first.
            return self._reopened(earlier, idempotency_key, workflow, who, location, category,
                                  payload, version, issue_id)  # fmt: skip
        self._notify(issue, None, event)
        return issue

    def _reopened(  # noqa: PLR0917  (the request being compared, field by field)
        self,
        earlier: Event,
        key: str,
        workflow: str,
        reporter: Actor,
        location: str | None,
        category: str | None,
        data: Mapping[str, Any],
        version: int | None,
        issue_id: str | None,
    ) -> Issue:
        same_opening(self._opened(earlier), key, workflow, reporter.id, location,
                     category, data, version, issue_id)  # fmt: skip
        return self.store.get(earlier.issue_id)

    def fire(
        self,
        issue_id: str,
        trigger: str,
        *,
        actor: Actor | str,
        payload: Mapping[str, Any] | None = None,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
    ) -> Event:
        """Move an issue with ``trigger`` on behalf of ``actor``; return the appended event.

        With an org graph, ``actor`` is a person id (or an Actor whose id counts, nothing else):
        the engine derives the person's posts from the graph and checks the transition's roles
        in its scope (:mod:`govflow.authority`). Without one, an ``Actor``'s roles count.

        :param expected_version: refuse with :class:`ConflictError` unless the issue is still at
            this version (the version you read it at).
        :param idempotency_key: a key unique to this request; firing again with the same key
            returns the first event and changes nothing.
        :raises UnknownIssueError, ConflictError, TransitionNotAllowedError,
            PermissionDeniedError, GuardFailedError, InvalidRequestError: and nothing changed.
        """
        check_fire(issue_id, trigger, actor, expected_version, idempotency_key)
        data = json_data("payload", payload, self.json_limits)
        issue = self.store.get(issue_id)
        if self.org is None and type(actor) is Actor:
            who, principal = actor, None
        else:
            principal = self.authority.principal(actor)
            who = principal.actor
        if idempotency_key is not None:
            earlier = self.store.find_idempotent(issue_id, idempotency_key)
            if earlier is not None:
                same_request(self._opened(earlier), idempotency_key, trigger,
                             who.id, data)  # fmt: skip
                return earlier
        if expected_version is not None and expected_version != issue.version:
            raise ConflictError(
                issue_id,
                f"expected version {expected_version} but the issue is at version {issue.version}",
            )
        if issue.timing and "paused" in issue.timing:
            raise DeadlineError(
                issue_id, f"is paused ({issue.timing['paused']['reason']}): resume it first"
            )
        compiled = self._compiled.get((issue.workflow, issue.workflow_version))
        if compiled is None:
            compiled = self._compiled_for(issue.workflow, issue.workflow_version)  # raises
        move = compiled.workflow.transition(issue.state, trigger)
        if move is None:
            raise TransitionNotAllowedError(
                issue_id,
                issue.state,
                trigger,
                [m.trigger for m in compiled.workflow.outgoing(issue.state)],
            )
        refusal, acting_for = self._authorize(issue, move, who, principal)
        if refusal is not None:
            raise refusal
        data = self.personal.seal(compiled.workflow.privacy.fields, issue.reporter, data)
        return self._apply(
            compiled,
            issue,
            move,
            actor=who,
            payload=data,
            idempotency_key=idempotency_key,
            acting_for=acting_for,
        )

    def batch(self, *, issues: Iterable[str] = ()) -> AbstractContextManager[Engine]:
        """Make many moves and commit them in one transaction: ``with engine.batch() as b:``.

        ``b`` is an engine like this one whose moves are held and committed together when the
        block ends, all or none; each move is checked as it is made, and a refused move raises
        at once and is not part of the batch (the others are committed). Listeners and ledgers
        hear of the moves after the commit. See :mod:`govflow.batch` for the guarantees.

        :param issues: ids of issues the batch will move, read at once before it starts (one
            query a thousand on a SQL store, instead of one an issue); a move made elsewhere
            after that read still refuses the whole batch.
        """
        return batch(self, issues=issues)

    def tick(
        self, now: datetime | None = None, *, issues: Iterable[Issue] | None = None
    ) -> TickReport:
        """Fire the timeout transition of every issue whose state's time limit has passed.

        Before that, the clock records what else is due: an early warning (``warn``), and a
        办结时限 that has passed (``overall_overdue``, then the workflow's
        ``deadlines.on_overdue`` trigger if the issue's state has it; see
        :mod:`govflow.timekeeping`).

        Timeout moves are made by :data:`~govflow.records.SYSTEM_CLOCK`, skip role and relation
        checks (the clock holds no role), but still pass plugins' vetoes and guards; a move they
        refuse (or that another engine made first) is left for a later tick. Returns the events
        appended, earliest due first, as a :class:`TickReport` whose ``skipped`` names the
        issues that could not be moved and why. ``issues`` limits the tick to those of them
        that are due (the ones a :mod:`govflow.worker` claimed) instead of every due issue of
        the store.

        One bad issue (of a workflow the engine no longer has, or whose stored due time
        disagrees with its hashed ``due_at``) is logged, reported and skipped: the others
        still fire.
        """
        check_time("now", now, optional=True)
        when = now if now is not None else self.clock.now()
        report = TickReport()
        candidates = (
            self.store.due(when)
            if issues is None
            else (i for i in issues if i.alarm_at is not None and i.alarm_at <= when)
        )
        # Joined issues handled already: a party's escalation moves the issue's due time, and
        # a store reading its due issues a page at a time may meet it again further on.
        joined: set[str] = set()
        for due in candidates:  # a page at a time on SQL stores: never every due issue at once
            issue = due
            try:
                compiled = self._compiled_for(issue.workflow, issue.workflow_version)
                overall = self._time.overall_passed(issue, when)
                if overall is not None:  # the 办结时限 passed: recorded first, then the rest
                    report.extend(self._overall_overdue(compiled, issue, overall, when))
                    issue = self.store.get(issue.id)
                    if issue.alarm_at is None or issue.alarm_at > when:
                        continue
                if issue.state in compiled.joins:
                    if issue.id in joined:
                        continue
                    joined.add(issue.id)
                    # A party's own deadline: escalate it alone, then see if the state is due.
                    escalated, issue = fire_overdue_parties(self, compiled, due, when)
                    report.extend(escalated)
                    if issue.due_at is None or issue.due_at > when:
                        continue
                elif issue.alarm_at is None or issue.alarm_at > when:
                    # The store's due index said yes, the issue's own (hashed) times say no: an
                    # index edited behind govflow's back must not fire a deadline early.
                    report.skip(issue.id, "the store's due index disagrees with the issue's due_at")
                    continue
                if issue.alarm_at != issue.due_at and (issue.due_at is None or when < issue.due_at):
                    report.append(self._warn(issue, when))  # 预警: the early warning is due
                    continue
                move = next(
                    (m for m in compiled.workflow.outgoing(issue.state) if m.on_timeout), None
                )
                if move is None:
                    continue
                overdue = {"overdue_since": issue.due_at.isoformat() if issue.due_at else None}
                payload = json_data("payload", overdue)
                report.append(
                    self._apply(
                        compiled,
                        issue,
                        move,
                        actor=SYSTEM_CLOCK,
                        payload=payload,
                        now=when,
                    )
                )
            except UnknownWorkflowError as error:
                report.skip(issue.id, str(error))
            except RefusalError as refusal:
                log.info("deadline move on issue %s refused: %s", issue.id, refusal)
            except Exception as error:
                report.skip(issue.id, f"{type(error).__name__}: {error}")
        return report

    # --- erasure of personal data (PIPL): see govflow.audit.personal -----------------------

    def erase(
        self, subject: str, *, actor: Actor | str, reason: str | None = None
    ) -> tuple[Event, ...]:
        """Erase a resident's personal data on request (PIPL art. 47) by destroying their key.

        Each issue ``subject`` reported gets an ``erase`` event (who asked, when, which
        subject, ``reason``; never the data), then the subject's key is deleted: every value
        sealed with it stays in the log, hashed as before (the log still verifies), and can
        never be opened again. ``actor`` must be the subject, or may read the personal data
        of every one of those issues (the workflow's privacy permission, in scope).

        :return: the ``erase`` events appended, one per issue.
        :raises UnknownSubjectError: no personal data is held for ``subject``; nothing changed.
        :raises PermissionDeniedError: ``actor`` may not; nothing changed.
        """
        check_text("subject", subject)
        check_text("reason", reason, optional=True)
        if isinstance(self.store, BatchStore):  # its events would wait, its keys would not
            raise InvalidRequestError("erasing is not part of a batch: erase outside it")
        who = self.authority.principal(actor)
        if self.store.subject_key(subject) is None:
            raise UnknownSubjectError(subject)
        issues = list(self.store.reported_by(subject))
        for issue in issues:
            privacy = self._privacy_of(issue)
            if not may_read_personal(issue, privacy, who, self.org):
                raise PermissionDeniedError(
                    issue.id,
                    ERASE_TRIGGER,
                    who.id,
                    missing_roles=[privacy.permission],
                    reason=f"erasing needs the subject, or {privacy.permission!r} over each of "
                    "their issues",
                )
        payload = json_data("payload", erasure_payload(subject, reason), self.json_limits)
        events = tuple(self._erasure_event(issue, who.id, payload) for issue in issues)
        self.store.forget_subject(subject)
        return events

    def _opened(self, earlier: Event) -> Event:
        """An earlier request's event with its personal data opened: what a retry, which
        sends the data in the clear, is compared with."""
        fields = self._privacy_of(self.store.get(earlier.issue_id)).fields
        return self.personal.unseal_event(earlier, fields)

    def _erasure_event(self, issue: Issue, actor: str, payload: Mapping[str, Any]) -> Event:
        while True:  # a move that got in first is no reason not to record the erasure
            now = self.clock.now()
            moved = attrs.evolve(issue, updated_at=now, version=issue.version + 1)
            event = self._event(
                issue.id,
                moved.version,
                ERASE_TRIGGER,
                issue.state,
                issue.state,
                actor,
                now,
                issue.due_at,
                payload,
                EMPTY,
                ERASER,
                [],
                self._previous_hash(issue),
            )
            try:
                self.store.commit(moved, event)
            except ConflictError:
                issue = self.store.get(issue.id)
                continue
            self._notify(moved, issue, event)
            return event

    # --- deadlines: 挂起, 延期 (see govflow.timekeeping) ------------------------------------

    def pause(self, issue_id: str, *, actor: Actor, reason: str) -> Event:
        """Pause (挂起) the issue's clocks: its state's limit and its 办结时限 stop running until
        :meth:`resume`; no other move is accepted meanwhile. Appends a ``pause`` event naming
        the reason. Needs one of the workflow's ``deadlines.pause_roles``."""
        issue, workflow = self._deadline_subject(issue_id, "pause")
        self._authorize_deadline(issue, "pause", workflow.deadlines.pause_roles, actor, "pausing")
        now = self.clock.now()
        timing = self._time.pause(workflow, issue, reason, now)
        return self._clock_event(
            issue, "pause", actor, payload={"reason": reason}, due_at=None, timing=timing, now=now
        )

    def resume(self, issue_id: str, *, actor: Actor) -> Event:
        """Resume a paused issue: each clock runs on with what it had left when paused.
        Appends a ``resume`` event. Needs one of ``deadlines.pause_roles``."""
        issue, workflow = self._deadline_subject(issue_id, "resume", paused=True)
        self._authorize_deadline(issue, "resume", workflow.deadlines.pause_roles, actor, "pausing")
        now = self.clock.now()
        due, timing = self._time.resume(issue, now)
        return self._clock_event(
            issue, "resume", actor, payload=EMPTY, due_at=due, timing=timing, now=now
        )

    def request_extension(
        self, issue_id: str, *, actor: Actor, by: Duration | str, reason: str
    ) -> Event:
        """Ask for the running deadline to be extended (申请延期) by ``by``. The actor must be an
        assignee of the issue or hold an extension role; the request is bounded by the
        workflow's ``max_extensions`` and ``max_extension``. Appends ``request_extension``."""
        issue, workflow = self._deadline_subject(issue_id, "request_extension")
        roles = workflow.deadlines.extension_roles
        if actor.id not in issue.assignees and not actor.has_any_role(roles):
            raise PermissionDeniedError(
                issue.id,
                "request_extension",
                actor.id,
                missing_roles=sorted(roles),
                reason="must be an assignee of the issue or approve extensions",
            )
        timing = self._time.request(workflow, issue, by, reason, actor.id)
        payload = {"by": str(timing["requested"]["by"]), "reason": reason}
        now = self.clock.now()
        return self._clock_event(
            issue,
            "request_extension",
            actor,
            payload=payload,
            due_at=issue.due_at,
            timing=timing,
            now=now,
        )

    def approve_extension(self, issue_id: str, *, actor: Actor) -> Event:
        """Approve the pending extension request (批准延期): the running deadline (and the
        办结时限) move later by the requested amount. Needs one of the workflow's
        ``deadlines.extension_roles``, and someone other than the requester."""
        issue, workflow = self._deadline_subject(issue_id, "extend")
        self._authorize_deadline(
            issue, "extend", workflow.deadlines.extension_roles, actor, "extensions"
        )
        due, timing, by = self._time.approve(issue, actor.id)
        now = self.clock.now()
        return self._clock_event(
            issue, "extend", actor, payload={"by": by}, due_at=due, timing=timing, now=now
        )

    def refuse_extension(self, issue_id: str, *, actor: Actor, reason: str) -> Event:
        """Refuse the pending extension request; the deadline stays. Needs an extension role."""
        issue, workflow = self._deadline_subject(issue_id, "refuse_extension")
        roles = workflow.deadlines.extension_roles
        self._authorize_deadline(issue, "refuse_extension", roles, actor, "extensions")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidRequestError("refusing an extension needs a reason")
        timing = self._time.refuse(issue)
        now = self.clock.now()
        return self._clock_event(
            issue,
            "refuse_extension",
            actor,
            payload={"reason": reason},
            due_at=issue.due_at,
            timing=timing,
            now=now,
        )

    def _deadline_subject(
        self, issue_id: str, trigger: str, *, paused: bool = False
    ) -> tuple[Issue, Workflow]:
        issue = self.store.get(issue_id)
        workflow = self._compiled_for(issue.workflow, issue.workflow_version).workflow
        if workflow.state(issue.state).terminal:
            raise DeadlineError(issue_id, f"is in terminal state {issue.state!r}: no {trigger}")
        if not paused and issue.timing and "paused" in issue.timing:
            raise DeadlineError(issue_id, "is paused: resume it first")
        return issue, workflow

    def _authorize_deadline(
        self, issue: Issue, trigger: str, roles: frozenset[str], actor: Actor, what: str
    ) -> None:
        if not roles:
            raise DeadlineError(issue.id, f"workflow {issue.workflow!r} allows no {what}")
        refusal = self._refusal(issue, Transition(trigger, issue.state, issue.state, roles), actor)
        if refusal is not None:
            raise refusal

    def _overall_overdue(
        self, compiled: CompiledWorkflow, issue: Issue, overall: str, now: datetime
    ) -> list[Event]:
        """Record that the 办结时限 passed, then fire the workflow's ``on_overdue`` trigger from
        the issue's state if that state has it (as the clock fires timeouts: no role check,
        guards and vetoes still apply; a refusal leaves the record alone)."""
        passed = {"overall_due": overall}
        events = [
            self._clock_event(
                issue,
                OVERALL_OVERDUE,
                SYSTEM_CLOCK,
                payload=passed,
                due_at=issue.due_at,
                timing=self._time.overdue(issue),
                now=now,
            )
        ]
        trigger = compiled.workflow.deadlines.on_overdue
        move = None if trigger is None else compiled.workflow.transition(issue.state, trigger)
        if move is not None:
            recorded = self.store.get(issue.id)
            try:
                moved = self._apply(
                    compiled, recorded, move, actor=SYSTEM_CLOCK, payload=passed, now=now
                )
                events.append(moved)
            except RefusalError as refusal:
                log.info("on_overdue move on issue %s refused: %s", issue.id, refusal)
        return events

    def _warn(self, issue: Issue, now: datetime) -> Event:
        timing = {key: value for key, value in issue.timing.items() if key != "warn_at"}
        due = issue.due_at
        payload = {"due_at": None if due is None else due.isoformat()}
        return self._clock_event(
            issue, "warn", SYSTEM_CLOCK, payload=payload, due_at=due, timing=timing, now=now
        )

    def _clock_event(
        self,
        issue: Issue,
        trigger: str,
        actor: Actor,
        *,
        payload: Mapping[str, Any],
        due_at: datetime | None,
        timing: Mapping[str, Any],
        now: datetime,
    ) -> Event:
        """Commit a deadline event: the issue stays in its state; its due time and timing
        change. Built like any move, so the log verifies and replays it."""
        data = json_data("payload", payload, self.json_limits)
        frozen = MappingProxyType(dict(timing))
        version = issue.version + 1
        event = self._event(
            issue.id,
            version,
            trigger,
            issue.state,
            issue.state,
            actor.id,
            now,
            due_at,
            data,
            MappingProxyType({"timing": frozen}),
            TIMEKEEPER,
            [],
            self._previous_hash(issue),
        )
        moved = attrs.evolve(
            issue,
            updated_at=now,
            due_at=due_at,
            version=version,
            timing=frozen,
            last_hash=event.hash,
        )
        self.store.commit(moved, event)
        self._notify(moved, issue, event)
        return event

    # --- internals -------------------------------------------------------------------------

    def _check_location(self, location: str | None) -> None:
        if location is not None and self.org is not None:
            self.org.unit(location)  # UnknownUnitError (an InvalidRequestError) if it is not

    def _refusal(self, issue: Issue, move: Transition, actor: Actor) -> RefusalError | None:
        return self._authorize(issue, move, actor)[0]

    def _authorize(
        self, issue: Issue, move: Transition, actor: Actor, principal: Principal | None = None
    ) -> tuple[RefusalError | None, str | None]:
        """The refusal of ``actor`` making ``move`` (None if allowed), and the unit the actor
        acts for when the move counts on a post in a unit the issue is assigned to."""
        if move.on_timeout and not move.roles and actor is not SYSTEM_CLOCK:
            # A deadline move that names no role belongs to the clock alone; otherwise anyone
            # could "time out" an issue early.
            return PermissionDeniedError(
                issue.id,
                move.trigger,
                actor.id,
                missing_roles=sorted(SYSTEM_CLOCK.roles),
                reason="is fired by the deadline clock only",
            ), None
        if move.reports and not pending_for(issue, actor, self.org):
            return PermissionDeniedError(
                issue.id,
                move.trigger,
                actor.id,
                missing_relation="party",
                reason="must be (or act for) a party of the round that has not reported",
            ), None
        if self.org is not None or move.conflicts:
            return self.authority.authorize(issue, move, actor, principal=principal)
        if not actor.has_any_role(move.roles):
            return PermissionDeniedError(
                issue.id, move.trigger, actor.id, missing_roles=sorted(move.roles)
            ), None
        for relation in move.relations:
            if relation is Relation.REPORTER:
                holds = actor.id == issue.reporter
            elif relation is Relation.ASSIGNEE:
                holds = actor.id in issue.assignees
            else:
                holds = actor.id not in issue.handlers
            if not holds:
                return PermissionDeniedError(
                    issue.id,
                    move.trigger,
                    actor.id,
                    missing_relation=str(relation),
                    reason=f"must be {_RELATION_TEXT[relation]}",
                ), None
        return None, None

    def _apply(
        self,
        compiled: CompiledWorkflow,
        issue: Issue,
        move: Transition,
        *,
        actor: Actor,
        payload: Mapping[str, Any],
        idempotency_key: str | None = None,
        now: datetime | None = None,
        acting_for: str | None = None,
    ) -> Event:
        """Make an authorized move: plugins' vetoes, the route, the issue's new fields, the
        sealed event, the commit, and what follows it."""
        when = now if now is not None else self.clock.now()
        check_time("the clock's time", when)
        if self._vetoes:
            self._veto(issue, move, actor, payload)
        draft = self._route(compiled, issue, move, actor, payload, when)
        self._decide(compiled, draft, actor, payload, acting_for)
        moved, event = self._seal(compiled, draft, actor.id, payload, acting_for)
        posted = self.ledgers.drafts(moved, event) if self.ledgers.posts else ()
        try:
            self.store.commit(moved, event, idempotency_key=idempotency_key)
        except ConflictError:
            # Two deliveries of one request raced and the other committed first: it is the
            # same move, so answer with its event, as a later retry would get.
            earlier = (
                None
                if idempotency_key is None
                else self.store.find_idempotent(issue.id, idempotency_key)
            )
            if earlier is None or idempotency_key is None:
                raise
            return same_request(earlier, idempotency_key, move.trigger, actor.id, payload)
        if draft.plan is not None:
            draft.plan.after_commit(self, moved, actor)
        if posted:
            self.ledgers.append(posted)
        self._notify(moved, issue, event)
        return event

    def _veto(
        self, issue: Issue, move: Transition, actor: Actor, payload: Mapping[str, Any]
    ) -> None:
        for ref, reason in self.plugins.collect(
            "govflow_before_transition",
            issue=issue,
            transition=move,
            actor=actor,
            payload=payload,
            org=self.org,
        ):
            raise GuardFailedError(issue.id, move.trigger, f"plugin {ref.name}", str(reason))

    def _route(  # noqa: PLR0917  (the move being made, as _apply holds it)
        self,
        compiled: CompiledWorkflow,
        issue: Issue,
        move: Transition,
        actor: Actor,
        payload: Mapping[str, Any],
        when: datetime,
    ) -> _Draft:
        """Where the move goes (guards and branches decide), and the joint work it plans."""
        # Only guards and joint work read a context: most moves have neither, and build none.
        coordinated = move.coordinated
        context = (
            MoveContext(issue, move, actor, payload, when, self.org)
            if move.guards or coordinated
            else None
        )
        destination, branch = compiled.route(issue, move.trigger, context)
        draft = _Draft(issue, move, destination, when)
        if coordinated or compiled.joins or (move.assigns and self._access):
            draft.plan = coordinate(self, compiled, issue, move, actor, payload, destination,
                                    branch, when, draft.decisions)  # fmt: skip
            draft.issue = draft.plan.issue  # routing, bodies, deadlines see the new location
        return draft

    def _decide(
        self,
        compiled: CompiledWorkflow,
        draft: _Draft,
        actor: Actor,
        payload: Mapping[str, Any],
        acting_for: str | None,
    ) -> None:
        """The issue's new fields: its people, the bodies of a gate it enters, its deadline."""
        issue, move, destination, changes = (
            draft.issue,
            draft.move,
            draft.destination,
            draft.changes,
        )
        assignees, draft.data = issue.assignees, issue.data
        if move.assigns:
            assignees = self._assignees(issue, move, actor, payload, draft.decisions)
            changes["assignees"] = assignees
        if self.org is not None and (destination != issue.state or move.relocate is not None):
            # Entering a gate: its bodies are resolved at the location and frozen into the log.
            frozen = self.authority.entering(issue, compiled.workflow, destination)
            if frozen is not None:
                draft.data = changes["data"] = json_data("data", frozen, self.json_limits)
        draft.due_at, draft.timing = self._next_deadline(
            compiled.workflow, issue, move, destination, draft.when, draft.decisions
        )
        if draft.plan is not None:
            draft.due_at, draft.issue, assignees = draft.plan.finish(
                self, move, assignees, draft.due_at
            )
            issue = draft.issue
        draft.assignees = assignees
        draft.handlers = issue.handlers
        if issue.state in compiled.processing and actor is not SYSTEM_CLOCK:
            # A unit acted for counts as a handler beside its person (conflict rules read it).
            added = tuple(
                h for h in (actor.id, acting_for) if h is not None and h not in draft.handlers
            )
            if added:
                draft.handlers = changes["handlers"] = (*draft.handlers, *added)
        if draft.timing is not issue.timing:
            changes["timing"] = draft.timing

    def _seal(
        self,
        compiled: CompiledWorkflow,
        draft: _Draft,
        actor: str,
        payload: Mapping[str, Any],
        acting_for: str | None,
    ) -> tuple[Issue, Event]:
        """The move's hashed event, and the issue as the event leaves it."""
        issue, changes, data = draft.issue, draft.changes, draft.data
        if draft.plan is not None and draft.plan.changes:
            draft.plan.merge_changes(changes, data)
        version = issue.version + 1
        event = self._event(
            issue.id,
            version,
            draft.move.trigger,
            issue.state,
            draft.destination,
            actor,
            draft.when,
            draft.due_at,
            payload,
            MappingProxyType(changes) if changes else EMPTY,
            compiled.plugin,
            draft.decisions,
            self._previous_hash(issue),
            acting_for,
        )
        moved = Issue(
            id=issue.id,
            workflow=issue.workflow,
            workflow_version=issue.workflow_version,
            state=draft.destination,
            category=issue.category,
            location=issue.location,
            reporter=issue.reporter,
            opened_at=issue.opened_at,
            updated_at=draft.when,
            due_at=draft.due_at,
            assignees=draft.assignees,
            handlers=draft.handlers,
            data=data,
            version=version,
            joint=issue.joint,
            timing=draft.timing,
            last_hash=event.hash,
        )
        return moved, event

    def _previous_hash(self, issue: Issue) -> str:
        if issue.last_hash:  # stores read it with the issue: no read of the log
            return issue.last_hash
        last = self.store.last_event(issue.id)  # an issue that came without it
        return GENESIS if last is None else last.hash

    def _assignees(
        self,
        issue: Issue,
        move: Transition,
        actor: Actor,
        payload: Mapping[str, Any],
        decisions: list[tuple[str, PluginRef]],
    ) -> tuple[str, ...]:
        answer = self.plugins.first(
            "govflow_resolve_assignees",
            issue=issue,
            transition=move,
            actor=actor,
            payload=payload,
            org=self.org,
        )
        if answer is None or not answer[1]:
            raise InvalidRequestError(
                f"issue {issue.id!r}: {move.trigger!r} assigns the issue, but no assignees were "
                "given in the payload and no plugin resolved any"
            )
        decisions.append(("assignees", answer[0]))
        return tuple(answer[1])

    def _next_deadline(  # noqa: PLR0917  (one call site, on every move)
        self,
        workflow: Workflow,
        issue: Issue,
        move: Transition,
        destination: str,
        when: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> tuple[datetime | None, Mapping[str, Any]]:
        """The due time and timing after ``move``: a self-loop keeps the running deadline; a
        timeout self-loop (a reminder) cannot, or it would fire again on every tick."""
        timing = issue.timing
        if destination == issue.state and not (move.restarts_deadline or move.on_timeout):
            return issue.due_at, timing
        due_at, limit = self._deadline(workflow, issue, destination, when, decisions)
        if timing or workflow.deadlines.warn_at is not None:
            timing = self._time.entered(
                workflow, issue, timing, state=workflow.state(destination), limit=limit,
                due=due_at, now=when,
            )  # fmt: skip
        return due_at, timing

    def _deadline(
        self,
        workflow: Workflow,
        issue: Issue,
        state: str,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> tuple[datetime | None, Duration | None]:
        spec = workflow.state(state)
        if spec.terminal:
            return None, None
        limit = self._time.limit(workflow, spec, issue)
        return self._due(issue, spec, limit, entered_at, decisions), limit

    def _limit_deadline(
        self,
        issue: Issue,
        state: State,
        limit: Duration,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> datetime | None:
        """When a task of ``limit`` started in ``state`` at ``entered_at`` falls due (a join's
        party): the deadline hook asked as for the state, with the task's limit, counted by the
        engine's calendar like every other due time."""
        return self._due(issue, state, limit, entered_at, decisions)

    def _due(
        self,
        issue: Issue,
        spec: State,
        limit: Duration | None,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> datetime | None:
        answer = self.plugins.first(
            "govflow_deadline",
            issue=issue,
            state=spec,
            entered_at=entered_at,
            limit=limit,
            due_time=partial(self._time.due_time, issue),
        )
        if answer is None:
            return None
        decisions.append(("due_at", answer[0]))
        due: datetime = answer[1]
        return due

    def _event(  # noqa: PLR0917  (an event's fields, positionally: this runs on every move)
        self,
        issue_id: str,
        sequence: int,
        trigger: str,
        source: str | None,
        destination: str,
        actor: str,
        at: datetime,
        due_at: datetime | None,
        payload: Mapping[str, Any],
        changes: Mapping[str, Any],  # read-only: the event keeps it
        plugin: PluginRef | None,
        decisions: Sequence[tuple[str, PluginRef]],
        previous_hash: str,
        acting_for: str | None = None,
    ) -> Event:
        # Every field of the event is hashed, by govflow.audit.canonical (docs/audit-format.md).
        return seal(
            Event(
                issue_id,
                sequence,
                trigger,
                source,
                destination,
                actor,
                at,
                due_at,
                payload,
                changes,
                plugin,
                self._shared_decisions(decisions),
                previous_hash,
                acting_for=acting_for,
                hash_algorithm=self.hash_algorithm,
            )
        )

    def _shared_decisions(self, decisions: Sequence[tuple[str, PluginRef]]) -> Mapping[str, str]:
        # Most moves make the same decisions by the same plugins: share one mapping between
        # all of them instead of one per event.
        if not decisions:
            return EMPTY
        key = tuple(decisions)
        found = self._decisions_cache.get(key)
        if found is None:
            found = self._decisions_cache[key] = MappingProxyType(
                {name: str(ref) for name, ref in decisions}
            )
        return found

    def _notify(self, issue: Issue, previous: Issue | None, event: Event) -> None:
        if not self._listeners:
            return
        if self._deferred is not None:  # in a batch: told once the batch is committed
            self._deferred.append(partial(self._notify_now, issue, previous, event))
            return
        self._notify_now(issue, previous, event)

    def _notify_now(self, issue: Issue, previous: Issue | None, event: Event) -> None:
        self.plugins.notify("govflow_after_transition", issue=issue, previous=previous, event=event)
