"""A deterministic simulation of a district running the closed loop, for demos and load.

Residents report issues at random times over a number of days; the service centre files (or
turns away) and dispatches them to the grid worker of the issue's location; workers take a
random time to finish, some too long (the deadline clock puts those under supervision);
inspectors send some back for rework; most residents rate the result, some never do (the clock
closes those unrated). Everything runs through the public Engine API against the engine's clock,
which must be a :class:`~govflow.ManualClock`; the same seed always gives the same log.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Sequence
from datetime import timedelta

import attrs

from govflow.clock import ManualClock
from govflow.engine import Engine
from govflow.errors import InvalidRequestError, RefusalError
from govflow.org import OrgGraph
from govflow.records import Actor

#: The five categories of Bengbu's one-group-one-council method (seed 002).
CATEGORIES = ("志愿服务", "信息维稳", "养老护幼", "矛盾调解", "安全防护")

CENTRE = Actor("centre", roles={"operator", "dispatcher"}, name="街道综合服务中心")
INSPECTOR = Actor("inspector", roles={"inspector"}, name="核查员")


def staff_centre(org: OrgGraph, unit_id: str) -> None:
    """Give :data:`CENTRE` and :data:`INSPECTOR` their posts in ``unit_id`` (a street or a
    district whose jurisdiction covers the simulated locations): with an org graph, only posts
    authorize, so the simulation's staff must hold them there."""
    for actor in (CENTRE, INSPECTOR):
        if actor.id not in org.people:
            org.add_person(actor.id, actor.name or actor.id)
        org.assign(actor.id, unit_id, *sorted(actor.roles))


#: Unit kinds that handle issues assigned to them and need people to act for them.
HANDLING_KINDS = ("department", "work_unit", "law_enforcement", "social_organization")


def staff_units(org: OrgGraph, kinds: Sequence[str] = HANDLING_KINDS) -> int:
    """Give every unit of ``kinds`` that has no posts one person holding ``staff`` there (a
    unit acts through its people, so a simulated department needs someone); returns how many.
    """
    added = 0
    for kind in kinds:
        for unit in org.units(kind=kind):
            if not org.members(unit.id):
                person = f"{unit.id}/staff"
                org.add_person(person, f"{unit.name}工作人员")
                org.assign(person, unit.id, "staff")
                added += 1
    return added


def populate_bodies(org: OrgGraph, *, councillors: int = 7, representatives: int = 15) -> None:
    """Seat the deliberating bodies a simulated district lacks: ``councillors`` in every
    residents' or villagers' council without them, and in every administrative village
    ``representatives`` holding ``representative`` and as many party members living there."""
    for kind in ("residents_council", "villagers_council"):
        for council in org.units(kind=kind):
            if not org.members(council.id, "councillor"):
                for number in range(1, councillors + 1):
                    person = f"{council.id}/councillor-{number}"
                    org.add_person(person, f"{council.name}成员{number}")
                    org.assign(person, council.id, "councillor")
    for village in org.units(kind="administrative_village"):
        if org.members(village.id, "representative"):
            continue
        for number in range(1, representatives + 1):
            rep = f"{village.id}/representative-{number}"
            org.add_person(rep, f"村民代表{number}", home_unit=village.id)
            org.assign(rep, village.id, "representative")
            org.add_person(
                f"{village.id}/party-member-{number}",
                f"党员{number}",
                party_member=True,
                home_unit=village.id,
            )


def grid_worker(location: str) -> Actor:
    """The grid worker (网格员) who handles issues at ``location`` when the engine has no org
    graph to find one in."""
    return Actor(f"grid-worker@{location}", roles={"grid_worker"}, home_unit=location)


@attrs.frozen
class SimulationResult:
    """What a simulation did: issues opened, moves fired, deadline moves among them."""

    opened: int
    moves: int
    deadline_moves: int


def simulate(
    engine: Engine,
    locations: Sequence[str],
    *,
    issues: int = 200,
    days: int = 14,
    seed: int = 2024,
) -> SimulationResult:
    """Run ``issues`` closed-loop issues at ``locations`` over ``days`` simulated days.

    With an org graph, :data:`CENTRE` and :data:`INSPECTOR` must hold their posts where they
    cover the locations (:func:`staff_centre`); the grid workers are the graph's.
    """
    if not locations:
        raise InvalidRequestError("simulate needs at least one location")
    clock = engine.clock
    if not isinstance(clock, ManualClock):
        raise InvalidRequestError("simulate drives time itself: give the engine a ManualClock")
    rng = random.Random(seed)  # noqa: S311  (a reproducible simulation, not a secret)
    start = clock.now()
    agenda: list[tuple[float, int, str, str]] = []  # (hours from start, tie-break, issue, step)
    counter = 0

    def plan(hours: float, issue_id: str, step: str) -> None:
        nonlocal counter
        counter += 1
        heapq.heappush(agenda, (hours, counter, issue_id, step))

    arrivals = sorted(rng.uniform(0, days * 24) for _ in range(issues))
    reporters: dict[str, Actor] = {}
    for number, hours in enumerate(arrivals):
        plan(hours, f"arrival-{number}", "open")

    moves = deadline_moves = opened = 0
    while agenda:
        hours, _, issue_id, step = heapq.heappop(agenda)
        clock.set(max(clock.now(), start + timedelta(hours=hours)))
        deadline_moves += len(engine.tick())
        if step == "open":
            location = rng.choice(locations)
            resident = Actor(f"resident-{rng.randrange(10**6):06d}", home_unit=location)
            issue = engine.open(
                "closed-loop",
                reporter=resident,
                location=location,
                category=rng.choice(CATEGORIES),
                data={"text": "居民反映问题", "channel": rng.choice(["12345", "网格员", "小程序"])},
            )
            reporters[issue.id] = resident
            opened += 1
            plan(hours + rng.uniform(0.2, 1.5), issue.id, "intake")
            continue
        try:
            moves += _step(engine, rng, issue_id, step, reporters[issue_id], hours, plan)
        except RefusalError:
            continue  # the clock moved it first (supervised, closed unrated): nothing to do
    # Let the clock finish what people left: ratings never given close unrated.
    clock.set(max(clock.now(), start + timedelta(days=days + 4)))
    deadline_moves += len(engine.tick())
    return SimulationResult(opened, moves + deadline_moves, deadline_moves)


def _step(  # noqa: PLR0917  (one call site, every argument is the simulation's state)
    engine: Engine,
    rng: random.Random,
    issue_id: str,
    step: str,
    resident: Actor,
    hours: float,
    schedule: Callable[[float, str, str], None],
) -> int:
    issue = engine.get(issue_id)
    if step == "intake":
        if rng.random() < 0.05:
            engine.fire(issue_id, "cancel", actor=CENTRE, payload={"reason": "不属于受理范围"})
            return 1
        engine.fire(issue_id, "file", actor=CENTRE)
        # With an org graph the engine finds the grid worker itself; without, we name one.
        routed = (
            None
            if engine.org is not None
            else {"assignees": [grid_worker(issue.location or "?").id]}
        )
        engine.fire(issue_id, "dispatch", actor=CENTRE, payload=routed)
        schedule(hours + rng.expovariate(1 / 30), issue_id, "finish")
        return 2
    if step == "finish":
        worker = Actor(issue.assignees[0], roles={"grid_worker"})
        engine.fire(issue_id, "finish", actor=worker, payload={"note": "已处理"})
        schedule(hours + rng.uniform(1, 12), issue_id, "inspect")
        return 1
    if step == "inspect":
        if rng.random() < 0.15:
            engine.fire(issue_id, "rework", actor=INSPECTOR, payload={"reason": "整改不到位"})
            schedule(hours + rng.uniform(4, 24), issue_id, "finish")
        else:
            engine.fire(issue_id, "verify", actor=INSPECTOR)
            if rng.random() < 0.85:
                schedule(hours + rng.uniform(1, 48), issue_id, "rate")
        return 1
    roll = rng.random()
    rating = "satisfied" if roll < 0.8 else "basically_satisfied" if roll < 0.92 else "dissatisfied"
    engine.fire(issue_id, "evaluate", actor=resident, payload={"satisfaction": rating})
    return 1


__all__ = [
    "CATEGORIES",
    "CENTRE",
    "HANDLING_KINDS",
    "INSPECTOR",
    "SimulationResult",
    "grid_worker",
    "populate_bodies",
    "simulate",
    "staff_centre",
    "staff_units",
]
