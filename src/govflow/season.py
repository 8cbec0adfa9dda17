"""A season of a real district's issues, every installed method taking its share.

:func:`run_season` builds a district from the official division table (蚌山区 by default, any
district by its code) with synthetic people, posts, councils and paired departments
(:func:`govflow.org.synthesize`), then lets residents raise issues over a period: arrivals
follow a weekly rhythm (fewer at weekends), each issue goes to a *method* -- the closed loop,
and every method a plugin contributes through ``govflow_simulation_methods`` -- in proportion
to the method's ``share``, and each issue lives out its method's *story*.

A story is a generator function taking a :class:`Scene`: it makes the issue's moves through
the public :class:`~govflow.Engine` API and yields how many hours pass before its next step
(handling times, residents taking their time to rate, meetings convening). The season resumes
each story at its time on the engine's :class:`~govflow.ManualClock`, and ticks the clock as
time passes so that deadline moves (supervision, closing unrated, public-notice periods) fire
as they would in production. A story whose move is refused because the clock moved the issue
first simply ends. The same seed gives the same record.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs

from govflow.clock import ManualClock
from govflow.engine import Engine
from govflow.errors import InvalidRequestError, TransitionNotAllowedError
from govflow.org import OrgGraph, load_divisions, synthesize
from govflow.plugins import PluginHost
from govflow.records import Actor, Issue
from govflow.simulation import CENTRE, INSPECTOR, populate_bodies, staff_centre, staff_units
from govflow.store import SQLStore, Store

#: 蚌山区, Bengbu: where 一组一会 and 六事工作法 come from.
DEFAULT_DISTRICT = "340303"
#: A Monday at 08:00 Beijing time (00:00 UTC).
DEFAULT_START = datetime(2024, 3, 4, 0, 0, tzinfo=UTC)

#: A story: the moves of one issue, yielding the hours until its next step.
Story = Callable[["Scene"], Iterator[float]]

#: Relative arrivals by weekday (Monday first): residents report less at weekends.
WEEKLY_RHYTHM = (1.15, 1.1, 1.05, 1.05, 1.0, 0.6, 0.5)


@attrs.frozen
class Method:
    """A method's part in a season.

    :param workflow: the workflow its issues are opened on.
    :param share: its relative share of the season's arrivals (the closed loop's is 1).
    :param places: the kind of org unit its issues arise in (``grid``, ``residential_area``,
        ``community``, ``administrative_village``...); places of that kind in the district are
        drawn at random. A district without any such place gives the method no issues.
    :param story: the generator function playing out one issue.
    :param categories: the categories its issues come in, with relative weights; the story
        reads the drawn one as :attr:`Scene.category`.
    """

    workflow: str
    share: float
    places: str
    story: Story
    categories: Mapping[str, float] = attrs.field(factory=dict)


@attrs.define
class Scene:
    """What a story knows about its issue: the engine, the place, a random source."""

    engine: Engine
    org: OrgGraph
    rng: random.Random
    location: str
    category: str | None
    number: int
    issue_id: str = ""

    @property
    def issue(self) -> Issue:
        """The issue as it stands now (after the clock's moves too)."""
        return self.engine.get(self.issue_id)

    def resident(self) -> Actor:
        """A resident living at the scene's place."""
        return Actor(f"resident-{self.number:05d}", home_unit=self.location)

    def unit(self, kind: str) -> str | None:
        """The scene's place or the nearest unit above it of ``kind``."""
        return next((u.id for u in self.org.chain(self.location) if u.kind == kind), None)

    def staff(self, person: str, unit: str, *roles: str) -> Actor:
        """``person`` holding ``roles`` in ``unit`` (posts added to the org graph the first
        time): with an org graph, only posts authorize, so a story's staff must hold them."""
        if person not in self.org.people:
            self.org.add_person(person, person.rsplit("/", 1)[-1])
        held = {post.role for post in self.org.members(unit) if post.person.id == person}
        missing = sorted(set(roles) - held)
        if missing:
            self.org.assign(person, unit, *missing)
        return Actor(person, home_unit=unit)

    def holder(self, role: str) -> Actor:
        """Whoever holds ``role`` responsible for the scene's place (the nearest post up its
        chain); someone is given the post at the place if nobody holds one."""
        post = self.org.responsible(self.location, role)
        if post is not None:
            return Actor(post.person.id, home_unit=post.unit.id)
        return self.staff(f"{self.location}/{role}", self.location, role)

    def member_of(self, unit: str) -> Actor:
        """Someone holding a post in ``unit``, who acts for it (a unit acts through its
        people); a clerk is given a post there if nobody holds one."""
        posts = self.org.members(unit)
        if posts:
            return Actor(posts[0].person.id, home_unit=unit)
        return self.staff(f"{unit}/clerk", unit, "clerk")

    def body(self, key: str) -> list[str]:
        """The members of the deliberating body ``key`` the issue's gate froze into its data
        (``data["bodies"][key]``), when it entered the gate."""
        entry = self.issue.data.get("bodies", {}).get(key)
        members = entry.get("members", ()) if isinstance(entry, Mapping) else entry or ()
        return [str(member) for member in members]

    def hours(self, mean: float) -> float:
        """A handling time: exponentially distributed around ``mean`` hours."""
        return self.rng.expovariate(1 / mean)

    @staticmethod
    def side_by_side(done_in: Mapping[str, float]) -> list[tuple[float, str]]:
        """Parties working side by side (the departments of a join), each done
        ``done_in[party]`` hours from now: each party with the hours to wait after the report
        before it, in the order the reports come in (ties by party). A story yields each wait,
        then makes that party's report."""
        done = sorted((hours, party) for party, hours in done_in.items())
        return [
            (at - (done[number - 1][0] if number else 0.0), party)
            for number, (at, party) in enumerate(done)
        ]


@attrs.frozen
class SeasonResult:
    """What a season did: the org it ran in, the methods, issues opened and moves made."""

    org: OrgGraph
    district: str
    start: datetime
    end: datetime
    methods: tuple[Method, ...]
    opened: Mapping[str, int]
    moves: int
    deadline_moves: int


def save_season(engine: Engine, store: SQLStore) -> int:
    """Copy the season's record from ``engine``'s store into ``store`` in one transaction.

    A season runs in memory (a move is microseconds there, milliseconds in a database that
    commits each one) and is saved at the end; the hash chains come across unchanged. Returns
    the number of events saved.
    """
    return store.add_records((issue, engine.history(issue.id)) for issue in engine.issues())


def district(
    code: str = DEFAULT_DISTRICT, *, seed: int = 2024, divisions: str | Path | None = None
) -> OrgGraph:
    """The district ``code`` (6 digits, or 12 ending in zeros) from the shipped division table,
    filled with synthetic grids, areas, councils, people and paired departments.

    ``divisions``: a folder holding the whole official table (the five CSV files
    :func:`~govflow.org.load_divisions` reads), for a district beyond the five shipped."""
    prefix = code[:6] if len(code) == 12 and code.endswith("000000") else code
    if len(prefix) != 6 or not prefix.isdigit():
        raise InvalidRequestError(f"district code {code!r}: give the 6-digit code, e.g. 340303")
    graph = load_divisions(divisions, prefix=prefix, graph=OrgGraph(PluginHost().org_schema()))
    if not graph.units(kind="street") and not graph.units(kind="township"):
        table = "the shipped division table" if divisions is None else f"{divisions}"
        raise InvalidRequestError(f"district {code!r} is not in {table}")
    synthesize(graph, seed=seed)
    # Authority comes from the graph: the service centre, the handling units and the bodies
    # that deliberate need people holding their posts there.
    staff_centre(graph, (graph.units(kind="district") or graph.units(kind="county"))[0].id)
    staff_units(graph)
    populate_bodies(graph)
    return graph


# --- the closed loop's story ----------------------------------------------------------------

#: The five categories of Bengbu's one-group-one-council method (seed 002), as the closed
#: loop's service centres file them, with relative frequencies.
CLOSED_LOOP_CATEGORIES = {
    "矛盾调解": 3.0,
    "安全防护": 2.5,
    "养老护幼": 2.0,
    "志愿服务": 1.5,
    "信息维稳": 1.0,
}

#: Mean handling hours by category: a dispute takes longer than a volunteer errand.
_HANDLING = {
    "矛盾调解": 40.0,
    "安全防护": 24.0,
    "养老护幼": 30.0,
    "志愿服务": 12.0,
    "信息维稳": 20.0,
}


def closed_loop_story(scene: Scene) -> Iterator[float]:
    """收集 → 立案 → 派遣 → 处理 → 核查 → 评议, with turn-aways, rework and supervision."""
    engine, rng = scene.engine, scene.rng
    resident = scene.resident()
    channel = rng.choice(["12345", "网格员", "小程序"])
    issue = engine.open(
        "closed-loop",
        reporter=resident,
        location=scene.location,
        category=scene.category,
        data={"text": "居民反映问题", "channel": channel},
    )
    scene.issue_id = issue.id
    yield rng.uniform(0.2, 3)
    if rng.random() < 0.04:
        engine.fire(issue.id, "cancel", actor=CENTRE, payload={"reason": "不属于受理范围"})
        return
    engine.fire(issue.id, "file", actor=CENTRE)
    engine.fire(issue.id, "dispatch", actor=CENTRE)  # the org graph finds the grid worker
    for attempt in itertools.count():
        yield scene.hours(_HANDLING.get(scene.category or "", 24.0) / (attempt + 1))
        worker = Actor(scene.issue.assignees[0])
        engine.fire(issue.id, "finish", actor=worker, payload={"note": "已处理"})
        yield rng.uniform(1, 12)
        if attempt < 2 and rng.random() < 0.12:
            engine.fire(issue.id, "rework", actor=INSPECTOR, payload={"reason": "整改不到位"})
            continue
        engine.fire(issue.id, "verify", actor=INSPECTOR)
        break
    if rng.random() < 0.15:
        return  # never rated: the clock closes it unrated
    yield rng.uniform(1, 48)
    roll = rng.random()
    rating = "satisfied" if roll < 0.8 else "basically_satisfied" if roll < 0.92 else "dissatisfied"
    engine.fire(issue.id, "evaluate", actor=resident, payload={"satisfaction": rating})


CLOSED_LOOP_METHOD = Method(
    "closed-loop", 1.0, "grid", closed_loop_story, categories=CLOSED_LOOP_CATEGORIES
)


def play(
    story: Story,
    engine: Engine,
    location: str,
    *,
    category: str | None = None,
    seed: int = 0,
    days: int = 60,
) -> Scene:
    """Play one story alone on ``engine`` (whose clock must be a ManualClock and whose org
    graph holds ``location``), ticking the deadline clock hourly as it goes; once the story ends,
    the clock finishes what it left (due moves), until nothing is due or ``days`` pass. For
    testing a method's story; returns its scene (``scene.issue``). A refused move raises.
    """
    clock = engine.clock
    if not isinstance(clock, ManualClock) or engine.org is None:
        raise InvalidRequestError("play needs an engine with a ManualClock and an org graph")
    rng = random.Random(seed)  # noqa: S311  (a reproducible simulation, not a secret)
    scene = Scene(engine, engine.org, rng, location, category, 0)
    end = clock.now() + timedelta(days=days)
    steps = story(scene)
    for delay in steps:
        target = min(clock.now() + timedelta(hours=max(delay, 0.01)), end)
        while clock.now() + timedelta(hours=1) < target:
            clock.advance(hours=1)
            engine.tick()
        clock.set(target)
        engine.tick()
        if target >= end:
            break
    # The story is done; what people left, the clock finishes (closing unrated, say).
    while scene.issue_id and scene.issue.due_at is not None and clock.now() < end:
        clock.set(min(max(scene.issue.due_at, clock.now()) + timedelta(minutes=1), end))
        engine.tick()
    return scene


def installed_methods(engine: Engine) -> list[Method]:
    """The closed loop's part and every part plugins contribute for workflows the engine has."""
    methods = [CLOSED_LOOP_METHOD]
    for _, answer in engine.plugins.collect("govflow_simulation_methods"):
        methods.extend(m for m in answer if m.workflow in engine.workflows)
    return methods


# --- the season -------------------------------------------------------------------------------


def _arrival_hours(rng: random.Random, issues: int, days: int, start: datetime) -> list[float]:
    """``issues`` arrival times in hours from ``start``, by the weekly rhythm, in office
    hours mostly (08:00-20:00 Beijing time)."""
    weights = [WEEKLY_RHYTHM[(start + timedelta(days=d)).weekday()] for d in range(days)]
    chosen = rng.choices(range(days), weights=weights, k=issues)
    return sorted(day * 24 + rng.triangular(0, 12, 3) for day in chosen)


def run_season(
    store: Store | None = None,
    *,
    district_code: str = DEFAULT_DISTRICT,
    issues: int = 1200,
    days: int = 91,
    seed: int = 2024,
    start: datetime = DEFAULT_START,
    org: OrgGraph | None = None,
    plugins: Iterable[object] = (),
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Engine, SeasonResult]:
    """Run a season of ``issues`` issues over ``days`` days in ``district_code``.

    :param store: where the record goes (in memory by default).
    :param org: the district, if already built (else :func:`district` of the code and seed).
    :param plugins: plugins to register besides the installed ones (their methods join in).
    :param progress: called with (issues opened so far, ``issues``) as the season runs.
    :return: the engine (on ``store``, its clock at the end of the season) and what happened.
    """
    if issues < 1 or days < 1:
        raise InvalidRequestError("a season needs at least one issue and one day")
    graph = org if org is not None else district(district_code, seed=seed)
    clock = ManualClock(start)
    engine = Engine(org=graph, plugins=plugins, store=store, clock=clock)
    rng = random.Random(seed)  # noqa: S311  (a reproducible simulation, not a secret)
    methods = [m for m in installed_methods(engine) if graph.units(kind=m.places)]
    places = {m.places: [u.id for u in graph.units(kind=m.places)] for m in methods}
    agenda: list[tuple[float, int, Iterator[float] | Method]] = []
    counter = itertools.count()
    for hours in _arrival_hours(rng, issues, days, start):
        (method,) = rng.choices(methods, weights=[m.share for m in methods])
        heapq.heappush(agenda, (hours, next(counter), method))
    opened: dict[str, int] = dict.fromkeys((m.workflow for m in methods), 0)
    deadline_moves = 0
    last_tick = -1
    while agenda:
        hours, _, item = heapq.heappop(agenda)
        clock.set(max(clock.now(), start + timedelta(hours=hours)))
        if math.floor(hours) > last_tick:  # the deadline clock runs once an hour
            last_tick = math.floor(hours)
            deadline_moves += len(engine.tick())
        if isinstance(item, Method):
            category = (
                rng.choices(list(item.categories), weights=list(item.categories.values()))[0]
                if item.categories
                else None
            )
            scene = Scene(
                engine, graph, rng, rng.choice(places[item.places]), category, sum(opened.values())
            )
            story = item.story(scene)
            opened[item.workflow] += 1
            if progress is not None:
                progress(sum(opened.values()), issues)
        else:
            story = item
        try:
            delay = next(story)
        except StopIteration:
            delay = None
        except TransitionNotAllowedError:
            delay = None  # the clock moved the issue first: nothing left to do
        if delay is not None:
            heapq.heappush(agenda, (hours + max(delay, 0.01), next(counter), story))
    # A week more (or until the last story's end): ratings left undone close unrated.
    end = max(start + timedelta(days=days + 7), clock.now())
    for hour in range(last_tick + 1, int((end - start).total_seconds() // 3600) + 1, 6):
        clock.set(max(clock.now(), start + timedelta(hours=hour)))
        deadline_moves += len(engine.tick())
    clock.set(end)
    deadline_moves += len(engine.tick())
    events = sum(len(engine.store.events(issue.id)) for issue in engine.issues())
    top = graph.units(kind="district") or graph.units(kind="county")
    return engine, SeasonResult(
        graph,
        top[0].name if top else district_code,
        start,
        end,
        tuple(methods),
        opened,
        events - sum(opened.values()),  # every event but the issues' open events is a move
        deadline_moves,
    )


__all__ = [
    "CLOSED_LOOP_CATEGORIES",
    "CLOSED_LOOP_METHOD",
    "DEFAULT_DISTRICT",
    "DEFAULT_START",
    "WEEKLY_RHYTHM",
    "Method",
    "Scene",
    "SeasonResult",
    "Story",
    "closed_loop_story",
    "district",
    "installed_methods",
    "play",
    "run_season",
    "save_season",
]
