"""Escalation: move an issue up (or out to several departments) and record who is summoned.

An escalating move is an ordinary transition; what makes it an escalation is that the units it
summons are decided by the plugins answering ``govflow_escalation_targets`` (not firstresult:
blowing the whistle, 吹哨报到, may summon several departments at once). :func:`escalate` asks
them, then fires the transition with the answer in the payload -- ``escalated_to`` (the unit
ids, in the order the plugins gave them, without repeats) and ``escalation_decided_by`` (each
unit and the plugin, name and version, that named it) -- so the audit log says where the matter
went and on whose rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from govflow.builtin.routing import NAME as ROUTING
from govflow.errors import InvalidRequestError

if TYPE_CHECKING:
    from govflow.engine import Engine
    from govflow.records import Actor, Event

#: Payload keys :func:`escalate` fills in.
TARGETS_KEY = "escalated_to"
DECIDED_BY_KEY = "escalation_decided_by"


def escalation_targets(engine: Engine, issue_id: str, *, actor: Actor | str) -> dict[str, str]:
    """Every unit the installed plugins say an escalation of the issue summons, each with the
    plugin (``"name version"``) that named it first.

    With no local rule, the built-in routing plugin's answer applies: the parent of the
    issue's location in the org graph (escalation climbs the chain).
    """
    issue = engine.get(issue_id)
    targets: dict[str, str] = {}
    answers = engine.plugins.collect(  # plugins see the Actor the graph derives, not a claim
        "govflow_escalation_targets",
        issue=issue,
        actor=engine.authority.actor(actor),
        org=engine.org,
    )
    # The built-in answer (one level up the org chain) is the rule only where no local
    # method has one. A plugin answering nothing (``[]``, as the hookspec asks of a plugin
    # with nothing to say about this issue) has no rule here: it must not switch the
    # fallback off for every other workflow.
    local = [(ref, answer) for ref, answer in answers if ref.name != ROUTING and _names_any(answer)]
    for ref, answer in local or answers:
        for unit in [answer] if isinstance(answer, str) else answer:
            if not isinstance(unit, str) or not unit:
                raise InvalidRequestError(
                    f"plugin {ref.name!r} named {unit!r} as an escalation target; "
                    "targets are unit ids"
                )
            targets.setdefault(unit, str(ref))
    return targets


def _names_any(answer: Any) -> bool:
    """True unless ``answer`` is an empty collection of units (a plugin with no rule here)."""
    return isinstance(answer, str) or bool(list(answer))


def escalate(
    engine: Engine,
    issue_id: str,
    trigger: str,
    *,
    actor: Actor | str,
    payload: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> Event:
    """Fire ``trigger`` as an escalation: the units the plugins summon go into the payload.

    :raises InvalidRequestError: no plugin named a target (nothing to escalate to), or the
        caller's payload already claims targets. Otherwise as :meth:`govflow.Engine.fire`.
    """
    given = dict(payload or {})
    if TARGETS_KEY in given or DECIDED_BY_KEY in given:
        raise InvalidRequestError(
            f"escalation targets are decided by plugins; do not pass {TARGETS_KEY!r}"
        )
    targets = escalation_targets(engine, issue_id, actor=actor)
    if not targets:
        raise InvalidRequestError(
            f"issue {issue_id!r}: no plugin names a unit to escalate to "
            "(govflow_escalation_targets gave nothing)"
        )
    given[TARGETS_KEY] = list(targets)
    given[DECIDED_BY_KEY] = targets
    return engine.fire(
        issue_id, trigger, actor=actor, payload=given, idempotency_key=idempotency_key
    )


__all__ = ["DECIDED_BY_KEY", "TARGETS_KEY", "escalate", "escalation_targets"]
