"""Every hook a govflow plugin can implement.

Plugins contribute *declarations* (workflows, guards, schemas, metrics, checks) and answer
*questions* the engine asks while moving an issue (which category, who is assigned, when is it
due, may this move happen). They never touch the store: the engine does all writing.

The engine always calls hooks with keyword arguments; an implementation takes any subset of the
parameters documented here, in any order. Hooks marked *firstresult* stop at the first
implementation that returns something other than None (later-registered plugins are asked
first, as in pluggy; ``tryfirst``/``trylast`` reorder them) and the engine records which plugin
answered in the event's ``decisions``.

A minimal plugin is a module or object with decorated functions::

    from govflow import hookimpl

    @hookimpl
    def govflow_workflows():
        return [my_workflow]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from govflow.ledgers import LedgerSpec
    from govflow.org.graph import OrgGraph
    from govflow.org.schema import OrgSchema
    from govflow.records import Actor, Event, Issue
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

    :return: the workflows this plugin provides. Two plugins providing the same name and
        version is an error at engine construction, naming both.
    """
    raise NotImplementedError


@hookspec
def govflow_guards() -> Mapping[str, Guard]:
    """Contribute named guards that workflows refer to in ``Transition.guards``.

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

    :return: :class:`~govflow.org.OrgSchema` objects.
    """
    raise NotImplementedError


@hookspec
def govflow_ledgers() -> Iterable[LedgerSpec]:
    """Contribute ledger declarations (台账: records that are not issues, :mod:`govflow.ledgers`).

    :return: :class:`~govflow.ledgers.LedgerSpec` objects; the engine declares them in
        ``engine.ledgers``. Two plugins declaring the same ledger name is an error at engine
        construction, naming the second.
    """
    raise NotImplementedError


@hookspec
def govflow_metrics() -> Mapping[str, Any]:
    """Contribute named accountability metrics computed from the audit log.

    :return: a mapping of metric name to a callable ``metric(issues, events)`` taking the
        engine's issues and their events and returning the figure.
    """
    raise NotImplementedError


@hookspec
def govflow_checks() -> Iterable[Any]:
    """Contribute static checks that :func:`govflow.check` and ``govflow check`` run.

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

    :return: actor ids (at least one), or None to let another plugin decide.
    """
    raise NotImplementedError


@hookspec(firstresult=True)
def govflow_deadline(issue: Issue, state: State, entered_at: datetime) -> datetime | None:
    """When an issue entering ``state`` at ``entered_at`` becomes overdue. *firstresult*.

    The built-in deadline plugin answers last with ``entered_at + state.time_limit``; a
    working-day calendar plugin answers first to skip weekends and holidays.

    :param issue: the issue as it was before entering the state.
    :return: the due time, or None to let another plugin decide.
    """
    raise NotImplementedError


@hookspec
def govflow_escalation_targets(issue: Issue, actor: Actor, org: OrgGraph | None) -> Iterable[str]:
    """Org units an escalation of ``issue`` summons.

    Not firstresult: blowing the whistle (吹哨报到) may summon several departments at once, so
    every plugin's answer is collected. :func:`govflow.escalate` asks this hook and fires the
    escalating move with the targets (and the plugin that named each) in its payload.

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

    :param issue: the issue after the move.
    :param previous: the issue before the move (None for ``open``).
    :param event: the event appended to the audit log.
    """
    raise NotImplementedError


# --- authority: declarations and questions of govflow.authority ----------------------------


@hookspec
def govflow_conflict_rules() -> Mapping[str, Any]:
    """Contribute named conflict-of-interest rules that ``Transition.conflicts`` refers to.

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

    Not firstresult: every plugin's units are collected, and a post in any of them counts (the
    council of the issue's place feeds back, say). Asked only for moves of that scope.

    :return: unit ids (empty when the plugin has nothing to say about this issue or move).
    """
    raise NotImplementedError
