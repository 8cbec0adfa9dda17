"""The Engine: opens issues, moves them, fires deadlines, and keeps the audit log.

Every accepted move is one :meth:`~govflow.store.Store.commit`: the event appended and the
issue's new state saved together. Every refused move raises a typed error from
:mod:`govflow.errors` before anything is committed, so a refusal changes nothing.

The order of checks in :meth:`Engine.fire` is part of the contract, because it decides which
error a caller sees first: unknown issue → idempotent replay → stale version → unknown trigger
for the state → roles → relations → plugins' vetoes → guards.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import attrs

from govflow.access import AccessLists
from govflow.audit import GENESIS, canonical_mapping, event_hash, json_text, verify_events
from govflow.authority import Authority
from govflow.batch import batch
from govflow.clock import Clock, SystemClock
from govflow.errors import (
    ConflictError,
    GuardFailedError,
    InvalidRequestError,
    InvalidWorkflowError,
    PermissionDeniedError,
    PluginError,
    RefusalError,
    TransitionNotAllowedError,
    UnknownWorkflowError,
)
from govflow.joint import Party, parties
from govflow.joint.plan import Plan, coordinate, fire_overdue_parties
from govflow.joint.record import pending_for
from govflow.ledgers import build_ledgers
from govflow.links import LinkedIssue, children
from govflow.org import OrgGraph
from govflow.plugins import PluginHost
from govflow.records import EMPTY, SYSTEM_CLOCK, Actor, Event, InitialFields, Issue, PluginRef
from govflow.store import MemoryStore, Store
from govflow.workflow.machine import CompiledWorkflow, Guard, MoveContext
from govflow.workflow.spec import OPEN_TRIGGER, Privacy, Relation, State, Transition, Workflow

log = logging.getLogger(__name__)

_RELATION_TEXT = {
    Relation.REPORTER: "the issue's reporter",
    Relation.ASSIGNEE: "an assignee of the issue",
    Relation.NOT_HANDLER: "someone who did not handle the issue",
}


#: The privacy rules for issues of workflows this engine does not register.
_DEFAULT_PRIVACY = Privacy()

#: Types a JSON round trip gives back unchanged: a value of these needs no copying.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _plain_copy(value: dict[Any, Any]) -> dict[str, Any] | None:
    """A private copy of a flat dict of scalars (lists of scalars allowed), or None if it has
    anything else. What a JSON round trip would give, at a fraction of its cost."""
    copy: dict[str, Any] = {}
    for key, item in value.items():
        if type(key) is not str:
            return None
        kind = type(item)
        if kind in _SCALARS:
            copy[key] = item
        elif kind is list or kind is tuple:
            items = list(item)  # JSON has lists only, and the caller keeps its own
            for element in items:
                if type(element) not in _SCALARS:
                    return None
            copy[key] = items
        else:
            return None
    return copy


def _json_data(what: str, value: Mapping[str, Any] | None) -> tuple[Mapping[str, Any], str]:
    """``value`` as plain JSON data (what the log stores) and its canonical text.

    Refuses, naming ``what``, anything that would not survive a trip through the log unchanged.
    """
    if not value:
        return EMPTY, ""
    copy = _plain_copy(value) if type(value) is dict else None
    if copy is not None:
        try:
            return MappingProxyType(copy), json_text(copy)  # json_text refuses NaN and infinity
        except ValueError as err:
            raise InvalidRequestError(f"{what} must be JSON data: {err}") from None
    if not isinstance(value, Mapping):
        raise InvalidRequestError(f"{what} must be a mapping, got {type(value).__name__}")
    if not all(isinstance(key, str) for key in value):
        raise InvalidRequestError(f"{what} keys must be strings")
    try:
        text = json_text(dict(value))
    except (TypeError, ValueError) as err:
        raise InvalidRequestError(f"{what} must be JSON data: {err}") from None
    return MappingProxyType(json.loads(text)), text


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
    ) -> None:
        self.org = org
        self.store: Store = store if store is not None else MemoryStore()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.plugins = PluginHost(plugins, autoload=autoload)
        self.ledgers = build_ledgers(self.plugins, self.clock)
        # Asked once: most engines have no veto or listener plugins, and every move checks.
        self._vetoes = self.plugins.is_implemented("govflow_before_transition")
        self._listeners = self.plugins.is_implemented("govflow_after_transition")
        #: Inside :meth:`batch`: the notifications held back until the batch commits.
        self._deferred: list[tuple[Issue, Issue | None, Event]] | None = None
        self._decisions_cache: dict[
            tuple[tuple[str, PluginRef], ...], tuple[Mapping[str, str], tuple[tuple[str, Any], ...]]
        ] = {}
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

    def get(self, issue_id: str, *, reader: Actor | str | None = None) -> Issue:
        """The issue as it stands now, as ``reader`` may see it: its workflow's personal data
        is left out unless the reader is the reporter or holds the workflow's privacy
        permission in scope (see :mod:`govflow.authority.privacy`)."""
        issue = self.store.get(issue_id)
        return self.authority.read_issue(issue, self._privacy_of(issue), reader)

    def history(self, issue_id: str, *, reader: Actor | str | None = None) -> tuple[Event, ...]:
        """The issue's audit log, oldest first, personal data left out as for :meth:`get`."""
        issue = self.store.get(issue_id)
        return self.authority.read_events(
            issue, self._privacy_of(issue), self.store.events(issue_id), reader
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
                yield self.authority.read_issue(issue, self._privacy_of(issue), reader.actor)

    def _privacy_of(self, issue: Issue) -> Privacy:
        # A record may hold issues of workflows this engine does not register (a plugin that
        # is not installed here): their data is still read with the default privacy rules.
        compiled = self._compiled.get((issue.workflow, issue.workflow_version))
        return _DEFAULT_PRIVACY if compiled is None else compiled.workflow.privacy

    def parties(self, issue_id: str, *, pending: bool = False) -> tuple[Party, ...]:
        """The parties of the issue's current (or last) round in a join state; with
        ``pending``, only those still owing a report in the state the issue is in now."""
        issue = self.store.get(issue_id)
        found = parties(issue)
        if not pending:
            return found
        return tuple(p for p in found if p.pending and p.state == issue.state)

    def children(self, issue_id: str) -> tuple[LinkedIssue, ...]:
        """The child issues the issue's moves opened (see :mod:`govflow.links`)."""
        return children(self.store.get(issue_id))

    def verify(self, issue_id: str) -> int:
        """Check the issue's audit log is intact and replays to the stored issue.

        :return: the number of events checked.
        :raises IntegrityError: naming the event where the log was edited, or where events were
            inserted or deleted.
        """
        return verify_events(self.store.events(issue_id), self.store.get(issue_id))

    def available_triggers(self, issue_id: str, actor: Actor | str) -> list[str]:
        """Triggers ``actor`` is authorized to fire on the issue now.

        Guards are not evaluated: they depend on the payload given when firing.
        """
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
        """
        compiled = self._compiled_for(workflow, version)
        spec = compiled.workflow
        if not (reporter.id if isinstance(reporter, Actor) else reporter):
            raise InvalidRequestError("the reporter needs an id")
        payload, data_text = _json_data("data", data)
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
        facts_payload, facts_text = _json_data("payload", facts)
        now = self.clock.now()
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
                category = str(answer[1])
                decisions.append(("category", answer[0]))
        record, _ = _json_data("joint", joint)
        draft = Issue(  # what the deadline hook sees, and what the open event's fields read
            id=new_id,
            workflow=spec.name,
            workflow_version=spec.version,
            state=spec.initial,
            category=category,
            location=location,
            reporter=who.id,
            opened_at=now,
            updated_at=now,
            data=payload,
            joint=record,
        )
        due_at = self._deadline(spec, draft, spec.initial, now, decisions)
        initial: Mapping[str, Any] = InitialFields(draft)
        canonical_initial: tuple[tuple[str, Any], ...] = (
            ("category", category),
            ("data", data_text),
            ("location", location),
            ("reporter", who.id),
            ("workflow", spec.name),
            ("workflow_version", spec.version),
        )
        if record:
            initial = MappingProxyType({**initial, "joint": record})
            canonical_initial = canonical_mapping(initial)
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
            facts_text,
            initial,
            # canonical_mapping(changes), built directly: the keys are known and sorted.
            canonical_initial,
            compiled.plugin,
            decisions,
            GENESIS,
        )
        issue = attrs.evolve(draft, due_at=due_at, last_hash=event.hash)
        self.store.commit(issue, event)
        self._notify(issue, None, event)
        return issue

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
        issue = self.store.get(issue_id)
        who = actor if self.org is None and type(actor) is Actor else self.authority.actor(actor)
        if idempotency_key is not None:
            earlier = self.store.find_idempotent(issue_id, idempotency_key)
            if earlier is not None:
                if earlier.trigger != trigger or earlier.actor != who.id:
                    raise ConflictError(
                        issue_id,
                        f"idempotency key {idempotency_key!r} was used for {earlier.trigger!r} "
                        f"by {earlier.actor!r}",
                    )
                return earlier
        if expected_version is not None and expected_version != issue.version:
            raise ConflictError(
                issue_id,
                f"expected version {expected_version} but the issue is at version {issue.version}",
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
        refusal, acting_for = self._authorize(issue, move, who)
        if refusal is not None:
            raise refusal
        data, text = _json_data("payload", payload)
        return self._apply(
            compiled,
            issue,
            move,
            actor=who,
            payload=data,
            payload_text=text,
            idempotency_key=idempotency_key,
            acting_for=acting_for,
        )

    def batch(self) -> AbstractContextManager[Engine]:
        """Make many moves and commit them in one transaction: ``with engine.batch() as b:``.

        ``b`` is an engine like this one whose moves are held and committed together when the
        block ends, all or none; each move is checked as it is made, and a refused move is
        not part of the batch. See :mod:`govflow.batch` for the guarantees.
        """
        return batch(self)

    def tick(self, now: datetime | None = None) -> list[Event]:
        """Fire the timeout transition of every issue whose state's time limit has passed.

        Timeout moves are made by :data:`~govflow.records.SYSTEM_CLOCK`, skip role and relation
        checks (the clock holds no role), but still pass plugins' vetoes and guards; a move they
        refuse is left for a later tick. Returns the events appended, earliest due first.
        """
        when = now if now is not None else self.clock.now()
        fired: list[Event] = []
        for due in self.store.due(when):  # read a page at a time: never all due issues at once
            issue = due
            compiled = self._compiled_for(issue.workflow, issue.workflow_version)
            if issue.state in compiled.joins:
                # A party's own deadline: escalate it alone, then see if the state is due.
                escalated, issue = fire_overdue_parties(self, compiled, due, when)
                fired.extend(escalated)
                if issue.due_at is None or issue.due_at > when:
                    continue
            move = next((m for m in compiled.workflow.outgoing(issue.state) if m.on_timeout), None)
            if move is None:
                continue
            overdue = {"overdue_since": issue.due_at.isoformat() if issue.due_at else None}
            payload, text = _json_data("payload", overdue)
            try:
                fired.append(
                    self._apply(
                        compiled,
                        issue,
                        move,
                        actor=SYSTEM_CLOCK,
                        payload=payload,
                        payload_text=text,
                        now=when,
                    )
                )
            except RefusalError as refusal:
                log.info(
                    "deadline move %s on issue %s refused: %s", move.trigger, issue.id, refusal
                )
        return fired

    # --- internals -------------------------------------------------------------------------

    def _check_location(self, location: str | None) -> None:
        if location is not None and self.org is not None:
            self.org.unit(location)  # UnknownUnitError (an InvalidRequestError) if it is not

    def _refusal(self, issue: Issue, move: Transition, actor: Actor) -> RefusalError | None:
        return self._authorize(issue, move, actor)[0]

    def _authorize(
        self, issue: Issue, move: Transition, actor: Actor
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
            return self.authority.authorize(issue, move, actor)
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

    def _apply(  # noqa: PLR0912, PLR0915  (one pass over a move, in order: a helper per step would cost a call on every move)
        self,
        compiled: CompiledWorkflow,
        issue: Issue,
        move: Transition,
        *,
        actor: Actor,
        payload: Mapping[str, Any],
        payload_text: str,
        idempotency_key: str | None = None,
        now: datetime | None = None,
        acting_for: str | None = None,
    ) -> Event:
        when = now if now is not None else self.clock.now()
        before = issue
        if self._vetoes:
            for ref, reason in self.plugins.collect(
                "govflow_before_transition",
                issue=issue,
                transition=move,
                actor=actor,
                payload=payload,
                org=self.org,
            ):
                raise GuardFailedError(issue.id, move.trigger, f"plugin {ref.name}", str(reason))
        # Only guards and joint work read a context: most moves have neither, and build none.
        coordinated = move.coordinated
        context = (
            MoveContext(issue, move, actor, payload, when, self.org)
            if move.guards or coordinated
            else None
        )
        destination, branch = compiled.route(issue, move.trigger, context)
        decisions: list[tuple[str, PluginRef]] = []
        plan: Plan | None = None
        if coordinated or compiled.joins or (move.assigns and self._access):
            plan = coordinate(
                self, compiled, issue, move, actor, payload, destination, branch, when, decisions
            )
            issue = plan.issue  # routing, bodies and deadlines see the new location, category

        # Keys go in in sorted order, and each value's canonical form beside it, so that the
        # hash needs no sorting or conversion: canonical_mapping(changes) == tuple(canonical).
        changes: dict[str, Any] = {}
        canonical: list[tuple[str, Any]] = []
        assignees = issue.assignees
        if move.assigns:
            assignees = self._assignees(issue, move, actor, payload, decisions)
            changes["assignees"] = assignees
            canonical.append(("assignees", assignees))
        data = issue.data
        if self.org is not None and (destination != issue.state or move.relocate is not None):
            # Entering a gate: its bodies are resolved at the location and frozen into the log.
            frozen = self.authority.entering(issue, compiled.workflow, destination)
            if frozen is not None:
                data, data_text = _json_data("data", frozen)
                changes["data"] = data
                canonical.append(("data", data_text))
        due_at = self._deadline(compiled.workflow, issue, destination, when, decisions)
        if plan is not None:
            due_at, issue, assignees = plan.finish(self, move, assignees, due_at)
        handlers = issue.handlers
        if issue.state in compiled.processing and actor is not SYSTEM_CLOCK:
            # A unit acted for counts as a handler beside its person (conflict rules read it).
            added = tuple(h for h in (actor.id, acting_for) if h is not None and h not in handlers)
            if added:
                handlers = (*handlers, *added)
                changes["handlers"] = handlers
                canonical.append(("handlers", handlers))

        version = issue.version + 1
        if plan is not None and plan.changes:
            canonical = plan.merge_changes(changes, data)
        event = self._event(
            issue.id,
            version,
            move.trigger,
            issue.state,
            destination,
            actor.id,
            when,
            due_at,
            payload,
            payload_text,
            MappingProxyType(changes) if changes else EMPTY,
            tuple(canonical),
            compiled.plugin,
            decisions,
            issue.last_hash,
            acting_for,
        )
        moved = Issue(  # every field by name: attrs.evolve would take twice as long (bench)
            id=issue.id,
            workflow=issue.workflow,
            workflow_version=issue.workflow_version,
            state=destination,
            category=issue.category,
            location=issue.location,
            reporter=issue.reporter,
            opened_at=issue.opened_at,
            updated_at=when,
            due_at=due_at,
            assignees=assignees,
            handlers=handlers,
            data=data,
            version=version,
            joint=issue.joint,
            last_hash=event.hash,
        )
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
            if earlier is None or earlier.trigger != move.trigger or earlier.actor != actor.id:
                raise
            return earlier
        if plan is not None:
            plan.after_commit(self, moved, actor)
        if posted:
            self.ledgers.append(posted)
        self._notify(moved, before, event)
        return event

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

    def _deadline(
        self,
        workflow: Workflow,
        issue: Issue,
        state: str,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> datetime | None:
        spec = workflow.state(state)
        if spec.terminal:
            return None
        return self._due(issue, spec, entered_at, decisions)

    def _limit_deadline(
        self,
        issue: Issue,
        state: State,
        limit: timedelta,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> datetime | None:
        """When a task of ``limit`` started in ``state`` at ``entered_at`` falls due (a join's
        party): the deadline hook asked as for the state, with the task's limit."""
        return self._due(issue, attrs.evolve(state, time_limit=limit), entered_at, decisions)

    def _due(
        self,
        issue: Issue,
        spec: State,
        entered_at: datetime,
        decisions: list[tuple[str, PluginRef]],
    ) -> datetime | None:
        answer = self.plugins.first(
            "govflow_deadline", issue=issue, state=spec, entered_at=entered_at
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
        payload_text: str,
        changes: Mapping[str, Any],  # read-only: the event keeps it
        canonical_changes: tuple[tuple[str, Any], ...],
        plugin: PluginRef | None,
        decisions: Sequence[tuple[str, PluginRef]],
        previous_hash: str,
        acting_for: str | None = None,
    ) -> Event:
        shared, canonical_decisions = self._shared_decisions(decisions)
        digest = event_hash(
            issue_id,
            sequence,
            trigger,
            source,
            destination,
            actor,
            at,
            due_at,
            payload_text,
            canonical_changes,
            plugin,
            canonical_decisions,
            previous_hash,
            acting_for,
        )
        return Event(
            issue_id=issue_id,
            sequence=sequence,
            trigger=trigger,
            source=source,
            destination=destination,
            actor=actor,
            at=at,
            due_at=due_at,
            payload=payload,
            changes=changes,
            plugin=plugin,
            decisions=shared,
            previous_hash=previous_hash,
            hash=digest,
            acting_for=acting_for,
        )

    def _shared_decisions(
        self, decisions: Sequence[tuple[str, PluginRef]]
    ) -> tuple[Mapping[str, str], tuple[tuple[str, Any], ...]]:
        # Most moves make the same decisions by the same plugins: share one mapping (and its
        # canonical form) between all of them instead of one per event.
        if not decisions:
            return EMPTY, ()
        key = tuple(decisions)
        found = self._decisions_cache.get(key)
        if found is None:
            mapping = MappingProxyType({name: str(ref) for name, ref in decisions})
            found = self._decisions_cache[key] = (mapping, canonical_mapping(mapping))
        return found

    def _notify(self, issue: Issue, previous: Issue | None, event: Event) -> None:
        if not self._listeners:
            return
        if self._deferred is not None:
            self._deferred.append((issue, previous, event))
            return
        self.plugins.notify("govflow_after_transition", issue=issue, previous=previous, event=event)
