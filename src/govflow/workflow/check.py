"""Static verification of a workflow: exhaustive over its state graph, with counterexamples.

:func:`check` builds a :class:`networkx.MultiDiGraph` of the workflow (states are nodes, each
``(source, trigger)`` move an edge keyed by its trigger) and runs every rule over it. A rule
that fails yields a :class:`Problem` carrying a *counterexample path*: the moves, from the
initial state, that lead to the fault, so the author sees the route an issue would take.

Rules (their names are what :attr:`Problem.rule` holds):

``reachable``
    every state can be reached from the initial state.
``dead-end``
    every non-terminal state has a way out.
``terminal-reachable``
    from every state some terminal state can still be reached (no trap cycles).
``closed-loop``
    every path from acceptance to a CLOSED state passes a FEEDBACK state: the resident hears
    back before the issue counts as completed (收集-交办-处理-反馈, then 群众评议).
    *Acceptance* is a move out of the intake region (the OPEN states reachable from the initial
    state through OPEN states only) into a state that is neither OPEN nor CANCELLED; a workflow
    whose initial state is not OPEN accepts an issue when it is opened.
``separation-of-duties``
    no evaluation move can be fired by someone who handled the issue. A *handling* move leaves
    a PROCESSING state (the engine records its actor as a handler); an *evaluation* move is
    marked ``evaluation=True`` or goes from a FEEDBACK state to a CLOSED state. Every
    evaluation move reachable after a handling move must carry the not-handler relation.
    Moves that fire on timeout count too: the engine lets anyone fire them by hand.
``roles``
    every role a transition names exists in the org schema (only when one is given).
``time-limits``
    every non-terminal state has a time limit, or says on purpose that it has none
    (``timeout_exempt``).
``join-deadlines``
    every party of a join has a deadline: the join state declares a ``party_limit`` (a party
    may still be given its own), so an overdue party can be escalated on its own.
``join-reports``
    every join state has a report move (``reports=True``) leaving it: each party's task has a
    way to reach the join.
``loop-bounds``
    once every loop bound is spent (the bounded moves and branches no longer taken), every
    state can still reach a terminal state: a bound ends a loop, it does not trap the issue.
``linked-workflows``
    (:func:`check_engine` only) every child workflow a link opens is registered and passes the
    closed-loop rule itself.
``valid``
    the spec could not even be read (a state without a name, an unknown key...).

Branches count as moves: each guarded destination is an edge of the graph, keyed by its
trigger, so every rule sees every place one trigger can lead.

Checks contributed by plugins follow the contract of :data:`WorkflowCheck`: a callable taking
a :class:`~govflow.workflow.spec.Workflow` and returning an iterable of :class:`Problem`. A
plugin contributes them through the ``govflow_checks`` hook, which returns an iterable of such
callables. A check that raises is reported as a problem of rule ``plugin-check-crashed``
naming it, never as a crash of the checker.

Specs given as plain data (a dict, or a TOML/JSON file through the command line) are checked
even when :class:`~govflow.workflow.spec.Workflow` would refuse to construct them, so an
unreachable state or a dead end is reported with its context rather than as a bare error.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

import attrs
import networkx as nx

from govflow.errors import InvalidWorkflowError, PluginError
from govflow.workflow.load import _state, _transition
from govflow.workflow.spec import Relation, State, StateKind, Transition, Workflow

#: The names of the built-in rules, in the order they run.
RULES = (
    "reachable",
    "dead-end",
    "terminal-reachable",
    "closed-loop",
    "separation-of-duties",
    "roles",
    "time-limits",
    "join-deadlines",
    "join-reports",
    "loop-bounds",
)


@attrs.frozen(slots=True)
class Step:
    """One step of a counterexample: being in ``state`` and firing ``trigger`` (None: stop)."""

    state: str
    trigger: str | None = None

    def __str__(self) -> str:
        return self.state if self.trigger is None else f"{self.state} --{self.trigger}-->"


def _steps(value: Iterable[Step | tuple[str, str | None] | str]) -> tuple[Step, ...]:
    out = []
    for item in value:
        if isinstance(item, Step):
            out.append(item)
        elif isinstance(item, str):
            out.append(Step(item))
        else:
            out.append(Step(*item))
    return tuple(out)


@attrs.frozen(slots=True)
class Problem:
    """A rule a workflow breaks.

    :param rule: the rule's name (see the module docstring; plugins choose their own).
    :param message: what is wrong, naming the state or transition.
    :param path: the counterexample, from the initial state: each step a state and the
        trigger fired from it, the last step's trigger None. Empty when no path can show the
        fault (an unreachable state has none).
    :param workflow: the workflow's name (filled in by :func:`check` when a plugin leaves it).
    """

    rule: str
    message: str
    path: tuple[Step, ...] = attrs.field(default=(), converter=_steps)
    workflow: str = ""

    @property
    def states(self) -> list[str]:
        """The states the counterexample visits, in order."""
        return [step.state for step in self.path]

    @property
    def triggers(self) -> list[str]:
        """The triggers the counterexample fires, in order."""
        return [step.trigger for step in self.path if step.trigger is not None]

    def format_path(self) -> str:
        """``collected --file--> filed --dispatch--> handling``."""
        return " ".join(str(step) for step in self.path)

    def __str__(self) -> str:
        where = f"{self.workflow}: " if self.workflow else ""
        path = f"\n    path: {self.format_path()}" if self.path else ""
        return f"{where}[{self.rule}] {self.message}{path}"


def _problems(value: Iterable[Problem]) -> tuple[Problem, ...]:
    return tuple(value)


def _names(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


#: What a plugin's check is: a workflow in, the problems it finds out.
WorkflowCheck = Callable[[Workflow], Iterable[Problem]]


@attrs.frozen(slots=True)
class CheckReport:
    """The outcome of checking one workflow: ``ok`` when ``problems`` is empty."""

    workflow: str
    version: int | None
    problems: tuple[Problem, ...] = attrs.field(converter=_problems)
    rules: tuple[str, ...] = attrs.field(converter=_names)

    @property
    def ok(self) -> bool:
        """True when no rule failed."""
        return not self.problems

    def by_rule(self, rule: str) -> list[Problem]:
        """The problems of one rule."""
        return [p for p in self.problems if p.rule == rule]

    def format(self) -> str:
        """Plain text: a headline, then every problem with its path."""
        name = self.workflow if self.version is None else f"{self.workflow} v{self.version}"
        if self.ok:
            return f"{name}: ok ({len(self.rules)} rules)"
        lines = [f"{name}: {len(self.problems)} problem(s)"]
        lines.extend(f"  {attrs.evolve(p, workflow='')!s}" for p in self.problems)
        return "\n".join(lines)


# --- the graph -------------------------------------------------------------------------------


@attrs.frozen(slots=True)
class _Spec:
    name: str
    version: int | None
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]


def _spec_of(workflow: Workflow) -> _Spec:
    return _Spec(
        workflow.name,
        workflow.version,
        workflow.initial,
        {s.name: s for s in workflow.states},
        workflow.transitions,
    )


def _raw_spec(data: Mapping[str, Any]) -> _Spec:
    """Read a spec from data without the whole-graph validation, so the rules can explain."""
    name = str(data.get("name", "?"))
    states_data = data.get("states", [])
    if isinstance(states_data, Mapping):
        states_data = [{"name": key, **value} for key, value in states_data.items()]
    states = [_state(name, i, s) for i, s in enumerate(states_data)]
    moves = [_transition(name, i, t) for i, t in enumerate(data.get("transitions", []))]
    version = data.get("version", 1)
    return _Spec(
        name,
        version if isinstance(version, int) else None,
        str(data.get("initial", "")),
        {s.name: s for s in states},
        tuple(moves),
    )


def workflow_graph(workflow: Workflow) -> nx.MultiDiGraph[str]:
    """The workflow as a multigraph: a node per state (attribute ``state``: the
    :class:`State`), an edge per ``(source, trigger)`` keyed by the trigger (attribute
    ``transition``: the :class:`Transition`)."""
    return _graph(_spec_of(workflow))


def _graph(spec: _Spec) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for state in spec.states.values():
        graph.add_node(state.name, state=state)
    for move in spec.transitions:
        for source in move.sources:
            for destination in move.destinations:
                if source in spec.states and destination in spec.states:
                    graph.add_edge(source, destination, key=move.trigger, transition=move)
    return graph


def _edge_path(graph: nx.MultiDiGraph[str], nodes: Sequence[str]) -> list[Step]:
    """Steps along a node path, taking the first trigger of each hop (sorted for stability)."""
    steps = []
    for here, there in itertools.pairwise(nodes):
        steps.append(Step(here, min(graph[here][there])))
    if nodes:
        steps.append(Step(nodes[-1]))
    return steps


def _path_to(graph: nx.MultiDiGraph[str], start: str, goal: str) -> list[Step] | None:
    try:
        nodes = nx.shortest_path(graph, start, goal)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return _edge_path(graph, nodes)


def _join(first: list[Step], trigger: str, rest: list[Step]) -> list[Step]:
    """``first`` (ending at a stop), then ``trigger`` from its last state, then ``rest``."""
    return [*first[:-1], Step(first[-1].state, trigger), *rest]


# --- the rules -------------------------------------------------------------------------------


def _reachable(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    if spec.initial not in graph:
        yield Problem("reachable", f"initial state {spec.initial!r} is not declared")
        return
    reached = nx.descendants(graph, spec.initial) | {spec.initial}
    for name in spec.states:
        if name not in reached:
            into = sorted(graph.predecessors(name))
            hint = f"; only {into} lead to it" if into else "; no transition leads to it"
            yield Problem(
                "reachable", f"state {name!r} cannot be reached from {spec.initial!r}{hint}"
            )


def _reached_path(spec: _Spec, graph: nx.MultiDiGraph[str], state: str) -> list[Step]:
    return _path_to(graph, spec.initial, state) or [Step(state)]


def _dead_ends(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    for state in spec.states.values():
        if not state.terminal and graph.out_degree(state.name) == 0:
            yield Problem(
                "dead-end",
                f"state {state.name!r} is not terminal and has no way out",
                _reached_path(spec, graph, state.name),
            )


def _terminal_reachable(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    terminals = [s.name for s in spec.states.values() if s.terminal]
    can_finish = set(terminals)
    for name in terminals:
        can_finish |= nx.ancestors(graph, name)
    for state in spec.states.values():
        # A state without a way out is a dead end, reported by its own rule.
        if state.name in can_finish or graph.out_degree(state.name) == 0:
            continue
        trap = sorted(nx.descendants(graph, state.name) | {state.name})
        yield Problem(
            "terminal-reachable",
            f"from state {state.name!r} no terminal state can be reached; "
            f"an issue there circles among {trap} forever",
            _reached_path(spec, graph, state.name),
        )


def _intake(spec: _Spec) -> set[str]:
    """The OPEN states reachable from the initial state through OPEN states only."""
    if spec.initial not in spec.states or spec.states[spec.initial].kind is not StateKind.OPEN:
        return set()
    seen = {spec.initial}
    frontier = [spec.initial]
    while frontier:
        here = frontier.pop()
        for move in spec.transitions:
            for there in move.destinations:
                if (
                    here in move.sources
                    and there not in seen
                    and there in spec.states
                    and spec.states[there].kind is StateKind.OPEN
                ):
                    seen.add(there)
                    frontier.append(there)
    return seen


def _closed_loop(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    if spec.initial not in spec.states:
        return
    intake = _intake(spec)
    without_feedback = graph.subgraph(
        n for n, s in spec.states.items() if s.kind is not StateKind.FEEDBACK
    )
    closed = sorted(n for n, s in spec.states.items() if s.kind is StateKind.CLOSED)
    # Each acceptance: the path to it, its trigger (None: accepted on opening), where it leads.
    acceptances: list[tuple[list[Step], str | None, str]] = []
    # An issue that starts past intake (say, in PROCESSING) is accepted when opened.
    if not intake and spec.states[spec.initial].kind is not StateKind.CANCELLED:
        acceptances.append(([], None, spec.initial))
    open_only = graph.subgraph(intake)
    for source in sorted(intake):
        for _, accepted, trigger in sorted(graph.out_edges(source, keys=True)):
            if spec.states[accepted].kind in (StateKind.OPEN, StateKind.CANCELLED):
                continue
            before = _path_to(open_only, spec.initial, source) or [Step(source)]
            acceptances.append((before, trigger, accepted))
    reported: set[str] = set()
    for before, trigger, accepted in acceptances:
        if spec.states[accepted].kind is StateKind.FEEDBACK:
            continue
        for goal in closed:
            rest = None if goal in reported else _path_to(without_feedback, accepted, goal)
            if rest is None:
                continue
            reported.add(goal)
            how = f"after acceptance by {trigger!r}" if trigger else "from opening"
            yield Problem(
                "closed-loop",
                f"{how}, an issue can reach closed state {goal!r} without passing a feedback state",
                _join(before, trigger, rest) if trigger else rest,
            )


def _is_evaluation(spec: _Spec, source: str, move: Transition, to: str | None = None) -> bool:
    if move.evaluation:
        return True
    dest = spec.states.get(move.destination if to is None else to)
    return (
        spec.states[source].kind is StateKind.FEEDBACK
        and dest is not None
        and dest.kind is StateKind.CLOSED
    )


def _handling_route(
    spec: _Spec, graph: nx.MultiDiGraph[str], target: str
) -> tuple[list[Step], str, str, list[Step]] | None:
    """A route from the initial state through a handling move to ``target``, if any."""
    for handled_from in sorted(spec.states):
        if spec.states[handled_from].kind is not StateKind.PROCESSING:
            continue
        before = _path_to(graph, spec.initial, handled_from)
        if before is None:
            continue
        for _, after, handling in sorted(graph.out_edges(handled_from, keys=True)):
            middle = _path_to(graph, after, target)
            if middle is not None:
                return before, handling, handled_from, middle
    return None


def _separation(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    if spec.initial not in graph:
        return
    edges: list[tuple[str, str, str, Transition]] = sorted(
        graph.edges(keys=True, data="transition"), key=lambda e: (e[0], e[2])
    )
    for source, dest, trigger, move in edges:
        if not _is_evaluation(spec, source, move, dest) or Relation.NOT_HANDLER in move.relations:
            continue
        if move.on_timeout and not move.roles:
            continue  # only the deadline clock may fire it, and the clock handles nothing
        route = _handling_route(spec, graph, source)
        if route is None:
            continue
        before, handling, handled_from, middle = route
        clock = (
            " (it fires on timeout, but its roles may also fire it by hand)"
            if move.on_timeout
            else ""
        )
        yield Problem(
            "separation-of-duties",
            f"evaluation move {trigger!r} ({source} -> {dest}) can be fired by whoever "
            f"handled the issue (by {handling!r} from {handled_from!r}){clock}; mark it "
            "evaluation=true or require not_handler",
            _join(_join(before, handling, middle), trigger, [Step(dest)]),
        )


def _role_names(org_schema: object) -> frozenset[str] | None:
    if org_schema is None:
        return None
    roles = getattr(org_schema, "roles", org_schema)
    if callable(roles):
        roles = roles()
    if isinstance(roles, str) or not isinstance(roles, Collection):
        raise TypeError(
            "org_schema must be a collection of role names or have a 'roles' attribute "
            f"holding one, got {type(org_schema).__name__}"
        )
    return frozenset(str(r) for r in roles)


def _roles(spec: _Spec, graph: nx.MultiDiGraph[str], known: frozenset[str]) -> Iterator[Problem]:
    for move in spec.transitions:
        missing = sorted(move.roles - known)
        if not missing:
            continue
        source = move.sources[0]
        before = _reached_path(spec, graph, source)
        yield Problem(
            "roles",
            f"transition {move.trigger!r} names roles {missing} that the org schema does not "
            f"declare (known: {sorted(known)})",
            _join(before, move.trigger, [Step(move.destination)]),
        )


def _time_limits(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    for state in spec.states.values():
        if state.terminal or state.time_limit is not None or state.timeout_exempt:
            continue
        yield Problem(
            "time-limits",
            f"state {state.name!r} is open-ended: give it a time_limit or set timeout_exempt",
            _reached_path(spec, graph, state.name),
        )


def _join_deadlines(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    for state in spec.states.values():
        if state.join is not None and state.join.party_limit is None:
            yield Problem(
                "join-deadlines",
                f"join state {state.name!r} gives its parties no deadline: declare "
                "party_limit, so an overdue party is escalated on its own",
                _reached_path(spec, graph, state.name),
            )


def _join_reports(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    for state in spec.states.values():
        if state.join is None:
            continue
        if not any(m.reports and state.name in m.sources for m in spec.transitions):
            yield Problem(
                "join-reports",
                f"join state {state.name!r} has no report move (reports=true) leaving it: "
                "its parties' tasks cannot reach the join",
                _reached_path(spec, graph, state.name),
            )


def _unbounded(spec: _Spec) -> nx.MultiDiGraph[str]:
    """The graph once every bound is spent: bounded moves and branches are gone."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    graph.add_nodes_from(spec.states)
    for move in spec.transitions:
        if move.max_times is not None:
            continue
        ends = [b.destination for b in move.branches if b.max_times is None]
        for source in move.sources:
            for destination in (*ends, move.destination):
                if source in spec.states and destination in spec.states:
                    graph.add_edge(source, destination, key=move.trigger)
    return graph


def _loop_bounds(spec: _Spec, graph: nx.MultiDiGraph[str]) -> Iterator[Problem]:
    bounded = [
        m
        for m in spec.transitions
        if m.max_times is not None or any(b.max_times for b in m.branches)
    ]
    if not bounded:
        return
    spent = _unbounded(spec)
    can_finish: set[str] = set()
    for name, state in spec.states.items():
        if state.terminal:
            can_finish |= nx.ancestors(spent, name) | {name}
    reached = (
        nx.descendants(graph, spec.initial) | {spec.initial} if spec.initial in graph else set()
    )
    for name in spec.states:
        if name in can_finish or name not in reached or graph.out_degree(name) == 0:
            continue  # an unreachable state or a dead end has a rule of its own
        triggers = sorted({m.trigger for m in bounded})
        yield Problem(
            "loop-bounds",
            f"once the bounds of {triggers} are spent, state {name!r} can reach no terminal "
            "state: give the bounded move a way on (a later branch or the default destination)",
            _reached_path(spec, graph, name),
        )


# --- entry points ----------------------------------------------------------------------------


def _run_plugin_check(check: WorkflowCheck, workflow: Workflow) -> list[Problem]:
    name = getattr(check, "__qualname__", repr(check))
    try:
        found: list[object] = list(check(workflow))
    except Exception as err:  # a broken plugin check must not hide the other results
        return [Problem("plugin-check-crashed", f"check {name} raised {err!r}")]
    problems = []
    for item in found:
        if not isinstance(item, Problem):
            problems.append(
                Problem("plugin-check-crashed", f"check {name} returned {item!r}, not a Problem")
            )
        else:
            problems.append(item)
    return problems


def check(
    workflow: Workflow | Mapping[str, Any],
    org_schema: object = None,
    *,
    checks: Iterable[WorkflowCheck] = (),
) -> CheckReport:
    """Check a workflow against every rule; return a report of the problems found.

    :param workflow: a :class:`Workflow`, or its plain-data form (as read from TOML or JSON),
        which is checked even if it would not construct.
    :param org_schema: the roles that exist: a collection of role names, or any object whose
        ``roles`` attribute (or method) gives one. Without it the ``roles`` rule is skipped.
    :param checks: extra checks (see :data:`WorkflowCheck`), typically the plugins' answers to
        the ``govflow_checks`` hook; they run only on a workflow that constructs.
    """
    built: Workflow | None
    construct_error: InvalidWorkflowError | None = None
    if isinstance(workflow, Workflow):
        built, spec = workflow, _spec_of(workflow)
    else:
        try:
            built = Workflow.from_dict(workflow)
        except InvalidWorkflowError as err:
            built, construct_error = None, err
        try:
            spec = _spec_of(built) if built is not None else _raw_spec(workflow)
        except InvalidWorkflowError as err:
            name = str(workflow.get("name", "?"))
            return CheckReport(
                name, None, [Problem("valid", err.problem, workflow=name)], ["valid"]
            )
    known = _role_names(org_schema)
    graph = _graph(spec)
    rules: list[tuple[str, Callable[[], Iterator[Problem]]]] = [
        ("reachable", lambda: _reachable(spec, graph)),
        ("dead-end", lambda: _dead_ends(spec, graph)),
        ("terminal-reachable", lambda: _terminal_reachable(spec, graph)),
        ("closed-loop", lambda: _closed_loop(spec, graph)),
        ("separation-of-duties", lambda: _separation(spec, graph)),
        ("time-limits", lambda: _time_limits(spec, graph)),
        ("join-deadlines", lambda: _join_deadlines(spec, graph)),
        ("join-reports", lambda: _join_reports(spec, graph)),
        ("loop-bounds", lambda: _loop_bounds(spec, graph)),
    ]
    if known is not None:
        rules.insert(5, ("roles", lambda: _roles(spec, graph, known)))
    problems: list[Problem] = []
    for _, rule in rules:
        problems.extend(rule())
    ran = [name for name, _ in rules]
    if built is not None:
        for extra in checks:
            problems.extend(_run_plugin_check(extra, built))
            ran.append(getattr(extra, "__qualname__", repr(extra)))
    elif construct_error is not None and not problems:
        # The graph rules found nothing, so say what the constructor objected to.
        problems.append(Problem("valid", construct_error.problem))
        ran.append("valid")
    named = [p if p.workflow else attrs.evolve(p, workflow=spec.name) for p in problems]
    return CheckReport(spec.name, spec.version, named, ran)


def plugin_checks(engine: Any) -> list[WorkflowCheck]:
    """Every check the engine's plugins contribute through ``govflow_checks``."""
    found: list[WorkflowCheck] = []
    for ref, answer in engine.plugins.collect("govflow_checks"):
        for item in answer:
            if not callable(item):
                raise PluginError(ref.name, f"govflow_checks returned {item!r}, not a callable")
            found.append(item)
    return found


def check_engine(engine: Any, org_schema: object = None) -> list[CheckReport]:
    """Check every workflow registered in ``engine`` (latest versions), with its plugins'
    checks and the ``linked-workflows`` rule; the org schema defaults to none (the ``roles``
    rule is skipped)."""
    extra = plugin_checks(engine)
    reports = {
        name: check(workflow, org_schema, checks=extra)
        for name, workflow in sorted(engine.workflows.items())
    }
    return [
        attrs.evolve(
            report,
            problems=(*report.problems, *_linked_workflows(engine.workflows[name], reports)),
            rules=(*report.rules, "linked-workflows"),
        )
        for name, report in reports.items()
    ]


def _linked_workflows(workflow: Workflow, reports: Mapping[str, CheckReport]) -> Iterator[Problem]:
    graph = workflow_graph(workflow)
    spec = _spec_of(workflow)
    for move in workflow.transitions:
        for link in move.opens:
            before = _reached_path(spec, graph, move.sources[0])
            path = _join(before, move.trigger, [Step(move.destination)])
            child = reports.get(link.workflow)
            if child is None:
                yield Problem(
                    "linked-workflows",
                    f"transition {move.trigger!r} opens a {link.workflow!r} child (link "
                    f"{link.name!r}), but no such workflow is registered",
                    path,
                    workflow.name,
                )
                continue
            for problem in child.by_rule("closed-loop"):
                yield Problem(
                    "linked-workflows",
                    f"child workflow {link.workflow!r} (link {link.name!r}) fails the "
                    f"closed-loop rule: {problem.message}",
                    path,
                    workflow.name,
                )


__all__ = [
    "RULES",
    "CheckReport",
    "Problem",
    "Step",
    "WorkflowCheck",
    "check",
    "check_engine",
    "plugin_checks",
    "workflow_graph",
]
