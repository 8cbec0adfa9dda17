"""五微台账: the five micro ledgers of 瑶海 (seed 000).

Seed 000: "形成民生'微实事'、圆梦'微心愿'、志愿'微团队'、公益'微创投'、治理'微网格'等'五微'台账850
多项。'五微服务'的充分落实真正将基层治理中的'问题清单'转化为'责任清单''服务清单'和'成效清单'".

The seed names the five ledgers and nothing of their fields; the kinds of entry and the fields
each requires are this plugin's defaults:

=================  ===========  ==================  =========================================
ledger             中文          kinds               required (numeric)
=================  ===========  ==================  =========================================
``micro-projects``  民生微实事    project, completed  title (funds)
``micro-wishes``    圆梦微心愿    wish, fulfilled     wish
``micro-teams``     志愿微团队    team, activity      team (volunteers, hours)
``micro-ventures``  公益微创投    project, completed  title (funds)
``micro-grids``     治理微网格    grid, matter        grid
=================  ===========  ==================  =========================================
"""

from __future__ import annotations

from govflow import Actor, Engine, Entry, LedgerSpec
from govflow.errors import InvalidRequestError

MICRO_PROJECTS = LedgerSpec(
    "micro-projects",
    label="民生微实事",
    kinds={"project", "completed"},
    required={"title"},
    numeric={"funds"},
)
MICRO_WISHES = LedgerSpec(
    "micro-wishes", label="圆梦微心愿", kinds={"wish", "fulfilled"}, required={"wish"}
)
MICRO_TEAMS = LedgerSpec(
    "micro-teams",
    label="志愿微团队",
    kinds={"team", "activity"},
    required={"team"},
    numeric={"volunteers", "hours"},
)
MICRO_VENTURES = LedgerSpec(
    "micro-ventures",
    label="公益微创投",
    kinds={"project", "completed"},
    required={"title"},
    numeric={"funds"},
)
MICRO_GRIDS = LedgerSpec(
    "micro-grids", label="治理微网格", kinds={"grid", "matter"}, required={"grid"}
)

FIVE_MICRO = (MICRO_PROJECTS, MICRO_WISHES, MICRO_TEAMS, MICRO_VENTURES, MICRO_GRIDS)


def fulfil_wish(engine: Engine, wish_id: str, *, by: Actor | str, note: str = "") -> Entry:
    """Record that the 微心愿 ``wish_id`` came true (圆梦), once."""
    wishes = engine.ledgers.entries("micro-wishes", subject=wish_id)
    if not any(e.kind == "wish" for e in wishes):
        raise InvalidRequestError(f"no 微心愿 {wish_id!r} is on the ledger")
    if any(e.kind == "fulfilled" for e in wishes):
        raise InvalidRequestError(f"微心愿 {wish_id!r} came true already")
    wish = next(e for e in wishes if e.kind == "wish")
    return engine.ledgers.record(
        "micro-wishes",
        "fulfilled",
        actor=by,
        unit=wish.unit,
        subject=wish_id,
        data={"wish": wish.data["wish"], "note": note},
    )


def open_wishes(engine: Engine) -> list[Entry]:
    """The 微心愿 not yet fulfilled, oldest first."""
    entries = engine.ledgers.entries("micro-wishes")
    done = {e.subject for e in entries if e.kind == "fulfilled"}
    return [e for e in entries if e.kind == "wish" and e.subject not in done]


def five_micro_count(engine: Engine, *, under: str | None = None) -> dict[str, int]:
    """Entries in each of the five micro ledgers (of units under ``under``, if given): the
    figure the seed reports ("'五微'台账850多项")."""
    units = None
    if under is not None and engine.org is not None:
        units = {under, *(u.id for u in engine.org.units(under=under))}
    return {spec.name: len(engine.ledgers.entries(spec.name, unit=units)) for spec in FIVE_MICRO}


__all__ = [
    "FIVE_MICRO",
    "MICRO_GRIDS",
    "MICRO_PROJECTS",
    "MICRO_TEAMS",
    "MICRO_VENTURES",
    "MICRO_WISHES",
    "five_micro_count",
    "fulfil_wish",
    "open_wishes",
]
