"""The engine's authority: every permission check a move, an opening or a read goes through.

:class:`Authority` is what :class:`govflow.Engine` calls at its few authorization points. With
an org graph it resolves actors to :class:`~govflow.authority.identity.Principal` s and checks
roles as posts in the transition's scope; without one it keeps the explicit-Actor behaviour
(claimed roles count anywhere), so scripts and tests stay short.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from govflow.authority.bodies import BUILTIN_RESOLVERS, BodyResolver, check_supplied, frozen_data
from govflow.authority.conflicts import BUILTIN_RULES, ConflictContext, ConflictRule
from govflow.authority.identity import Directory, Principal
from govflow.authority.privacy import may_read_personal, redact_event, redact_issue, visible
from govflow.authority.scope import jurisdiction, post_at_location, post_in
from govflow.errors import InvalidRequestError, PermissionDeniedError, PluginError
from govflow.org.graph import OrgGraph
from govflow.plugins import PluginHost
from govflow.records import Actor, Event, Issue, PluginRef
from govflow.workflow.spec import (
    OPEN_TRIGGER,
    Channel,
    Privacy,
    Relation,
    Scope,
    Transition,
    Workflow,
)

_RELATION_TEXT = {
    Relation.REPORTER: "the issue's reporter",
    Relation.ASSIGNEE: "an assignee of the issue, or hold a post in a unit it is assigned to",
    Relation.NOT_HANDLER: "someone who did not handle the issue",
}

#: How many units a refusal's message lists before "...".
_SHOWN = 6


def _units_text(units: tuple[str, ...]) -> str:
    shown = ", ".join(units[:_SHOWN])
    return shown + (", ..." if len(units) > _SHOWN else "")


def _scope_reason(roles: list[str], scope: Scope, where: str, units: tuple[str, ...]) -> str:
    if scope is Scope.ANYWHERE:
        return f"needs one of the roles {roles}, held in any unit"
    if scope is Scope.LOCATION:
        return (
            f"needs one of the roles {roles} held at {where} or in a unit whose jurisdiction "
            f"covers it ({_units_text(units)})"
        )
    if not units:
        what = (
            "the issue is assigned to no unit"
            if scope is Scope.ASSIGNED
            else ("no plugin names a unit for this move")
        )
        return f"needs one of the roles {roles} held in a {scope} unit, but {what}"
    return f"needs one of the roles {roles} held in a {scope} unit ({_units_text(units)})"


def _collect_named(
    plugins: PluginHost, hook: str, builtin: Mapping[str, Any], what: str
) -> dict[str, Any]:
    found: dict[str, Any] = dict(builtin)
    owners: dict[str, str] = dict.fromkeys(builtin, "govflow")
    for ref, answer in plugins.collect(hook):
        for name, value in dict(answer or {}).items():
            if name in found:
                raise PluginError(
                    ref.name, f"{what} {name!r} is registered already by {owners[name]}"
                )
            if not callable(value):
                raise PluginError(ref.name, f"{what} {name!r} is not callable")
            found[name] = value
            owners[name] = ref.name
    return found


class Authority:
    """Authorization for one engine: its org graph (or None) and its plugins' rules.

    :raises PluginError: two plugins register the same conflict rule or body resolver, or a
        workflow names one nobody registered (see :meth:`check_workflow`).
    """

    def __init__(self, org: OrgGraph | None, plugins: PluginHost) -> None:
        self.org = org
        self.directory = None if org is None else Directory(org)
        self._plugins = plugins
        self._named = plugins.is_implemented("govflow_authority_units")
        self.conflict_rules: Mapping[str, ConflictRule] = _collect_named(
            plugins, "govflow_conflict_rules", BUILTIN_RULES, "conflict rule"
        )
        self.body_resolvers: Mapping[str, BodyResolver] = _collect_named(
            plugins, "govflow_body_resolvers", BUILTIN_RESOLVERS, "body resolver"
        )

    def check_workflow(self, workflow: Workflow, plugin: PluginRef | None) -> None:
        """Refuse a workflow naming a conflict rule or body resolver that nobody registered."""
        owner = "engine" if plugin is None else plugin.name
        for move in workflow.transitions:
            unknown = sorted(move.conflicts - set(self.conflict_rules))
            if unknown:
                raise PluginError(
                    owner,
                    f"workflow {workflow.name!r}: transition {move.trigger!r} names unknown "
                    f"conflict rules {unknown}; known are {sorted(self.conflict_rules)}",
                )
        for state in workflow.states:
            for body in state.bodies:
                if body.source not in self.body_resolvers:
                    raise PluginError(
                        owner,
                        f"workflow {workflow.name!r}: state {state.name!r} resolves body "
                        f"{body.key!r} with unknown resolver {body.source!r}; known are "
                        f"{sorted(self.body_resolvers)}",
                    )

    # --- who -----------------------------------------------------------------------------------

    def principal(self, actor: Actor | str) -> Principal:
        """Who ``actor`` is: from the org graph if there is one, else as the Actor claims."""
        if self.directory is not None:
            return self.directory.resolve(actor)
        claimed = actor if isinstance(actor, Actor) else Actor(str(actor))
        if not claimed.id:
            raise InvalidRequestError("an actor needs an id")
        return Principal(claimed.id, (), claimed, known=False)

    def actor(self, actor: Actor | str) -> Actor:
        """The Actor the engine works with: re-derived from the org graph if there is one."""
        if self.directory is not None:
            return self.directory.resolve(actor).actor
        if isinstance(actor, Actor):
            return actor
        return self.principal(actor).actor

    # --- moves ---------------------------------------------------------------------------------

    def _scope_units(self, issue: Issue, move: Transition, org: OrgGraph) -> tuple[str, ...]:
        if move.scope is Scope.ASSIGNED:
            return tuple(a for a in issue.assignees if a in org and a not in org.people)
        named: dict[str, None] = {}
        if self._named:
            for _, answer in self._plugins.collect(
                "govflow_authority_units", issue=issue, transition=move, org=org
            ):
                named.update(dict.fromkeys(str(unit) for unit in answer or ()))
        return tuple(named)

    def _role_refusal(
        self, issue: Issue, move: Transition, principal: Principal, org: OrgGraph
    ) -> tuple[PermissionDeniedError | None, str | None]:
        """Is one of the move's roles held in its scope? The unit acted for, if assigned."""
        scope = move.scope
        post: tuple[str, str] | None
        units: tuple[str, ...] = ()
        if scope is Scope.ANYWHERE:
            post = next((p for p in principal.posts if p[1] in move.roles), None)
        elif scope is Scope.LOCATION:
            post = post_at_location(org, principal, move.roles, issue.location)
        else:
            units = self._scope_units(issue, move, org)
            post = post_in(principal, move.roles, units)
        if post is not None:
            return None, post[0] if scope is Scope.ASSIGNED else None
        if scope is Scope.LOCATION:
            units = jurisdiction(org, issue.location)
        where = repr(issue.location) if issue.location is not None else "the top of the graph"
        roles = sorted(move.roles)
        return (
            PermissionDeniedError(
                issue.id,
                move.trigger,
                principal.id,
                missing_roles=roles,
                scope=str(scope),
                units=units,
                reason=_scope_reason(roles, scope, where, units),
            ),
            None,
        )

    def _relation_refusal(
        self, issue: Issue, move: Transition, principal: Principal
    ) -> tuple[PermissionDeniedError | None, str | None]:
        """Does the actor stand in every relation the move requires? The unit acted for, if
        the actor is an assignee through a post in an assigned unit."""
        org = self.org
        acting_for: str | None = None
        for relation in move.relations:
            if relation is Relation.REPORTER:
                holds = principal.id == issue.reporter
            elif relation is Relation.ASSIGNEE:
                holds = principal.id in issue.assignees
                if not holds and org is not None:
                    post = post_in(principal, move.roles or None, issue.assignees)
                    if post is not None:
                        holds, acting_for = True, post[0]
            else:
                holds = principal.id not in issue.handlers
            if not holds:
                return (
                    PermissionDeniedError(
                        issue.id,
                        move.trigger,
                        principal.id,
                        missing_relation=str(relation),
                        reason=f"must be {_RELATION_TEXT[relation]}",
                    ),
                    None,
                )
        return None, acting_for

    def authorize(
        self,
        issue: Issue,
        move: Transition,
        actor: Actor,
        *,
        principal: Principal | None = None,
    ) -> tuple[PermissionDeniedError | None, str | None]:
        """Check roles in scope, relations and conflict rules for ``actor`` making ``move``.

        :param principal: who ``actor`` is, if the caller resolved it already
            (:meth:`principal`; its ``actor`` must be ``actor``); else resolved here.
        :return: ``(refusal, acting_for)``: the refusal (None if allowed) and the unit the
            actor acts for when the move counts on a post in a unit the issue is assigned to.
        """
        if principal is None or principal.actor is not actor:
            principal = self.principal(actor)
        org = self.org
        acting_for: str | None = None
        if move.roles:
            if org is None:
                if not actor.has_any_role(move.roles):
                    return (
                        PermissionDeniedError(
                            issue.id, move.trigger, actor.id, missing_roles=sorted(move.roles)
                        ),
                        None,
                    )
            else:
                refusal, acting_for = self._role_refusal(issue, move, principal, org)
                if refusal is not None:
                    return refusal, None
        refusal, through = self._relation_refusal(issue, move, principal)
        if refusal is not None:
            return refusal, None
        acting_for = through or acting_for
        for name in sorted(move.conflicts) if move.conflicts else ():
            why = self.conflict_rules[name](ConflictContext(issue, move, principal, org))
            if why:
                return (
                    PermissionDeniedError(
                        issue.id,
                        move.trigger,
                        principal.id,
                        conflict=name,
                        reason=f"has a conflict of interest ({name}): {why}",
                    ),
                    None,
                )
        return None, acting_for

    def entering(self, issue: Issue, workflow: Workflow, destination: str) -> dict[str, Any] | None:
        """The issue's data with the bodies of gate ``destination`` frozen in, when the issue
        enters it from another state and the engine has an org graph; else None."""
        if self.org is None or destination == issue.state:
            return None
        bodies = workflow.state(destination).bodies
        if not bodies:
            return None
        return frozen_data(issue, bodies, self.org, self.body_resolvers)

    # --- opening -------------------------------------------------------------------------------

    def opening(
        self,
        workflow: Workflow,
        *,
        reporter: Actor | str,
        opened_by: Actor | str | None,
        channel: str | None,
        location: str | None,
        data: Mapping[str, Any],
        issue_id: str,
    ) -> tuple[Actor, Actor, dict[str, Any]]:
        """Authorize opening an issue; return the reporter, the opener and the facts for the
        ``open`` event's payload (``channel``, ``on_behalf_of``).

        :raises PermissionDeniedError: the channel is not accepted, an opener on behalf of
            someone else lacks a proxy role at the location, the opener lacks a role the
            workflow requires to open it, or the data supplies a body the org graph resolves.
        :raises InvalidRequestError: an unknown channel, or an actor id that is a unit.
        """
        rules = workflow.opening
        reporting = self.principal(reporter)
        opener = reporting if opened_by is None else self.principal(opened_by)
        facts: dict[str, Any] = {}
        if channel is not None:
            try:
                chosen = Channel(channel)
            except ValueError:
                raise InvalidRequestError(
                    f"unknown channel {channel!r}; known are {[str(c) for c in Channel]}"
                ) from None
            facts["channel"] = str(chosen)
        if rules.channels and (channel is None or Channel(channel) not in rules.channels):
            raise PermissionDeniedError(
                issue_id,
                OPEN_TRIGGER,
                opener.id,
                reason=(
                    f"may not open {workflow.name!r} through {channel or 'an unnamed channel'}: "
                    f"it accepts {sorted(str(c) for c in rules.channels)}"
                ),
            )
        if opener.id != reporting.id:
            self._holds_to_open(
                opener,
                roles=rules.proxy_roles,
                scope=Scope.LOCATION,
                location=location,
                issue_id=issue_id,
                purpose="to open on behalf of someone else",
            )
            facts["on_behalf_of"] = reporting.id
        if rules.roles:
            self._holds_to_open(
                opener,
                roles=rules.roles,
                scope=rules.scope,
                location=location,
                issue_id=issue_id,
                purpose=f"to open {workflow.name!r}",
            )
        if self.org is not None:
            check_supplied(workflow, data, issue_id, opener.id)
        return reporting.actor, opener.actor, facts

    def _holds_to_open(
        self,
        opener: Principal,
        *,
        roles: frozenset[str],
        scope: Scope,
        location: str | None,
        issue_id: str,
        purpose: str,
    ) -> None:
        org = self.org
        units: tuple[str, ...] = ()
        if org is None:
            held = opener.actor.has_any_role(roles)
        elif scope is Scope.ANYWHERE:
            held = any(post[1] in roles for post in opener.posts)
        else:
            held = post_at_location(org, opener, roles, location) is not None
            units = () if held else jurisdiction(org, location)
        if not held:
            where = repr(location) if location is not None else "the top of the graph"
            names = sorted(roles)
            raise PermissionDeniedError(
                issue_id,
                OPEN_TRIGGER,
                opener.id,
                missing_roles=names,
                scope=None if org is None else str(scope),
                units=units,
                reason=f"{_scope_reason(names, scope, where, units)} {purpose}",
            )

    # --- reading -------------------------------------------------------------------------------

    def read_issue(self, issue: Issue, privacy: Privacy, reader: Actor | str | None) -> Issue:
        """``issue`` as ``reader`` may see it: the personal data ``privacy`` names is left out
        unless they may read it."""
        if not issue.data or privacy.fields.isdisjoint(issue.data):
            return issue
        who = None if reader is None else self.principal(reader)
        if may_read_personal(issue, privacy, who, self.org):
            return issue
        return redact_issue(issue, privacy)

    def read_events(
        self, issue: Issue, privacy: Privacy, events: Iterable[Event], reader: Actor | str | None
    ) -> tuple[Event, ...]:
        """``events`` as ``reader`` may see them (see :meth:`read_issue`)."""
        who = None if reader is None else self.principal(reader)
        if may_read_personal(issue, privacy, who, self.org):
            return tuple(events)
        return tuple(redact_event(event, privacy) for event in events)

    def sees(self, issue: Issue, reader: Principal) -> bool:
        """True if ``reader`` may see ``issue`` in a listing (see
        :func:`~govflow.authority.privacy.visible`)."""
        return visible(issue, reader, self.org)


__all__ = ["Authority"]
