"""Who may make a move now: the people of the org graph the engine would let fire a trigger.

For simulations, assistants and tests: instead of inventing an actor with the right roles (which
an engine with an org graph ignores), ask the graph who holds a post that would count, and let
the engine's own check decide. Candidates are drawn from the units the move's scope names (the
location's jurisdiction, the assigned units, the units a plugin names, or every unit) and from
the issue's assignees; each is confirmed with :meth:`Authority.authorize`, so the answer is
exactly who would be accepted (guards and plugins' vetoes aside: they read the payload).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govflow.authority.scope import jurisdiction
from govflow.workflow.spec import Scope

if TYPE_CHECKING:
    from govflow.engine import Engine


def who_may(engine: Engine, issue_id: str, trigger: str) -> list[str]:
    """The person ids the engine would authorize to fire ``trigger`` on the issue now, in the
    order of the units searched (nearest first), each once; empty without an org graph or when
    the trigger does not leave the issue's state."""
    org = engine.org
    if org is None:
        return []
    issue = engine.store.get(issue_id)
    move = engine.workflow(issue.workflow, issue.workflow_version).transition(issue.state, trigger)
    if move is None:
        return []
    units: list[str] = [a for a in issue.assignees if a in org and a not in org.people]
    if move.scope is Scope.LOCATION:
        units += jurisdiction(org, issue.location)
    elif move.scope is Scope.NAMED:
        for _, answer in engine.plugins.collect(
            "govflow_authority_units", issue=issue, transition=move, org=org
        ):
            units += [str(unit) for unit in answer or ()]
    elif move.scope is Scope.ANYWHERE:
        units += [unit.id for unit in org]
    people = [a for a in issue.assignees if a in org.people]
    for unit in dict.fromkeys(units):
        people += [post.person.id for post in org.members(unit)]
    authority = engine.authority
    return [
        person
        for person in dict.fromkeys(people)
        if authority.authorize(issue, move, authority.actor(person))[0] is None
    ]


__all__ = ["who_may"]
