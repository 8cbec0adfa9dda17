"""Hypothesis strategies for govflow: random valid workflows, casts, and event sequences.

Needs hypothesis (a dev extra of govflow; whoever imports this module has it)::

    from hypothesis import given, strategies as st
    from govflow.testing.strategies import workflows, cast_for, event_sequences

    @given(st.data())
    def test_anything(data):
        workflow = data.draw(workflows())
        cast = cast_for(workflow)
        moves = data.draw(event_sequences(workflow, cast))
        ...

``org_literals()`` generates compact org literals (see :mod:`govflow.testing.org`) and
``org_graphs()`` builds them into ``govflow.org.OrgGraph`` objects (which needs
:mod:`govflow.org`). ``ledger_records()`` generates the arguments of one ledger entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from govflow.records import Actor
from govflow.testing.org import build_org
from govflow.workflow.spec import Relation, State, StateKind, Transition, Workflow

#: Roles generated workflows draw from; :func:`cast_for` gives one actor per role.
ROLES = ("clerk", "worker", "judge")
#: An alias for the reporter in every cast.
REPORTER = "reporter"
#: An alias for an actor with no role.
NOBODY = "nobody"
#: A trigger no generated workflow declares, so sequences also try unknown moves.
UNKNOWN_TRIGGER = "no-such-move"

_WORKING_KINDS = (
    StateKind.OPEN,
    StateKind.PROCESSING,
    StateKind.DELIBERATION,
    StateKind.FEEDBACK,
)
_LIMITS = (None, "1h", "8h", "3d")

#: One step of an event sequence: ``(trigger, actor alias, payload)``.
Step = tuple[str, str, dict[str, Any]]


@st.composite
def _transition_flags(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "roles": draw(st.frozensets(st.sampled_from(ROLES), max_size=2)),
        "requires": draw(
            st.frozensets(st.sampled_from([Relation.REPORTER, Relation.ASSIGNEE]), max_size=1)
        ),
        "evaluation": draw(st.booleans()),
        "assigns": draw(st.booleans()),
    }


@st.composite
def workflows(
    draw: st.DrawFn, *, max_states: int = 7, max_extra_moves: int = 6, name: str = "generated"
) -> Workflow:
    """Valid random workflows: every state reachable, every non-terminal state with a way out.

    The structure is a random spanning tree from the initial state (each working state entered
    from an earlier one), a way out of every working state to a later state or a terminal one,
    an entry into every terminal state, then random extra moves (loops and rework included).
    Moves carry random roles from :data:`ROLES`, relations, evaluation and assigning flags;
    states random kinds and time limits, some with a timeout move. No guards are named.
    """
    working = draw(st.integers(min_value=1, max_value=max(1, max_states - 1)))
    terminals = draw(st.integers(min_value=1, max_value=max(1, min(2, max_states - working))))
    states = [
        State(
            f"s{i}",
            kind=StateKind.OPEN if i == 0 else draw(st.sampled_from(_WORKING_KINDS)),
            time_limit=draw(st.sampled_from(_LIMITS)),
        )
        for i in range(working)
    ]
    states += [
        State(f"end{i}", kind=draw(st.sampled_from([StateKind.CLOSED, StateKind.CANCELLED])))
        for i in range(terminals)
    ]
    names = [s.name for s in states]
    last = len(names) - 1
    # A spanning tree into every working state, a way out of each, an entry into each end.
    edges = [(names[draw(st.integers(0, i - 1))], names[i]) for i in range(1, working)]
    edges += [(names[i], names[draw(st.integers(i + 1, last))]) for i in range(working)]
    edges += [(names[draw(st.integers(0, working - 1))], end) for end in names[working:]]
    extra = draw(st.integers(0, max_extra_moves))
    edges += [
        (names[draw(st.integers(0, working - 1))], draw(st.sampled_from(names)))
        for _ in range(extra)
    ]
    transitions = []
    timed_out: set[str] = set()
    for number, (source, dest) in enumerate(edges):
        limit = states[names.index(source)].time_limit
        on_timeout = limit is not None and source not in timed_out and draw(st.booleans())
        if on_timeout:
            timed_out.add(source)
        transitions.append(
            Transition(
                f"m{number}", source, dest, on_timeout=on_timeout, **draw(_transition_flags())
            )
        )
    return Workflow(name=name, states=states, transitions=transitions, initial=names[0])


def cast_for(workflow: Workflow) -> dict[str, Actor]:
    """Actors by alias for a workflow: the reporter, one with no role, one per role it names."""
    cast = {REPORTER: Actor(REPORTER), NOBODY: Actor(NOBODY)}
    for role in sorted(workflow.roles):
        cast[role] = Actor(f"{role}-1", roles={role})
    return cast


def _suited(move: Transition, cast: Mapping[str, Actor]) -> list[str]:
    """Aliases whose actor holds one of the move's roles, the reporter if the move needs it."""
    suited = sorted(alias for alias, actor in cast.items() if actor.has_any_role(move.roles))
    if Relation.REPORTER in move.requires and REPORTER in suited:
        return [REPORTER]
    return suited


@st.composite
def event_sequences(
    draw: st.DrawFn,
    workflow: Workflow,
    actors: Mapping[str, Actor] | None = None,
    *,
    max_size: int = 20,
) -> list[Step]:
    """Lists of ``(trigger, actor alias, payload)`` for ``workflow``.

    Mostly a random walk along the workflow's graph (each step a move out of the state the walk
    has reached, by an actor holding one of its roles, so many moves are accepted), mixed with
    arbitrary triggers -- :data:`UNKNOWN_TRIGGER` among them -- by arbitrary actors, which the
    engine should refuse. Payloads sometimes name ``assignees`` from the cast. ``actors`` maps
    aliases to actors (default: :func:`cast_for`).
    """
    cast = cast_for(workflow) if actors is None else actors
    aliases = sorted(cast)
    ids = sorted(actor.id for actor in cast.values())
    triggers = sorted(workflow.triggers)
    payloads = st.one_of(
        st.just({}),
        st.builds(lambda who: {"assignees": who}, st.lists(st.sampled_from(ids), min_size=1)),
    )
    steps: list[Step] = []
    here = workflow.initial
    for _ in range(draw(st.integers(0, max_size))):
        moves = workflow.outgoing(here)
        if moves and draw(st.integers(0, 4)) > 0:
            move = draw(st.sampled_from(moves))
            suited = _suited(move, cast) or aliases
            # Assigning everyone lets later moves that require an assignee through.
            payload = {"assignees": ids} if move.assigns else draw(payloads)
            steps.append((move.trigger, draw(st.sampled_from(suited)), payload))
            here = move.destination
        else:
            trigger = draw(st.sampled_from([*triggers, UNKNOWN_TRIGGER]))
            steps.append((trigger, draw(st.sampled_from(aliases)), draw(payloads)))
    return steps


#: Roles people hold in generated org graphs.
ORG_ROLES = ("secretary", "grid_worker", *ROLES)

#: A compact org literal: the unit tree and each person's posts.
OrgLiteral = tuple[dict[str, Any], dict[str, list[tuple[str, ...]]]]


@st.composite
def org_literals(
    draw: st.DrawFn, *, max_communities: int = 3, max_grids: int = 3, max_people: int = 6
) -> OrgLiteral:
    """A street of communities, grids and buildings, with people holding posts in them.

    The literal is what :func:`govflow.testing.org.build_org` (and the ``org_factory`` fixture)
    takes: unit ids are ``s1``, ``c1``, ``c1g1``, ``c1g1b1``...; kinds follow govflow's default
    org schema (street → community → grid → building).
    """
    communities: dict[str, Any] = {}
    units = ["s1"]
    for c in range(1, draw(st.integers(1, max_communities)) + 1):
        grids: dict[str, Any] = {}
        units.append(f"c{c}")
        for g in range(1, draw(st.integers(0, max_grids)) + 1):
            grid = f"c{c}g{g}"
            names = [f"{grid}b{b}" for b in range(1, draw(st.integers(0, 2)) + 1)]
            units += [grid, *names]
            grids[f"grid:{grid}"] = {f"building:{name}": {} for name in names}
        communities[f"community:c{c}"] = grids
    post = st.tuples(st.sampled_from(units), st.sampled_from(ORG_ROLES))
    people: dict[str, list[tuple[str, ...]]] = {
        f"p{n}": draw(st.lists(post, min_size=1, max_size=2, unique_by=lambda p: p[0]))
        for n in range(1, draw(st.integers(0, max_people)) + 1)
    }
    return {"street:s1": communities}, people


def org_graphs(**bounds: int) -> st.SearchStrategy[Any]:
    """``govflow.org.OrgGraph`` objects built from :func:`org_literals` (same bounds)."""
    return org_literals(**bounds).map(lambda literal: build_org(*literal))


@st.composite
def staffed_orgs(
    draw: st.DrawFn, *, max_communities: int = 3, max_grids: int = 3, max_people: int = 6
) -> Any:
    """An org graph from :func:`org_literals` with a party branch leading some grids, holding
    one of :data:`ORG_ROLES` through a person of its own or one of the literal's people: what
    authority's property tests walk (see :mod:`govflow.testing.authority`)."""
    tree, people = draw(
        org_literals(max_communities=max_communities, max_grids=max_grids, max_people=max_people)
    )
    org = build_org(tree, people)
    grids = [unit.id for unit in org.units(kind="grid")]
    for grid in draw(st.lists(st.sampled_from(grids), unique=True)) if grids else []:
        branch = org.add_unit(f"{grid}/party", "branch", f"{grid}党支部")
        org.add_edge("leads", branch.id, grid)
        holder = draw(st.sampled_from([f"{grid}/secretary", *people]))
        if holder not in org.people:
            org.add_person(holder, holder)
        org.assign(holder, branch.id, draw(st.sampled_from(ORG_ROLES)))
    return org


@st.composite
def ledger_records(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = ("served", "stationed"),
    units: tuple[str, ...] = ("community-1", "community-2"),
    subjects: tuple[str, ...] = ("member-1", "member-2", "member-3"),
) -> dict[str, Any]:
    """Keyword arguments for one :meth:`govflow.ledgers.Ledgers.record` (all but the ledger):
    a kind, a unit, a subject, an actor, an aware ``at`` in 2024, and JSON data with ``hours``."""
    return {
        "kind": draw(st.sampled_from(kinds)),
        "unit": draw(st.sampled_from(units)),
        "subject": draw(st.sampled_from(subjects)),
        "actor": draw(st.sampled_from(subjects)),
        "at": draw(
            st.datetimes(
                min_value=datetime(2024, 1, 1),  # noqa: DTZ001  (naive bounds, aware values)
                max_value=datetime(2024, 12, 31),  # noqa: DTZ001
                timezones=st.just(UTC),
            )
        ),
        "data": {
            "hours": draw(st.floats(min_value=0, max_value=12, allow_nan=False).map(float)),
            "note": draw(st.text(max_size=8)),
        },
    }


__all__ = [
    "NOBODY",
    "ORG_ROLES",
    "REPORTER",
    "ROLES",
    "UNKNOWN_TRIGGER",
    "Step",
    "cast_for",
    "event_sequences",
    "ledger_records",
    "org_graphs",
    "org_literals",
    "staffed_orgs",
    "workflows",
]
