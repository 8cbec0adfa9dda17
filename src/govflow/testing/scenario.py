"""Scenario: drive one issue through an engine the way the seed procedures read.

::

    scenario = Scenario(engine, "closed-loop", actors={"resident": resident, "clerk": clerk})
    (scenario.as_("resident").open()
        .as_("clerk").fire("file")
        .assert_state("filed")
        .assert_refused("dispatch", error=PermissionDeniedError))

Every assertion raises :class:`AssertionError` with the issue's history, so a failing test
shows the route the issue actually took.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

from govflow.clock import ManualClock
from govflow.engine import Engine
from govflow.errors import RefusalError
from govflow.records import Actor, Event, Issue


def _actor(alias: str, value: Actor | str) -> Actor:
    if isinstance(value, Actor):
        return value
    if isinstance(value, str):
        return Actor(value)
    raise TypeError(f"actor {alias!r} must be an Actor or an id, got {value!r}")


def format_history(events: Sequence[Event]) -> str:
    """One line per event: ``#1 file: collected -> filed by clerk {payload}``."""
    lines = []
    for event in events:
        payload = f" {dict(event.payload)}" if event.payload else ""
        source = event.source if event.source is not None else "∅"
        lines.append(
            f"  #{event.sequence} {event.trigger}: {source} -> {event.destination} "
            f"by {event.actor}{payload}"
        )
    return "\n".join(lines) or "  (no events)"


class Scenario:
    """One issue, a cast of actors by alias, and fluent moves and assertions.

    :param engine: the engine to drive.
    :param issue_or_workflow: an issue already opened, or the name of the workflow that
        :meth:`open` will open one on.
    :param actors: aliases (``"resident"``) to :class:`~govflow.Actor` objects (or to bare ids,
        meaning actors with no roles).
    """

    def __init__(
        self,
        engine: Engine,
        issue_or_workflow: Issue | str,
        actors: Mapping[str, Actor | str] | None = None,
    ) -> None:
        self.engine = engine
        self.actors: dict[str, Actor] = {k: _actor(k, v) for k, v in (actors or {}).items()}
        self._actor: Actor | None = None
        self.last_error: RefusalError | None = None
        if isinstance(issue_or_workflow, Issue):
            self.workflow = issue_or_workflow.workflow
            self._issue_id: str | None = issue_or_workflow.id
        else:
            self.workflow = issue_or_workflow
            self._issue_id = None

    # --- reading ---------------------------------------------------------------------------

    @property
    def issue(self) -> Issue:
        """The issue as it stands now."""
        if self._issue_id is None:
            raise AssertionError(f"no issue opened yet on {self.workflow!r}: call open() first")
        return self.engine.get(self._issue_id)

    @property
    def history(self) -> tuple[Event, ...]:
        """The issue's events, oldest first."""
        return self.engine.history(self.issue.id)

    @property
    def actor(self) -> Actor:
        """The actor the next move is made as."""
        if self._actor is None:
            raise AssertionError("no actor chosen: call as_(alias) first")
        return self._actor

    def path(self) -> list[str]:
        """The states the issue has been in, from its initial state to now."""
        return [event.destination for event in self.history]

    def _explain(self, message: str) -> AssertionError:
        if self._issue_id is None:
            return AssertionError(message)
        issue = self.issue
        return AssertionError(
            f"{message}\nissue {issue.id!r} on {issue.workflow!r} is in {issue.state!r}; "
            f"history:\n{format_history(self.history)}"
        )

    # --- moving ----------------------------------------------------------------------------

    def as_(self, alias: str) -> Self:
        """Make the next moves as the actor known by ``alias``."""
        try:
            self._actor = self.actors[alias]
        except KeyError:
            raise AssertionError(
                f"no actor called {alias!r}; the cast is {sorted(self.actors)}"
            ) from None
        return self

    def open(self, *, reporter: str | None = None, **fields: Any) -> Self:
        """Open the issue, reported by the current actor (or the actor aliased ``reporter``).

        ``fields`` go to :meth:`govflow.Engine.open` (``location``, ``category``, ``data``...).
        """
        if self._issue_id is not None:
            raise AssertionError(f"the scenario's issue {self._issue_id!r} is open already")
        who = self.actors[reporter] if reporter is not None else self.actor
        self._issue_id = self.engine.open(self.workflow, reporter=who, **fields).id
        return self

    def fire(self, trigger: str, payload: Mapping[str, Any] | None = None, **fields: Any) -> Self:
        """Fire ``trigger`` as the current actor; the payload is ``payload`` plus ``fields``.

        A refusal propagates as the engine raised it (use :meth:`assert_refused` to expect one).
        """
        self.engine.fire(
            self.issue.id, trigger, actor=self.actor, payload={**(payload or {}), **fields}
        )
        return self

    def tick(self) -> Self:
        """Let the engine fire the deadline moves that are due."""
        self.engine.tick()
        return self

    def advance(self, **amount: float) -> Self:
        """Move the engine's :class:`~govflow.ManualClock` forward, then :meth:`tick`."""
        clock = self.engine.clock
        if not isinstance(clock, ManualClock):
            raise TypeError(f"advance() needs an engine with a ManualClock, not {clock!r}")
        clock.advance(**amount)
        return self.tick()

    # --- asserting -------------------------------------------------------------------------

    def assert_state(self, state: str) -> Self:
        """The issue is in ``state`` now."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        if self.issue.state != state:
            raise self._explain(f"expected state {state!r}, found {self.issue.state!r}")
        return self

    def assert_path(self, states: Sequence[str]) -> Self:
        """The issue has been, in order, in exactly ``states`` (initial state first)."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        path = self.path()
        if path != list(states):
            raise self._explain(f"expected path {list(states)}, found {path}")
        return self

    def assert_available(self, *triggers: str) -> Self:
        """The current actor may fire exactly ``triggers`` now (guards aside)."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        found = self.engine.available_triggers(self.issue.id, self.actor)
        if sorted(found) != sorted(triggers):
            raise self._explain(
                f"{self.actor.id!r} can fire {sorted(found)}, expected {sorted(triggers)}"
            )
        return self

    def assert_refused(
        self,
        trigger: str,
        payload: Mapping[str, Any] | None = None,
        *,
        error: type[RefusalError] = RefusalError,
        match: str | None = None,
        **fields: Any,
    ) -> Self:
        """Firing ``trigger`` as the current actor is refused with ``error`` -- and changes
        nothing: the issue and its history are exactly as before. ``match`` must occur in the
        error's message if given. The error is kept in :attr:`last_error`."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        before, history = self.issue, self.history
        try:
            self.fire(trigger, payload, **fields)
        except RefusalError as refusal:
            if not isinstance(refusal, error):
                raise self._explain(
                    f"{trigger!r} was refused with {type(refusal).__name__} ({refusal}), "
                    f"expected {error.__name__}"
                ) from refusal
            if match is not None and match not in str(refusal):
                raise self._explain(
                    f"{trigger!r} was refused, but {match!r} is not in the message: {refusal}"
                ) from refusal
            self.last_error = refusal
        else:
            raise self._explain(
                f"expected {trigger!r} by {self.actor.id!r} to be refused with "
                f"{error.__name__}, but it was accepted"
            )
        if self.issue != before or len(self.history) != len(history):
            raise self._explain(f"the refused {trigger!r} changed the issue (was {before!r})")
        return self

    # --- joint work ------------------------------------------------------------------------

    def summon(self, trigger: str, *parties: str, **fields: Any) -> Self:
        """Fire ``trigger`` as the current actor, summoning ``parties`` into a join state
        (the payload's ``parties``; give ``parties=[{"id": ..., "limit": "1d"}]`` in
        ``fields`` instead for parties with their own limits)."""
        payload = {"parties": list(parties)} if parties else {}
        return self.fire(trigger, {**payload, **fields})

    def report(self, alias: str, trigger: str = "report", **fields: Any) -> Self:
        """Make the actor known by ``alias`` report its party's work (``outcome=...``...)."""
        return self.as_(alias).fire(trigger, fields)

    def assert_pending(self, *parties: str) -> Self:
        """Exactly ``parties`` (in any order) still owe a report in the state the issue is in."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        found = sorted(p.id for p in self.engine.parties(self.issue.id, pending=True))
        if found != sorted(parties):
            raise self._explain(f"pending parties are {found}, expected {sorted(parties)}")
        return self

    def assert_party(self, party: str, status: str, outcome: str | None = None) -> Self:
        """``party`` of the current round has ``status`` (and ``outcome``, if given)."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        found = {p.id: p for p in self.engine.parties(self.issue.id)}
        if party not in found:
            raise self._explain(f"{party!r} is not a party of the round; parties: {sorted(found)}")
        got = found[party]
        if got.status != status or (outcome is not None and got.outcome != outcome):
            raise self._explain(
                f"party {party!r} is {got.status!r} (outcome {got.outcome!r}), "
                f"expected {status!r}" + ("" if outcome is None else f" ({outcome!r})")
            )
        return self

    def assert_location(self, unit: str | None) -> Self:
        """The issue is located at ``unit`` now."""
        __tracebackhide__ = True  # pytest: report the failure at the test's line
        if self.issue.location != unit:
            raise self._explain(f"expected location {unit!r}, found {self.issue.location!r}")
        return self

    def child(self, link: str | None = None, index: int = -1) -> Scenario:
        """A scenario on a child issue of this one (the last opened, under ``link`` if
        given), with the same cast."""
        found = [c for c in self.engine.children(self.issue.id) if link in (None, c.name)]
        if not found:
            raise self._explain(f"the issue has no child issue under link {link!r}")
        child = Scenario(self.engine, self.engine.get(found[index].issue), self.actors)
        child._actor = self._actor
        return child


__all__ = ["Scenario", "format_history"]
