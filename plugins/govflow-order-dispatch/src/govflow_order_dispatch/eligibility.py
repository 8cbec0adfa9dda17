"""Who a service is for: declarative rules on a person's attributes, with dated age bands.

Seed 003: "从2020年起,对男60-64周岁、女55-64周岁的居民实行免费体检,并逐步放宽年龄". An
:class:`Eligibility` is data: a list of :class:`AgeBand` s, each for one sex, an inclusive age
range in whole years, and the dates it applies between. A band that widens later is a new band
with a later ``since`` (and the old one given an ``until``), so the rule on any date is the bands
in force that day, and an order placed before a widening is judged by the rule of its day.

A person's attributes (``Person.attributes`` in the org graph) are read as ``sex`` (``"male"`` or
``"female"``) and ``birth_date`` (an ISO date string): this plugin's default names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import attrs

from govflow.errors import DefinitionError

SEXES = ("male", "female")


@attrs.frozen(slots=True)
class AgeBand:
    """People of ``sex`` aged ``youngest`` to ``oldest`` (inclusive, whole years), on dates from
    ``since`` (inclusive) to ``until`` (exclusive; None: still in force)."""

    sex: str = attrs.field(validator=attrs.validators.in_(SEXES))
    youngest: int
    oldest: int
    since: date
    until: date | None = None

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.youngest <= self.oldest:
            raise DefinitionError(f"age band {self.youngest}-{self.oldest} is empty or negative")
        if self.until is not None and self.until <= self.since:
            raise DefinitionError(f"age band from {self.since} ends before it starts")

    def in_force(self, on: date) -> bool:
        """True on the dates the band applies."""
        return self.since <= on and (self.until is None or on < self.until)


def age_on(birth: date, on: date) -> int:
    """Age in whole years (周岁) on ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _bands(value: Iterable[AgeBand]) -> tuple[AgeBand, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class Eligibility:
    """A service's rule: a person qualifies on a date when some band in force then admits them.

    :param source: the seed's words the rule encodes.
    """

    name: str
    bands: tuple[AgeBand, ...] = attrs.field(converter=_bands)
    source: str = ""

    def bands_on(self, on: date) -> tuple[AgeBand, ...]:
        """The bands in force on ``on``."""
        return tuple(band for band in self.bands if band.in_force(on))

    def refusal(self, attributes: Mapping[str, object], on: date) -> str | None:
        """Why a person with ``attributes`` does not qualify on ``on``; None if they do."""
        sex = attributes.get("sex")
        birth = attributes.get("birth_date")
        if sex not in SEXES:
            return f"the person's sex is not recorded (attribute 'sex' is {sex!r})"
        if not isinstance(birth, str):
            return "the person's birth date is not recorded (attribute 'birth_date')"
        try:
            born = date.fromisoformat(birth)
        except ValueError:
            return f"the birth date {birth!r} is not an ISO date"
        in_force = [band for band in self.bands_on(on) if band.sex == sex]
        if not in_force:
            return f"{self.name} has no band for {sex} residents on {on}"
        age = age_on(born, on)
        if any(band.youngest <= age <= band.oldest for band in in_force):
            return None
        ranges = ", ".join(f"{b.youngest}-{b.oldest}" for b in in_force)
        return f"{self.name} on {on} is for {sex} residents aged {ranges}; this one is {age}"

    def admits(self, attributes: Mapping[str, object], on: date) -> bool:
        """True if a person with ``attributes`` qualifies on ``on``."""
        return self.refusal(attributes, on) is None


#: 免费健康体检: "从2020年起,对男60-64周岁、女55-64周岁的居民实行免费体检". The start date is the
#: seed's year; the day (1 January) is this plugin's default. The seed says the ages widen
#: ("逐步放宽年龄") without saying how: add bands with a later ``since`` when they do.
FREE_HEALTH_CHECK = Eligibility(
    "免费体检 free health check",
    (
        AgeBand("male", 60, 64, since=date(2020, 1, 1)),
        AgeBand("female", 55, 64, since=date(2020, 1, 1)),
    ),
    source="从2020年起,对男60-64周岁、女55-64周岁的居民实行免费体检,并逐步放宽年龄",
)

__all__ = ["FREE_HEALTH_CHECK", "SEXES", "AgeBand", "Eligibility", "age_on"]
