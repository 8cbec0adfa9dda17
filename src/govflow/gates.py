"""Deliberation gates: meetings that must pass a matter, and public notices it must survive.

Local methods differ in *which* bodies deliberate, in what order, with what quorum and pass rule
-- 四议两公开 has four meetings and two public notices, 六事工作法 a residents' deliberation and a
decision meeting -- but not in how a vote works. This module holds that shared part as data:

* a :class:`Gate` is a meeting of a body: who is due (members of an org unit, or a list the
  issue carries), the fraction of them who must attend (:attr:`Gate.quorum`), the
  :class:`PassRule`, whether it may merge with the previous gate when the same people (or the
  same chair) sit on both, and where a failed vote goes (stop, or back to an earlier state);
* a :class:`Publication` is a public notice (公示) with a notice period: only the clock passes
  it, when the period has run out, so no step after it can come early; an objection may send the
  matter back;
* a :class:`GateSequence` compiles an ordered list of them into ordinary workflow
  :class:`~govflow.workflow.State` s, :class:`~govflow.workflow.Transition` s and named guards,
  to be placed inside a :class:`~govflow.workflow.Workflow`. The engine needs no special case.

A vote is one move whose payload carries the attendance and the ballots::

    {"gate": "review", "outcome": "passed",
     "attendees": ["m1", "m2", ...], "for": [...], "against": [...], "abstain": [...]}

so attendance and votes land in the audit log like any other event. The sequence's guards
recompute the :func:`tally` from that payload and the members due, so a caller who claims the
wrong outcome is refused. :meth:`GateSequence.record_vote` computes the outcome and fires the
matching trigger (``pass_<gate>``, ``fail_<gate>``, ``adjourn_<gate>`` when the meeting is
inquorate, ``merge_<gate>`` for a joint meeting of two gates).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from govflow.errors import InvalidRequestError, InvalidWorkflowError
from govflow.workflow.durations import parse_duration
from govflow.workflow.machine import Guard, MoveContext
from govflow.workflow.spec import Body, Scope, State, StateKind, Transition

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.org.graph import OrgGraph
    from govflow.records import Actor, Event, Issue

#: ``on_fail`` / ``on_objection`` value meaning: the matter stops (goes to the sequence's stop
#: state).
STOP = "stop"

#: Issue data key holding the composition of the bodies that deliberate on this issue.
BODIES_KEY = "bodies"

#: :attr:`Gate.body` meaning the body of the unit the issue is located at now: a council that
#: follows a matter moved up or down the levels (一会五步's 小区, 社区 and 街道 councils).
AT_LOCATION = "@location"


def _fraction(value: Fraction | str | float) -> Fraction:
    try:
        result = Fraction(value)
    except (ValueError, TypeError, ZeroDivisionError):
        raise InvalidWorkflowError("-", "fraction", f"{value!r} is not a fraction") from None
    if not 0 <= result <= 1:
        raise InvalidWorkflowError("-", "fraction", f"{value!r} is not between 0 and 1")
    return result


class Base(enum.StrEnum):
    """What a pass rule counts against."""

    ATTENDEES = "attendees"  #: those present at the meeting (到会人员)
    MEMBERS = "members"  #: every member due to attend (应到人员)


def _roles(roles: Iterable[str]) -> frozenset[str]:
    # A typed converter: with the bare ``frozenset`` mypy's attrs plugin cannot type the
    # argument, and a plugin's ``roles={"..."}`` fails strict type checking.
    return frozenset(roles)


@attrs.frozen(slots=True)
class PassRule:
    """A motion passes when the votes for it are more than (``strict``) or at least
    ``fraction`` of the ``base``.

    "过半数" is ``PassRule(Base.ATTENDEES)``; "应到人员过半数" is ``PassRule(Base.MEMBERS)``;
    "三分之二以上" is ``PassRule(Base.ATTENDEES, "2/3", strict=False)``.
    """

    base: Base = attrs.field(default=Base.ATTENDEES, converter=Base)
    fraction: Fraction = attrs.field(default=Fraction(1, 2), converter=_fraction)
    strict: bool = True

    def passes(self, votes_for: int, attendees: int, members: int) -> bool:
        """True if ``votes_for`` votes pass the motion given the attendance and membership."""
        base = attendees if self.base is Base.ATTENDEES else members
        needed = self.fraction * base
        return votes_for > needed if self.strict else votes_for >= needed

    def __str__(self) -> str:
        more = "more than" if self.strict else "at least"
        return f"{more} {self.fraction} of {self.base}"


#: More than half of those present (过半数).
MAJORITY_OF_ATTENDEES = PassRule(Base.ATTENDEES)
#: More than half of all members due, present or not (应到人员过半数).
MAJORITY_OF_MEMBERS = PassRule(Base.MEMBERS)


class MergeRule(enum.StrEnum):
    """When a gate may be held jointly with the previous one."""

    SAME_MEMBERS = "same_members"  #: both bodies have exactly the same members due
    SAME_CHAIR = "same_chair"  #: one person chairs both bodies (e.g. 书记、主任"一肩挑")


@attrs.frozen(slots=True)
class Gate:
    """A meeting of ``body`` that must pass the matter before the next step.

    :param name: the workflow state the matter waits in until the meeting votes.
    :param body: which body meets: a key of the issue's ``data["bodies"]`` (whose value is a
        list of member ids, an org unit id, or ``{"members": [...], "chair": id}`` /
        ``{"unit": id, "chair": id}``), else an org unit id of the engine's org graph, or
        :data:`AT_LOCATION`: the members of the unit the issue is located at when it votes.
    :param quorum: the fraction of members due who must attend for the meeting to vote: at
        least that fraction ("三分之二以上", ``"2/3"``), or more than it with ``quorum_strict``
        ("过半数", ``"1/2"`` strict: 村民会议 needs more than half of the villagers).
    :param pass_rule: what the votes for must reach.
    :param merge: if set, the gate may be held in one joint meeting with the previous gate
        when this rule holds (the merged vote must pass both gates' rules).
    :param on_fail: :data:`STOP`, or the name of an earlier state the matter returns to.
    :param roles: roles allowed to record the vote (the meeting's convener or clerk).
    :param member_role: with an org unit body, only members holding this post are due.
    :param time_limit: optional time to hold the meeting; without one the state is timeout
        exempt (it waits for the meeting).
    :param source: with an org graph, resolve the body at the issue's location with this
        resolver (``council``, ``party_unit`` or a plugin's, see :mod:`govflow.authority.bodies`)
        when the gate opens, and freeze it into the log under ``data["bodies"][body]``; a body
        supplied in the issue's data is then refused, unless ``supplied``.
    :param supplied: allow a composition supplied in the issue's data to stand (an ad hoc
        body the method lets the organizers name).
    :param scope: where ``roles`` must be held (:class:`~govflow.workflow.spec.Scope`).
    """

    name: str
    label: str = ""
    body: str = ""
    quorum: Fraction = attrs.field(default=Fraction(1, 2), converter=_fraction)
    pass_rule: PassRule = MAJORITY_OF_ATTENDEES
    merge: MergeRule | None = attrs.field(
        default=None, converter=attrs.converters.optional(MergeRule)
    )
    on_fail: str = STOP
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    member_role: str | None = None
    time_limit: timedelta | None = attrs.field(
        default=None, converter=attrs.converters.optional(parse_duration)
    )
    source: str | None = None
    supplied: bool = False
    scope: Scope = attrs.field(default=Scope.LOCATION, converter=Scope)
    quorum_strict: bool = False

    @property
    def resolved_body(self) -> Body | None:
        """The :class:`~govflow.workflow.spec.Body` the gate's state declares, if it has a
        ``source``."""
        if self.source is None:
            return None
        return Body(self.body, self.source, self.member_role, self.supplied)


@attrs.frozen(slots=True)
class Publication:
    """A public notice (公示) of ``period``: the deadline clock passes it when the period ends.

    :param on_objection: None if objections are not handled by the workflow, else :data:`STOP`
        or the name of an earlier state an objection (with a reason) sends the matter back to.
    :param roles: roles allowed to lodge an objection (empty: anyone, e.g. any resident).
    :param kind: the state's kind: a deliberation by default; a notice publishing the *result*
        of the work to the residents (结果公开) is their feedback, :attr:`StateKind.FEEDBACK`.
    """

    name: str
    label: str = ""
    period: timedelta = attrs.field(default=timedelta(days=5), converter=parse_duration)
    on_objection: str | None = None
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=_roles)
    kind: StateKind = attrs.field(default=StateKind.DELIBERATION, converter=StateKind)


Step = Gate | Publication


def _step_tuple(steps: Iterable[Step]) -> tuple[Step, ...]:
    # A typed converter: with the bare ``tuple`` mypy's attrs plugin cannot type the argument.
    return tuple(steps)


class Outcome(enum.StrEnum):
    """What a meeting came to."""

    PASSED = "passed"
    FAILED = "failed"
    INQUORATE = "inquorate"  #: too few attended: no vote was possible (the meeting adjourns)


@attrs.frozen(slots=True)
class Tally:
    """The count of one meeting against the members due; :attr:`outcome` says what it came to."""

    members: frozenset[str]
    attendees: frozenset[str]
    votes_for: frozenset[str]
    against: frozenset[str]
    abstain: frozenset[str]
    quorum_met: bool
    passed: bool

    @property
    def outcome(self) -> Outcome:
        """Inquorate, passed or failed."""
        if not self.quorum_met:
            return Outcome.INQUORATE
        return Outcome.PASSED if self.passed else Outcome.FAILED


def _ids(what: str, value: Any) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidRequestError(f"{what} must be a list of member ids, got {value!r}")
    items = list(value)
    if not all(isinstance(v, str) and v for v in items):
        raise InvalidRequestError(f"{what} must be a list of member ids, got {items!r}")
    if len(set(items)) != len(items):
        raise InvalidRequestError(f"{what} names someone twice: {items!r}")
    return frozenset(items)


def tally(
    members: Iterable[str],
    attendees: Iterable[str],
    votes_for: Iterable[str],
    against: Iterable[str] = (),
    abstain: Iterable[str] = (),
    *,
    quorum: Fraction | str | float = Fraction(1, 2),
    rule: PassRule = MAJORITY_OF_ATTENDEES,
    strict_quorum: bool = False,
) -> Tally:
    """Count a meeting: is it quorate (attendees ≥ ``quorum`` × members, or > with
    ``strict_quorum``), does ``rule`` pass?

    :raises InvalidRequestError: if someone attends who is not a member due, someone votes who
        did not attend, someone votes twice, or there are no members due at all.
    """
    due = _ids("members", members)
    present = _ids("attendees", attendees)
    yes, no, blank = _ids("for", votes_for), _ids("against", against), _ids("abstain", abstain)
    if not due:
        raise InvalidRequestError("no members are due at this meeting")
    if not present <= due:
        raise InvalidRequestError(f"attendees {sorted(present - due)} are not members due")
    voters = [yes, no, blank]
    for ballot in voters:
        if not ballot <= present:
            raise InvalidRequestError(f"{sorted(ballot - present)} voted without attending")
    if (yes & no) or (yes & blank) or (no & blank):
        raise InvalidRequestError(
            f"{sorted((yes & no) | (yes & blank) | (no & blank))} voted twice"
        )
    needed = _fraction(quorum) * len(due)
    quorum_met = len(present) > needed if strict_quorum else len(present) >= needed
    passed = quorum_met and rule.passes(len(yes), len(present), len(due))
    return Tally(due, present, yes, no, blank, quorum_met, passed)


@attrs.frozen(slots=True)
class Composition:
    """Who sits on a body for one issue: the members due and, if known, the chair."""

    members: tuple[str, ...]
    chair: str | None = None


def _unit_members(org: OrgGraph, unit: str, role: str | None) -> tuple[str, ...]:
    posts = org.members(unit) if role is None else org.members(unit, role)
    seen: dict[str, None] = {}
    for post in posts:
        seen.setdefault(post.person.id, None)
    return tuple(seen)


def composition(gate: Gate, issue: Issue, org: OrgGraph | None) -> Composition | None:
    """The body of ``gate`` for ``issue``: from the issue's ``data["bodies"]`` if it names the
    body, else from the org graph if ``gate.body`` is a unit there; None if neither knows."""
    bodies = issue.data.get(BODIES_KEY)
    entry = bodies.get(gate.body) if isinstance(bodies, Mapping) else None
    chair: str | None = None
    if isinstance(entry, Mapping):
        chair = entry.get("chair") if isinstance(entry.get("chair"), str) else None
        entry = entry.get("members", entry.get("unit"))
    if isinstance(entry, list | tuple):
        return Composition(tuple(dict.fromkeys(str(m) for m in entry)), chair)
    unit: str | None = entry if isinstance(entry, str) else gate.body
    if unit == AT_LOCATION:
        unit = issue.location
    if org is not None and unit is not None and unit in org:
        return Composition(_unit_members(org, unit, gate.member_role), chair)
    return None


def joint_tally(
    gates: Sequence[Gate],
    issue: Issue,
    org: OrgGraph | None,
    attendees: Iterable[str],
    *,
    votes_for: Iterable[str] = (),
    against: Iterable[str] = (),
    abstain: Iterable[str] = (),
) -> Tally:
    """Count one meeting for every gate in ``gates`` and return the deciding tally: the first
    that did not pass, else the last.

    A joint meeting (两会合并召开) counts, for each gate, only the people who sit on that
    gate's body; everyone present must sit on at least one of them.

    :raises InvalidRequestError: a body's members are unknown, or the ballots are malformed.
    """
    lists = [
        _ids(what, value)
        for what, value in (
            ("attendees", attendees),
            ("for", votes_for),
            ("against", against),
            ("abstain", abstain),
        )
    ]
    bodies = []
    for gate in gates:
        body = composition(gate, issue, org)
        if body is None:
            raise InvalidRequestError(
                f"issue {issue.id!r}: members of body {gate.body!r} are unknown (give them "
                f"in data['{BODIES_KEY}'] or make it an org unit)"
            )
        bodies.append(frozenset(body.members))
    if len(gates) > 1:
        strangers = lists[0] - frozenset().union(*bodies)
        if strangers:
            raise InvalidRequestError(f"attendees {sorted(strangers)} sit on none of the bodies")
    result: Tally | None = None
    for gate, members in zip(gates, bodies, strict=True):
        mine = [ids & members for ids in lists] if len(gates) > 1 else lists
        counted = tally(
            members,
            *mine,
            quorum=gate.quorum,
            rule=gate.pass_rule,
            strict_quorum=gate.quorum_strict,
        )
        if result is None or result.outcome is Outcome.PASSED:
            result = counted
    assert result is not None  # gates is never empty
    return result


def _payload_tally(gates: Sequence[Gate], context: MoveContext) -> Tally | None:
    """The tally of the payload's vote, or None if the payload or a body is unusable."""
    payload = context.payload
    try:
        return joint_tally(
            gates,
            context.issue,
            context.org,
            payload.get("attendees", ()),
            votes_for=payload.get("for", ()),
            against=payload.get("against", ()),
            abstain=payload.get("abstain", ()),
        )
    except InvalidRequestError:
        return None


def _mergeable(previous: Gate, gate: Gate, issue: Issue, org: OrgGraph | None) -> bool:
    first, second = composition(previous, issue, org), composition(gate, issue, org)
    if first is None or second is None:
        return False
    if gate.merge is MergeRule.SAME_MEMBERS:
        return set(first.members) == set(second.members)
    return first.chair is not None and first.chair == second.chair


@attrs.frozen(slots=True)
class GateSequence:
    """An ordered sequence of gates and public notices, compiled into workflow parts.

    :param name: prefixes the sequence's guard names (guard names are global to an engine).
    :param steps: the gates and publications, in order; the matter enters the first.
    :param then: the state the matter goes to once every step is passed.
    :param stop: the (cancelled-kind) state a failed vote or objection with :data:`STOP` ends in.

    Put :attr:`states` and :attr:`transitions` into a :class:`~govflow.workflow.Workflow`
    (which must declare ``then`` and ``stop``), move the matter into :attr:`entry`, and register
    :meth:`guards` from the plugin (``govflow_guards``).
    """

    name: str
    steps: tuple[Step, ...] = attrs.field(converter=_step_tuple)
    then: str
    stop: str

    def __attrs_post_init__(self) -> None:
        if not self.steps:
            raise InvalidWorkflowError(self.name, "steps", "a gate sequence needs a step")
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            where = f"step {step.name!r}"
            if step.name in seen:
                raise InvalidWorkflowError(self.name, where, "is declared twice")
            back = step.on_fail if isinstance(step, Gate) else step.on_objection
            in_sequence = {s.name for s in self.steps}
            if back not in (None, STOP) and back in in_sequence and back not in seen:
                raise InvalidWorkflowError(
                    self.name, where, f"can only go back to an earlier step, not to {back!r}"
                )
            seen.add(step.name)
            if isinstance(step, Gate) and step.merge is not None:
                previous = self.steps[index - 1] if index else None
                if not isinstance(previous, Gate):
                    raise InvalidWorkflowError(
                        self.name, where, "may merge only with a gate right before it"
                    )
                if previous.merge is not None:
                    raise InvalidWorkflowError(
                        self.name, where, "merges with a gate that merges itself; chain of merges"
                    )

    @property
    def entry(self) -> str:
        """The state a matter enters the sequence by."""
        return self.steps[0].name

    def step(self, name: str) -> Step:
        """The step called ``name`` (``KeyError`` if none)."""
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def _after(self, index: int) -> str:
        return self.steps[index + 1].name if index + 1 < len(self.steps) else self.then

    def _back(self, target: str) -> str:
        return self.stop if target == STOP else target

    def guard_name(self, step: str, what: str) -> str:
        """The registered name of the guard checking ``what`` at ``step``."""
        return f"{self.name}:{step}:{what}"

    @property
    def states(self) -> tuple[State, ...]:
        """One state per step: a deliberation (or, for a result notice, feedback) state."""
        out = []
        for index, step in enumerate(self.steps):
            if isinstance(step, Gate):
                following = self.steps[index + 1] if index + 1 < len(self.steps) else None
                # a gate that may be held jointly with the next convenes both bodies
                joint = following if isinstance(following, Gate) and following.merge else None
                bodies = [g.resolved_body for g in (step, joint) if g is not None]
                out.append(
                    State(
                        step.name,
                        step.label,
                        StateKind.DELIBERATION,
                        time_limit=step.time_limit,
                        timeout_exempt=step.time_limit is None,
                        bodies=tuple(b for b in bodies if b is not None),
                    )
                )
            else:
                out.append(State(step.name, step.label, step.kind, time_limit=step.period))
        return tuple(out)

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """The vote, adjournment, merge, notice and objection moves of every step."""
        out: list[Transition] = []
        for index, step in enumerate(self.steps):
            after = self._after(index)
            if isinstance(step, Gate):
                label = step.label or step.name
                out += [
                    Transition(
                        f"pass_{step.name}",
                        step.name,
                        after,
                        roles=step.roles,
                        scope=step.scope,
                        guards=self.guard_name(step.name, "passed"),
                        label="通过",
                    ),
                    Transition(
                        f"fail_{step.name}",
                        step.name,
                        self._back(step.on_fail),
                        roles=step.roles,
                        scope=step.scope,
                        guards=self.guard_name(step.name, "failed"),
                        label="未通过",
                    ),
                    Transition(
                        f"adjourn_{step.name}",
                        step.name,
                        step.name,
                        roles=step.roles,
                        scope=step.scope,
                        guards=self.guard_name(step.name, "inquorate"),
                        label="不足法定人数, 休会",
                    ),
                ]
                if step.merge is not None:
                    previous = self.steps[index - 1]
                    out.append(
                        Transition(
                            f"merge_{step.name}",
                            previous.name,
                            after,
                            roles=step.roles | previous.roles,
                            scope=step.scope,
                            guards=self.guard_name(step.name, "merged"),
                            label=f"与{label}合并召开, 通过",
                        )
                    )
            else:
                out.append(
                    Transition(
                        f"publicize_{step.name}",
                        step.name,
                        after,
                        on_timeout=True,
                        label="公示期满",
                    )
                )
                if step.on_objection is not None:
                    out.append(
                        Transition(
                            f"object_{step.name}",
                            step.name,
                            self._back(step.on_objection),
                            roles=step.roles,
                            guards=self.guard_name(step.name, "objection"),
                            label="有异议",
                        )
                    )
        return tuple(out)

    def guards(self) -> dict[str, Guard]:
        """The named guards the sequence's transitions use; register them from a plugin."""
        out: dict[str, Guard] = {}
        for index, step in enumerate(self.steps):
            if isinstance(step, Gate):
                out[self.guard_name(step.name, "passed")] = _outcome_guard(
                    step, (step,), Outcome.PASSED
                )
                out[self.guard_name(step.name, "failed")] = _outcome_guard(
                    step, (step,), Outcome.FAILED
                )
                out[self.guard_name(step.name, "inquorate")] = _outcome_guard(
                    step, (step,), Outcome.INQUORATE
                )
                if step.merge is not None:
                    previous = self.steps[index - 1]
                    assert isinstance(previous, Gate)  # checked at construction
                    out[self.guard_name(step.name, "merged")] = _merge_guard(previous, step)
            elif step.on_objection is not None:
                out[self.guard_name(step.name, "objection")] = _objection_guard
        return out

    def record_vote(
        self,
        engine: Engine,
        issue_id: str,
        *,
        actor: Actor | str,
        attendees: Iterable[str],
        votes_for: Iterable[str] = (),
        against: Iterable[str] = (),
        abstain: Iterable[str] = (),
        merged: bool = False,
        idempotency_key: str | None = None,
    ) -> Event:
        """Record the meeting the issue's current gate is waiting for, and move accordingly.

        Counts the vote against the members due and fires ``pass_``, ``fail_`` or ``adjourn_``
        of the gate; with ``merged=True``, the meeting is the joint meeting of the current gate
        and the next (which must allow merging): it fires ``merge_<next>`` when the vote passes
        both; when it does not, the meeting counts as the current gate's own (its members'
        attendance and ballots only) and the next gate, if reached, meets alone. The guards
        count again, so the event stands only if the count is right.

        :raises InvalidRequestError: the issue is not at a gate of this sequence, the body's
            members are unknown, or the ballots are malformed. Nothing changes.
        """
        issue = engine.get(issue_id)
        current = next((s for s in self.steps if s.name == issue.state), None)
        if not isinstance(current, Gate):
            raise InvalidRequestError(
                f"issue {issue_id!r} is in {issue.state!r}, not at a gate of {self.name!r}"
            )
        lists = {
            "attendees": _ids("attendees", attendees),
            "for": _ids("for", votes_for),
            "against": _ids("against", against),
            "abstain": _ids("abstain", abstain),
        }
        gates: tuple[Gate, ...] = (current,)
        if merged:
            index = self.steps.index(current)
            following = self.steps[index + 1] if index + 1 < len(self.steps) else None
            if not isinstance(following, Gate) or following.merge is None:
                raise InvalidRequestError(f"{current.name!r} cannot merge with the next step")
            gates = (current, following)
        counted = self._count(gates, issue, engine.org, lists)
        if merged and counted.outcome is Outcome.PASSED:
            trigger = f"merge_{gates[-1].name}"
        else:
            if merged:
                # The joint meeting did not carry both gates: it counts as the current gate's
                # own meeting (its members' attendance and ballots); the next gate meets alone.
                body = composition(current, issue, engine.org)
                mine = frozenset(() if body is None else body.members)
                lists = {key: ids & mine for key, ids in lists.items()}
                gates = (current,)
                counted = self._count(gates, issue, engine.org, lists)
            verb = {Outcome.PASSED: "pass", Outcome.FAILED: "fail"}.get(counted.outcome, "adjourn")
            trigger = f"{verb}_{current.name}"
        payload: dict[str, Any] = {
            "gate": "+".join(g.name for g in gates),
            "outcome": str(counted.outcome),
            **{key: sorted(ids) for key, ids in lists.items()},
        }
        return engine.fire(
            issue_id, trigger, actor=actor, payload=payload, idempotency_key=idempotency_key
        )

    @staticmethod
    def _count(
        gates: Sequence[Gate],
        issue: Issue,
        org: OrgGraph | None,
        lists: Mapping[str, frozenset[str]],
    ) -> Tally:
        return joint_tally(
            gates,
            issue,
            org,
            lists["attendees"],
            votes_for=lists["for"],
            against=lists["against"],
            abstain=lists["abstain"],
        )


def _outcome_guard(gate: Gate, gates: tuple[Gate, ...], wanted: Outcome) -> Guard:
    def check(context: MoveContext) -> bool:
        counted = _payload_tally(gates, context)
        return (
            counted is not None
            and counted.outcome is wanted
            and context.payload.get("outcome") == str(wanted)
        )

    check.__name__ = f"gate_{gate.name}_{wanted}"
    return check


def _merge_guard(previous: Gate, gate: Gate) -> Guard:
    both = _outcome_guard(gate, (previous, gate), Outcome.PASSED)

    def check(context: MoveContext) -> bool:
        return _mergeable(previous, gate, context.issue, context.org) and both(context)

    check.__name__ = f"gate_{gate.name}_merged"
    return check


def _objection_guard(context: MoveContext) -> bool:
    reason = context.payload.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


__all__ = [
    "AT_LOCATION",
    "BODIES_KEY",
    "MAJORITY_OF_ATTENDEES",
    "MAJORITY_OF_MEMBERS",
    "STOP",
    "Base",
    "Composition",
    "Gate",
    "GateSequence",
    "MergeRule",
    "Outcome",
    "PassRule",
    "Publication",
    "Tally",
    "composition",
    "joint_tally",
    "tally",
]
