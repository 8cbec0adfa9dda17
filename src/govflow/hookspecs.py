"""Every hook a govflow plugin can implement.

Plugins contribute *declarations* (workflows, guards, schemas, metrics, checks) and answer
*questions* the engine asks while moving an issue (which category, who is assigned, when is it
due, may this move happen). They never touch the store: the engine does all writing.

The engine always calls hooks with keyword arguments; an implementation takes any subset of the
parameters documented here, in any order. With an org graph, every ``actor`` a hook receives is
the one the engine re-derived from the graph (:mod:`govflow.authority`), never a caller's claim.
Hooks marked *firstresult* stop at the first implementation that returns something other than
None (later-registered plugins are asked first, as in pluggy; ``tryfirst``/``trylast`` reorder
them) and the engine records which plugin answered in the event's ``decisions``.

A minimal plugin is a module or object with decorated functions::

    from govflow import hookimpl

    @hookimpl
    def govflow_workflows():
        return [my_workflow]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from govflow.access import AccessList
    from govflow.ledgers import LedgerSpec
    from govflow.org.graph import OrgGraph
    from govflow.org.schema import OrgSchema
    from govflow.records import Actor, Event, Issue
    from govflow.workflow.durations import Duration
    from govflow.workflow.limits import Limit
    from govflow.workflow.machine import Guard
    from govflow.workflow.spec import State, Transition, Workflow

PROJECT = "govflow"

hookspec = pluggy.HookspecMarker(PROJECT)
#: Decorate a plugin's functions with this to implement a hook.
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- declarations: called once, when an Engine is built ------------------------------------


@hookspec
def govflow_workflows() -> Iterable[Workflow]:
    """Contribute workflow specs.

    Example::

        @hookimpl
        def govflow_workflows():
            return [BUILDING_TALK]  # a govflow.Workflow

    :return: the workflows this plugin provides. Two plugins providing the same name and
        version is an error at engine construction, naming both.
    """
    raise NotImplementedError


@hookspec
def govflow_guards() -> Mapping[str, Guard]:
    """Contribute named guards that workflows refer to in ``Transition.guards``.

    Example::

        def rated(context):  # a MoveContext: the issue, the move, the actor, the payload
            return context.payload.get("rating") in (1, 2, 3, 4, 5)

        @hookimpl
        def govflow_guards():
            return {"building-talk:rated": rated}

    :return: a mapping of guard name to a predicate taking a
        :class:`~govflow.workflow.machine.MoveContext` and returning a bool. Guard names are
        global to an engine: two plugins registering the same name is an error.
    """
    raise NotImplementedError


@hookspec
def govflow_org_schemas() -> Iterable[OrgSchema]:
    """Contribute organization schemas (levels and allowed edges) or extensions of them.

    :meth:`govflow.plugins.PluginHost.org_schema` merges them into a base schema; build the org
    graph with the result (``OrgGraph(PluginHost().org_schema())``). A schema
    that does not merge is an error naming the plugin.

    Example::

        @hookimpl
        def govflow_org_schemas():
            return [OrgSchema("building-talk", {"building_chief_office": "administrative"})]

    :return: :class:`~govflow.org.OrgSchema` objects.
    """
    raise NotImplementedError


@hookspec
def govflow_ledgers() -> Iterable[LedgerSpec]:
    """Contribute ledger declarations (台账: records that are not issues, :mod:`govflow.ledgers`).

    Example::

        @hookimpl
        def govflow_ledgers():
            return [VISITS]  # a govflow.ledgers.LedgerSpec, e.g. 走访台账

    :return: :class:`~govflow.ledgers.LedgerSpec` objects; the engine declares them in
        ``engine.ledgers``. Two plugins declaring the same ledger name is an error at engine
        construction, naming the second.
    """
    raise NotImplementedError


@hookspec
def govflow_metrics() -> Mapping[str, Any]:
    """Contribute named accountability metrics computed from the audit log.

    Example::

        @hookimpl
        def govflow_metrics():
            return {"supervised": Metric("supervised", "fired:supervise", "dispatched")}

    :return: a mapping of name to a :class:`govflow.metrics.Metric` (a numerator and a
        denominator of facts and exclusions: computed by the in-memory fold and by SQL
        aggregation alike, and rankable), or, for a figure no ratio expresses, to a callable
        ``metric(issues, events)`` taking the engine's issues and their events (issue id →
        events) and returning the figure, computed in memory by
        :func:`govflow.metrics.accountability` only. Two plugins declaring a Metric of the same
        name is a :class:`~govflow.errors.PluginError`.
    """
    raise NotImplementedError


@hookspec
def govflow_checks() -> Iterable[Any]:
    """Contribute static checks that :func:`govflow.check` and ``govflow check`` run.

    Example::

        def every_state_labelled(workflow):
            for state in workflow.states:
                if not state.label:
                    yield Problem("labelled", f"state {state.name!r} has no Chinese label")

        @hookimpl
        def govflow_checks():
            return [every_state_labelled]

    :return: callables ``check(workflow) -> Iterable[govflow.Problem]``. Each is called once per
        workflow the engine registers (its latest version), after the built-in rules, and only
        on a workflow that constructs. A ``Problem(rule, message, path=(), workflow="")`` gives
        a counterexample ``path`` of ``(state, trigger | None)`` steps from the initial state;
        an empty ``workflow`` is filled in by the checker. A check that raises, or yields
        anything but a Problem, is reported under the rule ``plugin-check-crashed``; an answer
        item that is not callable raises :class:`~govflow.errors.PluginError` naming the plugin.
    """
    raise NotImplementedError


@hookspec
def govflow_access_lists() -> Iterable[AccessList]:
    """Declare units' access lists (事项准入清单): the items each accepts from above.

    Called once, when an Engine is built. A move that would push an issue to a unit with a list
    (its assignees as the router picked them, a join's parties, a relocation down, a child
    issue's location) is refused with :class:`~govflow.errors.AccessRefusedError` naming the
    list's rule unless the issue's category is on it. See :mod:`govflow.access`. Example::

        from govflow import AccessList, hookimpl

        @hookimpl
        def govflow_access_lists():
            return [AccessList("xinhao-community", {"环境卫生", "停车难"}, rule="社区准入清单")]

    :return: :class:`~govflow.access.AccessList` objects; a unit given two lists (by one plugin
        or two) is a :class:`~govflow.errors.PluginError` naming the plugin.
    """
    raise NotImplementedError


@hookspec
def govflow_cli_commands() -> Mapping[str, Any]:
    """Contribute commands to the ``govflow`` command line.

    Called once when the command line starts (not by an Engine). Each command is a Typer
    command function -- its parameters annotated with ``typer.Argument``/``typer.Option``,
    its docstring the help -- or a ``typer.Typer`` application, which becomes a group of
    subcommands. A command may take ``ctx: typer.Context`` first and write through
    ``govflow.cli._output.output(ctx)``; its return value is the exit status. Example::

        import typer
        from govflow import hookimpl

        def council_report(
            ctx: typer.Context, village: str = typer.Argument(help="the village's code")
        ) -> None:
            \"\"\"Print the council's open items.\"\"\"
            typer.echo(f"open items of {village}: ...")

        @hookimpl
        def govflow_cli_commands():
            return {"council-report": council_report}

    :return: a mapping of command name to command. A name a built-in command or another
        plugin has taken already is a :class:`~govflow.errors.PluginError` naming the plugin.
    """
    raise NotImplementedError


@hookspec
def govflow_open311_services() -> Iterable[Any]:
    """Contribute the Open311 services residents may report (``govflow.interop.open311``).

    Called by :meth:`govflow.interop.open311.Open311.from_engine`: a local method offers its
    categories as services, each mapped to one of its workflows, with the attributes its
    service definition asks for. Workflows no plugin offers a service for get one of their own.
    Example::

        from govflow.interop.open311 import Attribute, Datatype, Service

        @hookimpl
        def govflow_open311_services():
            return [
                Service("001", "矛盾调解 Mediation", "one-group-one-council", category="矛盾调解"),
                Service(
                    "002", "路灯不亮 Street lamp out", "closed-loop", category="市政设施",
                    attributes=[Attribute("POLE", Datatype.STRING, "the pole's number")],
                ),
            ]

    :return: :class:`govflow.interop.open311.Service` objects. Two services with one
        ``service_code`` are a :class:`~govflow.errors.DefinitionError`.
    """
    raise NotImplementedError


@hookspec
def govflow_simulation_methods() -> Iterable[Any]:
    """Contribute a method's part in a simulated season (``govflow simulate``).

    Example::

        from govflow.season import Method

        def story(scene):
            issue = scene.engine.open("building-talk", reporter=scene.resident(),
                                      location=scene.location)
            scene.issue_id = issue.id
            yield scene.hours(4)          # the building chief writes it down
            scene.engine.fire(issue.id, "hand_over", actor=CHIEF)

        @hookimpl
        def govflow_simulation_methods():
            return [Method("building-talk", 0.2, "residential_area", story)]

    :return: :class:`govflow.season.Method` objects: the workflow, its share of arrivals, the
        kind of place its issues arise in, and the story (a generator function taking a
        :class:`govflow.season.Scene`, making the issue's moves and yielding the hours until
        its next step). Parts for workflows the engine does not have are ignored.
    """
    raise NotImplementedError


# --- questions: called while issues move -----------------------------------------------------


@hookspec(firstresult=True)
def govflow_classify(
    workflow: Workflow,
    data: Mapping[str, Any],
    location: str | None,
    reporter: Actor,
    org: OrgGraph | None,
) -> str | None:
    """Choose the category of an issue being opened without one. *firstresult*.

    Example::

        @hookimpl
        def govflow_classify(workflow, data):
            if workflow.name != "building-talk":
                return None
            return "safety" if "电线" in data.get("text", "") else None

    :param workflow: the workflow the issue is opened on.
    :param data: the free data the reporter gave (a description, a photo reference...).
    :param location: the org unit id where the issue is, if any.
    :param reporter: who reported it.
    :param org: the engine's org graph, or None.
    :return: a category name, or None to let another plugin decide.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def govflow_resolve_assignees(
    issue: Issue,
    transition: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    org: OrgGraph | None,
) -> Sequence[str] | None:
    """Choose who an assigning move hands the issue to. *firstresult*.

    Called for transitions with ``assigns=True``. The built-in routing plugin answers last:
    with the payload's ``assignees`` if given, else with the org graph's responsible person.

    Example::

        @hookimpl
        def govflow_resolve_assignees(issue, transition):
            if issue.workflow != "building-talk":
                return None  # not ours: let other plugins answer
            return [GRID_WORKERS[issue.data["building"]]]

    :return: actor ids (at least one), or None to let another plugin decide.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def govflow_deadline(
    issue: Issue,
    state: State,
    entered_at: datetime,
    limit: Duration | None,
    due_time: Callable[[Duration, datetime], datetime],
) -> datetime | None:
    """When an issue entering ``state`` at ``entered_at`` becomes overdue. *firstresult*.

    The built-in deadline plugin answers last with ``due_time(limit, entered_at)``. Prefer
    changing limits through ``govflow_limit_tables`` (data ``govflow check`` sees) to answering
    here; a plugin that does answer should count with ``due_time`` so the calendar applies.

    Example::

        @hookimpl(tryfirst=True)
        def govflow_deadline(state, entered_at):
            if state.time_limit is None:
                return None
            return next_working_time(entered_at + state.time_limit)  # skip weekends

    :param issue: the issue as it was before entering the state.
    :param limit: the state's limit for this issue (its table row, or ``time_limit``).
    :param due_time: ``due_time(duration, start)``, the engine's calendar arithmetic for this
        issue (:meth:`govflow.Engine.due_time`).
    :return: the due time, or None to let another plugin decide.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def govflow_parties(  # noqa: PLR0917  (the move's facts, like govflow_resolve_assignees)
    issue: Issue,
    state: State,
    transition: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    org: OrgGraph | None,
) -> Sequence[str | Mapping[str, Any]] | None:
    """Choose the parties of a new round in a join state, when the payload names none.
    *firstresult*.

    Called when a move enters a state with a :class:`~govflow.workflow.joins.Join` and its
    payload has no ``parties`` (the street chose none itself: a local method summons the
    departments its rules name, say by category). Example::

        from govflow import hookimpl

        @hookimpl
        def govflow_parties(issue, state):
            if state.name == "summoned" and issue.category == "违章建筑":
                return ["dept-urban", {"id": "dept-housing", "limit": "3d"}]
            return None

    :param issue: the issue as the move leaves it (its new location and category).
    :param state: the join state being entered.
    :param transition: the move entering it.
    :return: party ids (units or persons), or tables ``{"id": ..., "limit": "2d"}`` giving a
        party its own time to report; or None to let another plugin decide. The engine
        records the plugin in the event's ``decisions`` under ``parties``.
    """
    raise NotImplementedError


@hookspec
def govflow_limit_tables(workflow: Workflow) -> Mapping[str, Iterable[Limit]] | None:
    """Add rows to ``workflow``'s limit tables (by category × urgency). Called once per
    workflow when an engine is built; every plugin's rows are kept.

    Example::

        @hookimpl
        def govflow_limit_tables(workflow):
            if workflow.name == "closed-loop":
                return {"handling": [{"category": "矛盾调解", "limit": "5wd"}]}
            return None

    :param workflow: a workflow being registered.
    :return: ``{state name: rows}``, each row a :class:`~govflow.workflow.limits.Limit` or
        its plain form ``{"limit": "8wh", "urgency": "urgent"}``; None or ``{}`` to add nothing.
        A plugin's rows win over the spec's of the same specificity; a state that does not
        exist or has no default ``time_limit`` is a :class:`~govflow.errors.PluginError`.
    """
    raise NotImplementedError


@hookspec
def govflow_escalation_targets(issue: Issue, actor: Actor, org: OrgGraph | None) -> Iterable[str]:
    """Org units an escalation of ``issue`` summons.

    Not firstresult: blowing the whistle (吹哨报到) may summon several departments at once, so
    every plugin's answer is collected. :func:`govflow.escalate` asks this hook and fires the
    escalating move with the targets (and the plugin that named each) in its payload.

    Example::

        @hookimpl
        def govflow_escalation_targets(issue, org):
            if issue.category != "safety":
                return []
            return ["340303/fire-brigade", "340303/housing-bureau"]  # 吹哨: both report

    :return: unit ids (empty when the plugin has nothing to say about this issue).
    """
    raise NotImplementedError


@hookspec
def govflow_before_transition(
    issue: Issue,
    transition: Transition,
    actor: Actor,
    payload: Mapping[str, Any],
    org: OrgGraph | None,
) -> str | None:
    """Veto a move about to happen, after authorization and before guards.

    Example::

        @hookimpl
        def govflow_before_transition(issue, transition, actor):
            if transition.trigger == "close" and not issue.data.get("photo"):
                return "a closing move needs a photo of the result"
            return None

    :return: None to allow, or a reason (a non-empty string) to refuse; the engine raises
        :class:`~govflow.errors.GuardFailedError` naming the plugin and the reason, and
        changes nothing.
    """
    raise NotImplementedError


@hookspec
def govflow_after_transition(issue: Issue, previous: Issue | None, event: Event) -> None:
    """Be told about a move that has been committed (including the ``open`` event).

    A notification: what it returns is ignored, and an exception it raises is logged and
    swallowed, never undoing or hiding the committed move.

    Example::

        @hookimpl
        def govflow_after_transition(issue, event):
            if event.destination == "supervised":
                send_sms(issue.assignees, f"督办: issue {issue.id} is overdue")

    :param issue: the issue after the move.
    :param previous: the issue before the move (None for ``open``).
    :param event: the event appended to the audit log.
    """
    raise NotImplementedError


# --- authority: declarations and questions of govflow.authority ----------------------------


@hookspec
def govflow_conflict_rules() -> Mapping[str, Any]:
    """Contribute named conflict-of-interest rules that ``Transition.conflicts`` refers to.

    Example::

        def not_a_neighbour(context):  # a govflow.authority.ConflictContext
            if context.principal.actor.home_unit == context.issue.location:
                return "lives where the issue is"
            return None

        @hookimpl
        def govflow_conflict_rules():
            return {"building-talk:not_a_neighbour": not_a_neighbour}

    :return: a mapping of rule name to a callable taking a
        :class:`~govflow.authority.ConflictContext` and returning None (no conflict) or the
        reason for refusing. Names are global to an engine; the built-in ones are
        ``handling_unit``, ``reporter`` and ``assignee``. A clash is a
        :class:`~govflow.errors.PluginError`.
    """
    raise NotImplementedError


@hookspec
def govflow_body_resolvers() -> Mapping[str, Any]:
    """Contribute named resolvers of deliberating bodies that a gate's ``source`` refers to.

    Example::

        def building_residents(issue, org, body):  # who sits on the building's talk
            posts = org.members(issue.location, "resident_representative")
            return Composition(tuple(p.person.id for p in posts))  # govflow.gates.Composition

        @hookimpl
        def govflow_body_resolvers():
            return {"building-talk:residents": building_residents}

    :return: a mapping of resolver name to a callable ``resolver(issue, org, body)`` returning a
        :class:`~govflow.gates.Composition` (the members due at the issue's location, and the
        chair) or None when the org graph has no such body there. Built in: ``council`` and
        ``party_unit``. A clash is a :class:`~govflow.errors.PluginError`.
    """
    raise NotImplementedError


@hookspec
def govflow_authority_units(
    issue: Issue, transition: Transition, org: OrgGraph | None
) -> Iterable[str]:
    """Name the units whose posts count for a transition declared with ``Scope.NAMED``.

    Example::

        @hookimpl
        def govflow_authority_units(issue, transition, org):
            if transition.trigger != "feed_back" or org is None or issue.location is None:
                return []
            council = org.council_for(issue.location)  # the council serving the place
            return [] if council is None else [council.id]

    Not firstresult: every plugin's units are collected, and a post in any of them counts (the
    council of the issue's place feeds back, say). Asked only for moves of that scope.

    :return: unit ids (empty when the plugin has nothing to say about this issue or move).
    """
    raise NotImplementedError
