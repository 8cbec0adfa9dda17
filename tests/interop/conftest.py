"""The example city of the GeoReport v2 spec (jurisdiction ``city.gov``), rebuilt on govflow.

Its services are those the spec's examples show, each on a small ``georeport`` workflow: a
request is received, and closed (with status notes) or it times out into supervision. A local
deadline rule answers the spec's request 638349, expected the moment it was made: an urgent
request is due at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from govflow import Issue, ManualClock, State, StateKind, Transition, Workflow, hookimpl
from govflow.interop.open311 import Attribute, Datatype, Open311, Service, ServiceType

EXAMPLES = Path(__file__).parent / "georeport_v2"

GEOREPORT = Workflow(
    name="georeport",
    label="城市服务请求 service request",
    initial="received",
    states=[
        State("received", "受理 received", StateKind.OPEN, time_limit="1d"),
        State("supervised", "督办 supervised", StateKind.PROCESSING, time_limit="1d"),
        State("closed", "办结 closed", StateKind.CLOSED),
    ],
    transitions=[
        Transition("close", ("received", "supervised"), "closed", roles={"staff"}),
        Transition("supervise", "received", "supervised", on_timeout=True),
    ],
)

NOTICE = (
    "The City will inspect and require the responsible party to correct within 24 hours "
    "and/or issue a Correction Notice or Notice of Violation of the Public Works Code"
)


class CityRules:
    """The example city's own deadline rule."""

    @hookimpl
    def govflow_workflows(self) -> list[Workflow]:
        return [GEOREPORT]

    @hookimpl(tryfirst=True)
    def govflow_deadline(self, issue: Issue, entered_at: datetime) -> datetime | None:
        return entered_at if issue.data.get("urgent") is True else None


def _text(code: str, order: int) -> Attribute:
    return Attribute(code, Datatype.STRING, f"What is the {code}?", order=order)


SERVICE_LIST = [
    Service(
        code="001",
        name="Cans left out 24x7",
        workflow="georeport",
        category="sanitation/cans",
        description="Garbage or recycling cans that have been left out for more than 24 hours "
        "after collection. Violators will be cited.",
        group="sanitation",
        keywords="lorem, ipsum, dolor",
        attributes=[_text("WHISPAWN", 1), _text("WHISDORN", 2)],
        notice=NOTICE,
    ),
    Service(
        code="002",
        name="Construction plate shifted",
        workflow="georeport",
        category="street/plate",
        description="Metal construction plate covering the street or sidewalk has been moved.",
        group="street",
        keywords=("lorem", "ipsum", "dolor"),
        attributes=[_text("PLATE", 1)],
    ),
    Service(
        code="003",
        name="Curb or curb ramp defect",
        workflow="georeport",
        category="street/curb",
        description="Sidewalk curb or ramp has problems such as cracking, missing pieces, "
        "holes, and/or chipped curb.",
        group="street",
        keywords="lorem, ipsum, dolor",
        attributes=[_text("CURB", 1)],
    ),
]
MORE_SERVICES = [
    Service(
        code="DMV66",
        name="Ticket",
        workflow="georeport",
        category="dmv",
        attributes=[
            Attribute(
                "WHISHETN",
                Datatype.SINGLEVALUELIST,
                "What is the ticket/tag/DL number?",
                required=True,
                values=[("123", "Ford"), ("124", "Chrysler")],
            )
        ],
    ),
    Service(code="006", name="Sidewalk and Curb Issues", workflow="georeport", category="curb"),
    Service(
        code="B01",
        name="Bulk item pick-up",
        workflow="georeport",
        category="bulk",
        type=ServiceType.BATCH,
    ),
    Service(
        code="X01",
        name="Anonymous tip",
        workflow="georeport",
        category="tip",
        type=ServiceType.BLACKBOX,
    ),
    Service(
        code="A01",
        name="Every datatype",
        workflow="georeport",
        category="all",
        attributes=[
            Attribute("S", Datatype.STRING, "one line", order=1),
            Attribute("N", Datatype.NUMBER, "a number", order=2),
            Attribute("D", Datatype.DATETIME, "when", order=3),
            Attribute("T", Datatype.TEXT, "lines", order=4),
            Attribute("ONE", Datatype.SINGLEVALUELIST, "pick", order=5, values=[("a", "A")]),
            Attribute(
                "MANY", Datatype.MULTIVALUELIST, "pick", order=6, values=[("x", "X"), ("y", "Y")]
            ),
            Attribute("REQ", Datatype.STRING, "needed", order=7, required=True),
        ],
    ),
]


#: When the spec's first example request was made.
SPEC_START = datetime.fromisoformat("2010-04-14T06:37:38-08:00")


@pytest.fixture
def city(govflow_engine: Any) -> Any:
    return govflow_engine(CityRules(), clock=ManualClock(SPEC_START))


@pytest.fixture
def listed_front() -> Open311:
    """The front whose service list is the spec's example list, exactly."""
    return Open311(SERVICE_LIST, jurisdiction="city.gov", token_secret="city-secret")


@pytest.fixture
def front() -> Open311:
    """The example city's full front: the listed services and the others its examples use."""
    return Open311(
        [*SERVICE_LIST, *MORE_SERVICES], jurisdiction="city.gov", token_secret="city-secret"
    )


def example(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


ONE_DAY = timedelta(days=1)
