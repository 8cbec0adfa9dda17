"""Declarative workflow specs: states, transitions, and the rules that make a workflow valid.

A :class:`Workflow` is checked completely when it is constructed, so an engine never holds a
malformed one: every problem raises :class:`~govflow.errors.InvalidWorkflowError` naming the
state or transition at fault. Guards are named here and resolved when an engine compiles the
workflow (the registry of guards belongs to the engine, not to the spec).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType

import attrs

from govflow.errors import InvalidWorkflowError
from govflow.workflow.durations import Duration, parse_duration
from govflow.workflow.joins import (
    Branch,
    Join,
    Link,
    Update,
    _branches,
    _join,
    _links,
    _relocate,
    _updates,
)
from govflow.workflow.limits import (
    NO_POLICY,
    DeadlinePolicy,
    Limit,
    limits_from_data,
    policy_from_data,
)

#: The trigger name the engine uses for the event that opens an issue.
OPEN_TRIGGER = "open"
#: Triggers of the engine's own events that leave an issue in its state -- the deadline events
#: (预警, 办结时限 passed, 挂起, 延期) and ``erase``, the record of an erasure of personal data
#: (:meth:`govflow.Engine.erase`): no workflow may declare them, and figures do not count them
#: as moves.
DEADLINE_TRIGGERS = frozenset(
    {
        "warn",
        "overall_overdue",
        "pause",
        "resume",
        "request_extension",
        "extend",
        "refuse_extension",
        "erase",
    }
)


class StateKind(enum.StrEnum):
    """What a state means for accountability, independent of its local name.

    Projections such as "completed" or "on time" are computed from kinds, so they work across
    every local method.
    """

    OPEN = "open"  #: taken in, not yet being worked (collected, filed, awaiting dispatch)
    PROCESSING = "processing"  #: being worked by its assignees
    DELIBERATION = "deliberation"  #: a body is deliberating or voting on the matter
    FEEDBACK = "feedback"  #: the result has been reported back to the resident, awaiting judgement
    CLOSED = "closed"  #: completed (办结)
    CANCELLED = "cancelled"  #: not taken up, withdrawn, or stopped by a failed vote


TERMINAL_KINDS = frozenset({StateKind.CLOSED, StateKind.CANCELLED})


class Relation(enum.StrEnum):
    """A relation between the actor and the issue that a transition may require."""

    REPORTER = "reporter"  #: the actor reported the issue
    ASSIGNEE = "assignee"  #: the actor is one of the issue's assignees
    NOT_HANDLER = "not_handler"  #: the actor did not work the issue (separation of duties)


class Scope(enum.StrEnum):
    """Where the roles a transition names must be held (see :mod:`govflow.authority`).

    With an org graph, a role counts only as a post (role × unit) in a unit of the scope; without
    one, scopes are not checked (an explicit ``Actor(roles=...)`` counts anywhere).
    """

    #: in the issue's location or a unit whose jurisdiction covers it: a unit up its ``contains``
    #: chain, or a party unit leading one of them (the grid's branch, the community's 党委).
    LOCATION = "location"
    #: in a unit the issue is assigned to (the unit acts through the people holding its posts).
    ASSIGNED = "assigned"
    #: in a unit a plugin names for this issue and move (hook ``govflow_authority_units``).
    NAMED = "named"
    #: anywhere in the org graph: declared on purpose (a district-wide inspector).
    ANYWHERE = "anywhere"


class Channel(enum.StrEnum):
    """How an issue reaches the engine (see :class:`Opening`)."""

    IN_PERSON = "in_person"  #: the resident at a service window or meeting
    APP = "app"  #: the resident through an app or web form
    HOTLINE = "hotline"  #: a hotline operator on behalf of a caller (12345)
    PATROL = "patrol"  #: a grid patrol recording what it found or was told (每日巡)


#: Issue data key holding the reporter's contact details (name, phone, ID number, address).
PERSONAL_KEY = "personal"


def _channels(value: Iterable[Channel | str]) -> frozenset[Channel]:
    return frozenset(Channel(v) for v in value)


def _optional_duration(value: Duration | str | int | float | None) -> Duration | None:
    return None if value is None else parse_duration(value)


def _relations(value: Iterable[Relation | str]) -> frozenset[Relation]:
    return frozenset(Relation(v) for v in value)


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _roles(value: str | Iterable[str]) -> frozenset[str]:
    return frozenset(_names(value))


def _states(value: Iterable[State]) -> tuple[State, ...]:
    return tuple(value)


def _transitions(value: Iterable[Transition]) -> tuple[Transition, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Body:
    """A deliberating body resolved from the org graph when an issue enters a gate's state.

    ``key`` is the body's key in the issue's ``data["bodies"]``, where the engine freezes the
    composition it resolved (so the log says who was due); ``source`` names the resolver
    (``council``, ``party_unit`` or one a plugin registers with ``govflow_body_resolvers``);
    ``member_role`` keeps only members holding that post. ``supplied`` allows a composition
    given in the issue's data to stand instead (only where the method says the body is ad hoc).
    """

    key: str
    source: str
    member_role: str | None = None
    supplied: bool = False


@attrs.frozen(slots=True)
class Opening:
    """Who may open issues on a workflow, and through which channels.

    ``roles``: roles the opener must hold in ``scope`` of the issue's location (empty: anyone,
    as for a resident's complaint). ``channels``: the channels accepted (empty: any).
    ``proxy_roles``: roles someone needs to open on behalf of another person (a hotline
    operator for a caller, a patrol for the resident it met); the caller stays the reporter.
    """

    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    scope: Scope = attrs.field(default=Scope.LOCATION, converter=Scope)
    channels: frozenset[Channel] = attrs.field(default=frozenset(), converter=_channels)
    proxy_roles: frozenset[str] = attrs.field(
        default=frozenset({"operator", "grid_worker", "patrol"}), converter=_roles
    )


@attrs.frozen(slots=True)
class Privacy:
    """Which issue data is personal and who may read it.

    ``fields`` are top-level keys of the issue's data that hold personal information (by default
    :data:`PERSONAL_KEY`, where the reporter's contact details go, and the usual contact keys);
    they are left out of every read (and so of exports and reports, which read through the
    engine) unless the reader is the reporter or holds ``permission`` (a role) in scope of the
    issue's location: China's Personal Information Protection Law (个人信息保护法, PIPL) asks
    for access limited to those who need it.
    """

    fields: frozenset[str] = attrs.field(
        default=frozenset({PERSONAL_KEY, "reporter_name", "phone", "id_number", "address"}),
        converter=_roles,
    )
    permission: str = "personal_data"


def _bodies(value: Iterable[Body]) -> tuple[Body, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class State:
    """A state of a workflow.

    ``label`` is the human name (Chinese labels are expected: ``"信息收集"``). ``terminal``
    defaults to true for closed and cancelled kinds. ``time_limit`` starts counting when an issue
    enters the state; a transition marked ``on_timeout`` leaving the state is fired by
    :meth:`govflow.Engine.tick` once it has run out. ``timeout_exempt`` declares on purpose
    that an open state has no time limit (a deliberation that waits for a meeting, say).
    ``time_limit`` is natural time (``"3d"``) or working time (``"3wd"``, ``"8wh"``), counted by
    the engine's business calendar; ``limits`` refines it by category × urgency (see
    :mod:`govflow.workflow.limits`).
    """

    name: str
    label: str = ""
    kind: StateKind = attrs.field(default=StateKind.PROCESSING, converter=StateKind)
    terminal: bool = attrs.field()
    time_limit: Duration | None = attrs.field(default=None, converter=_optional_duration)
    timeout_exempt: bool = False
    #: the deliberating bodies that meet in this state, if it is a gate whose body comes from
    #: the org graph (see :class:`Body`): its own, and a following gate's it may merge with.
    bodies: tuple[Body, ...] = attrs.field(default=(), converter=_bodies)
    #: Parallel parties in this state and the rule that ends it (see :class:`Join`).
    join: Join | None = attrs.field(default=None, converter=_join)
    limits: tuple[Limit, ...] = attrs.field(default=(), converter=limits_from_data)

    @terminal.default
    def _terminal_from_kind(self) -> bool:
        return self.kind in TERMINAL_KINDS


@attrs.frozen(slots=True)
class Transition:
    """A move: ``trigger`` takes an issue from any of ``sources`` to ``destination``.

    Authorization: the actor needs one of ``roles`` (empty: anyone) and every relation in
    ``requires``. ``evaluation`` marks a move that judges the work (verifying, rating): the
    engine refuses it to anyone who handled the issue, whatever ``requires`` says. ``guards``
    name predicates registered with the engine; all must pass. ``assigns`` makes the move
    (re)assign the issue, from the payload's ``assignees`` or from the routing hook; with
    ``assign_role``, default routing hands it to the nearest holder of that role up the org
    graph from the issue's location (the grid worker of its grid, say).
    ``on_timeout`` makes it the move the deadline clock fires when its source's time limit runs
    out; unless it names ``roles``, nobody but the clock may fire it. ``scope`` says where the
    roles must be held when the engine has an org graph; ``conflicts`` names conflict-of-interest
    rules (``handling_unit``, ``reporter``, ``assignee`` or a plugin's) the actor must pass.
    A self-loop (source and destination the same: each department's report in joint work)
    keeps the state's running deadline unless ``restarts_deadline`` says it starts it again
    (a timeout self-loop, a reminder, always starts it again).
    """

    trigger: str
    sources: tuple[str, ...] = attrs.field(converter=_names)
    destination: str
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    requires: frozenset[Relation] = attrs.field(default=frozenset(), converter=_relations)
    guards: tuple[str, ...] = attrs.field(default=(), converter=_names)
    evaluation: bool = False
    assigns: bool = False
    assign_role: str | None = None
    on_timeout: bool = False
    label: str = ""
    #: where ``roles`` must be held when the engine has an org graph (:class:`Scope`).
    scope: Scope = attrs.field(default=Scope.LOCATION, converter=Scope)
    #: conflict-of-interest rules the actor must pass (names; see :mod:`govflow.authority`).
    conflicts: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    #: A party's report in a join state: it stays there until the join rule holds, then goes
    #: to ``destination`` (see :class:`~govflow.workflow.joins.Join`).
    reports: bool = False
    #: Guarded destinations tried before ``destination`` (see :class:`Branch`).
    branches: tuple[Branch, ...] = attrs.field(default=(), converter=_branches)
    #: Declared changes of category or data the move makes (see :class:`Update`).
    updates: tuple[Update, ...] = attrs.field(default=(), converter=_updates)
    #: How often the move may be fired per issue (None: unbounded), e.g. "rework at most once".
    max_times: int | None = None
    #: Child issues the move opens (see :class:`Link`).
    opens: tuple[Link, ...] = attrs.field(default=(), converter=_links)
    #: The link whose children must all have concluded before the move may fire.
    awaits: str | None = None
    #: Move the issue ``"up"`` to its location's parent unit (or to the payload's
    #: ``location``, a unit above the current one), or ``"down"`` to the payload's
    #: ``location`` (a unit below the current one).
    relocate: str | None = attrs.field(default=None, converter=_relocate)
    restarts_deadline: bool = False
    #: Every relation the engine enforces, in :class:`Relation` order: ``requires``, plus
    #: not-handler for evaluations. Computed once: the engine reads it on every move.
    relations: tuple[Relation, ...] = attrs.field(init=False, eq=False, repr=False)
    #: True if the move needs :mod:`govflow.joint` beyond an ordinary move (reports,
    #: branches, updates, a bound, links, relocation). Computed once, like ``relations``.
    coordinated: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.assign_role is not None and not self.assigns:
            raise InvalidWorkflowError(
                "?", f"transition {self.trigger!r}", "names an assign_role but does not assign"
            )
        enforced = self.requires | {Relation.NOT_HANDLER} if self.evaluation else self.requires
        object.__setattr__(self, "relations", tuple(r for r in Relation if r in enforced))
        coordinated = bool(
            self.reports
            or self.branches
            or self.updates
            or self.max_times is not None
            or self.opens
            or self.awaits is not None
            or self.relocate is not None
        )
        object.__setattr__(self, "coordinated", coordinated)
        if self.max_times is not None and (
            isinstance(self.max_times, bool)
            or not isinstance(self.max_times, int)
            or self.max_times < 1
        ):
            raise InvalidWorkflowError(
                "?",
                f"transition {self.trigger!r}",
                f"max_times must be ≥ 1, got {self.max_times!r}",
            )

    @property
    def destinations(self) -> tuple[str, ...]:
        """Every state the move may go to: its branches' destinations, then its own."""
        return (*(b.destination for b in self.branches), self.destination)


@attrs.frozen(slots=True)
class Workflow:
    """A complete, validated workflow: a named, versioned set of states and transitions.

    Construction validates everything a spec alone can show: unknown or duplicate states,
    duplicate ``(source, trigger)`` pairs, unreachable states, non-terminal dead ends, terminal
    states with ways out, and misplaced timeouts. Each problem raises
    :class:`~govflow.errors.InvalidWorkflowError` naming the offending element.
    """

    name: str
    states: tuple[State, ...] = attrs.field(converter=_states)
    transitions: tuple[Transition, ...] = attrs.field(converter=_transitions)
    initial: str
    version: int = 1
    label: str = ""
    #: who may open issues on it, and how (:class:`Opening`).
    opening: Opening = attrs.field(factory=Opening)
    #: which data is personal and who may read it (:class:`Privacy`).
    privacy: Privacy = attrs.field(factory=Privacy)
    #: Overall limit (办结时限), early warning, pause and extension rules.
    deadlines: DeadlinePolicy = attrs.field(default=NO_POLICY, converter=policy_from_data)
    _state_index: Mapping[str, State] = attrs.field(init=False, repr=False, eq=False)
    _move_index: Mapping[tuple[str, str], Transition] = attrs.field(
        init=False, repr=False, eq=False
    )
    _outgoing: Mapping[str, tuple[Transition, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        states, moves, outgoing = _validate(self)
        object.__setattr__(self, "_state_index", MappingProxyType(states))
        object.__setattr__(self, "_move_index", MappingProxyType(moves))
        object.__setattr__(self, "_outgoing", MappingProxyType(outgoing))

    @property
    def key(self) -> tuple[str, int]:
        """``(name, version)``: what identifies this workflow in an engine."""
        return (self.name, self.version)

    def state(self, name: str) -> State:
        """The state called ``name`` (``KeyError`` if there is none)."""
        return self._state_index[name]

    def has_state(self, name: str) -> bool:
        """True if the workflow declares a state called ``name``."""
        return name in self._state_index

    def transition(self, source: str, trigger: str) -> Transition | None:
        """The transition ``trigger`` fires from ``source``, or None."""
        return self._move_index.get((source, trigger))

    def outgoing(self, source: str) -> tuple[Transition, ...]:
        """The transitions leaving ``source``, in declaration order."""
        return self._outgoing.get(source, ())

    @property
    def triggers(self) -> frozenset[str]:
        """Every trigger the workflow declares."""
        return frozenset(t.trigger for t in self.transitions)

    @property
    def guard_names(self) -> frozenset[str]:
        """Every guard name the workflow's transitions use."""
        return frozenset(g for t in self.transitions for g in t.guards)

    @property
    def roles(self) -> frozenset[str]:
        """Every role named by a transition."""
        return frozenset(r for t in self.transitions for r in t.roles)

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Workflow:
        """Build a workflow from plain data; see :mod:`govflow.workflow.load`."""
        from govflow.workflow.load import workflow_from_dict  # noqa: PLC0415  (load imports spec)

        return workflow_from_dict(data)

    @classmethod
    def from_toml(cls, source: str | Path) -> Workflow:
        """Build a workflow from TOML text or a ``.toml`` file given as a Path."""
        from govflow.workflow.load import workflow_from_toml  # noqa: PLC0415  (load imports spec)

        return workflow_from_toml(source)

    def to_dict(self) -> dict[str, object]:
        """A plain-data form that :func:`govflow.workflow.load.workflow_from_dict` reads back."""
        from govflow.workflow.load import workflow_to_dict  # noqa: PLC0415  (load imports spec)

        return workflow_to_dict(self)


def _validate(
    wf: Workflow,
) -> tuple[dict[str, State], dict[tuple[str, str], Transition], dict[str, tuple[Transition, ...]]]:
    if not isinstance(wf.name, str) or not wf.name.strip():
        raise InvalidWorkflowError(repr(wf.name), "name", "a workflow needs a non-empty name")
    if not isinstance(wf.version, int) or wf.version < 1:
        raise InvalidWorkflowError(
            wf.name, "version", f"must be an integer ≥ 1, got {wf.version!r}"
        )
    if wf.opening.scope not in {Scope.LOCATION, Scope.ANYWHERE}:
        raise InvalidWorkflowError(
            wf.name, "opening", f"scope must be location or anywhere, not {wf.opening.scope}"
        )
    states = _index_states(wf)
    moves, outgoing = _index_moves(wf, states)
    _check_graph(wf, states, outgoing)
    return states, moves, outgoing


def _index_states(wf: Workflow) -> dict[str, State]:
    states: dict[str, State] = {}
    for state in wf.states:
        if not isinstance(state, State):
            raise InvalidWorkflowError(wf.name, repr(state), "is not a State")
        if not state.name:
            raise InvalidWorkflowError(wf.name, "state ''", "a state needs a name")
        if state.name in states:
            raise InvalidWorkflowError(wf.name, f"state {state.name!r}", "is declared twice")
        if state.terminal and state.time_limit is not None:
            raise InvalidWorkflowError(
                wf.name, f"state {state.name!r}", "is terminal and so cannot have a time limit"
            )
        if state.limits and state.time_limit is None:
            raise InvalidWorkflowError(
                wf.name, f"state {state.name!r}", "has a limits table but no default time_limit"
            )
        states[state.name] = state
    if not states:
        raise InvalidWorkflowError(wf.name, "states", "a workflow needs at least one state")
    if wf.initial not in states:
        raise InvalidWorkflowError(wf.name, f"initial state {wf.initial!r}", "is not declared")
    if not any(s.terminal for s in states.values()):
        raise InvalidWorkflowError(wf.name, "states", "no state is terminal")
    return states


def _check_move(wf: Workflow, states: Mapping[str, State], move: Transition) -> None:
    where = f"transition {move.trigger!r}"
    if not move.trigger or move.trigger == OPEN_TRIGGER or move.trigger in DEADLINE_TRIGGERS:
        raise InvalidWorkflowError(
            wf.name,
            where,
            f"trigger must be a non-empty name other than {OPEN_TRIGGER!r} and the deadline "
            f"triggers {sorted(DEADLINE_TRIGGERS)}",
        )
    if move.restarts_deadline and move.sources != (move.destination,):
        raise InvalidWorkflowError(
            wf.name, where, "restarts_deadline is for self-loops: any other move starts a clock"
        )
    if not move.sources:
        raise InvalidWorkflowError(wf.name, where, "has no source state")
    for destination in move.destinations:
        if destination not in states:
            raise InvalidWorkflowError(wf.name, where, f"goes to unknown state {destination!r}")
    for branch in move.branches:
        if branch.max_times is not None and branch.max_times < 1:
            raise InvalidWorkflowError(wf.name, where, "a branch's max_times must be ≥ 1")
    for source in move.sources:
        if source not in states:
            raise InvalidWorkflowError(wf.name, where, f"leaves unknown state {source!r}")
        if states[source].terminal:
            raise InvalidWorkflowError(
                wf.name, where, f"leaves terminal state {source!r}; terminal states are final"
            )
        if move.on_timeout and states[source].time_limit is None:
            raise InvalidWorkflowError(
                wf.name, where, f"fires on timeout but state {source!r} has no time limit"
            )
    _check_joint_move(wf, states, move)


def _check_joint_move(wf: Workflow, states: Mapping[str, State], move: Transition) -> None:
    where = f"transition {move.trigger!r}"
    if move.reports and (move.on_timeout or move.branches):
        raise InvalidWorkflowError(
            wf.name, where, "a report move cannot also fire on timeout or branch"
        )
    if move.reports and move.destination in move.sources:
        raise InvalidWorkflowError(
            wf.name,
            where,
            "a report stays in its join state until the rule holds: "
            "its destination is where the issue goes then, not the join state itself",
        )
    for source in move.sources:
        join = states[source].join
        if move.reports and join is None:
            raise InvalidWorkflowError(
                wf.name, where, f"reports a party's work but state {source!r} has no join"
            )
        if join is not None and move.trigger == join.overdue_trigger:
            raise InvalidWorkflowError(
                wf.name, where, f"is the trigger the clock uses for overdue parties in {source!r}"
            )


def _index_moves(
    wf: Workflow, states: Mapping[str, State]
) -> tuple[dict[tuple[str, str], Transition], dict[str, tuple[Transition, ...]]]:
    moves: dict[tuple[str, str], Transition] = {}
    outgoing: dict[str, list[Transition]] = {}
    for move in wf.transitions:
        if not isinstance(move, Transition):
            raise InvalidWorkflowError(wf.name, repr(move), "is not a Transition")
        _check_move(wf, states, move)
        for source in move.sources:
            if (source, move.trigger) in moves:
                raise InvalidWorkflowError(
                    wf.name,
                    f"transition {move.trigger!r}",
                    f"is declared twice from state {source!r}",
                )
            moves[(source, move.trigger)] = move
            outgoing.setdefault(source, []).append(move)
    for source, moves_out in outgoing.items():
        timeouts = [m.trigger for m in moves_out if m.on_timeout]
        if len(timeouts) > 1:
            raise InvalidWorkflowError(
                wf.name, f"state {source!r}", f"has more than one timeout transition: {timeouts}"
            )
    return moves, {source: tuple(ms) for source, ms in outgoing.items()}


def _check_graph(
    wf: Workflow, states: Mapping[str, State], outgoing: Mapping[str, tuple[Transition, ...]]
) -> None:
    reached = {wf.initial}
    frontier = [wf.initial]
    while frontier:
        for move in outgoing.get(frontier.pop(), ()):
            for destination in move.destinations:
                if destination not in reached:
                    reached.add(destination)
                    frontier.append(destination)
    links = {link.name for move in wf.transitions for link in move.opens}
    for move in wf.transitions:
        if move.awaits is not None and move.awaits not in links:
            raise InvalidWorkflowError(
                wf.name,
                f"transition {move.trigger!r}",
                f"awaits link {move.awaits!r}, which no transition opens (links: {sorted(links)})",
            )
    overdue = wf.deadlines.on_overdue
    if overdue is not None and overdue not in {move.trigger for move in wf.transitions}:
        raise InvalidWorkflowError(
            wf.name, "deadlines", f"on_overdue names trigger {overdue!r}, which no transition has"
        )
    for state in states.values():
        if state.name not in reached:
            raise InvalidWorkflowError(
                wf.name, f"state {state.name!r}", f"is unreachable from {wf.initial!r}"
            )
        if not state.terminal and state.name not in outgoing:
            raise InvalidWorkflowError(
                wf.name, f"state {state.name!r}", "is a dead end: not terminal and no way out"
            )


__all__ = [
    "DEADLINE_TRIGGERS",
    "OPEN_TRIGGER",
    "PERSONAL_KEY",
    "TERMINAL_KINDS",
    "Body",
    "Branch",
    "Channel",
    "Join",
    "Link",
    "Opening",
    "Privacy",
    "Relation",
    "Scope",
    "State",
    "StateKind",
    "Transition",
    "Update",
    "Workflow",
]
