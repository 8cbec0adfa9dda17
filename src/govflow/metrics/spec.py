"""Metrics as data: a numerator and a denominator of per-issue facts, and exclusions.

A metric's weight is not the metric's: it belongs to the :class:`Composite` that combines it
(the same 满意率 weighs 45 % in the 12345 composite and a third in another ranking), so a
composite names each part's weight and a metric names none.

Every figure govflow reports is a ratio of two counts of issues (or of events), each count
taken over the issues that have some *fact*. The facts are fixed and each has one definition,
computed the same way by the in-memory fold (:mod:`govflow.metrics.fold`), by SQL aggregation
(:mod:`govflow.metrics.sql`) and by the brute-force recount the tests hold them to:

========================  ==================================================================
fact                      an issue has it when
========================  ==================================================================
``received``              always (every issue opened)
``accepted``              it entered a state that is neither OPEN nor CANCELLED (受理)
``cancelled``             it is in a CANCELLED-kind state (不予受理, withdrawn, voted down)
``excluded``              a move's payload carries an ``exclusion`` of invalid, duplicate or
                          unreasonable (无效, 重复, 不合理诉求)
``due``                   received, not cancelled and not excluded: due to complete (应办结)
``completed``             it is in a CLOSED-kind state (办结)
``on_time``               completed, and no move left a PROCESSING state after that state's
                          due time or was made there by the deadline clock. Clock moves out
                          of other states -- closing an unrated issue, passing a notice
                          period -- are not lateness
``dispatched``            it entered a PROCESSING state
``responded``             after it first entered a PROCESSING state, a person (not the clock)
                          made a move by that state's due time (first contact in time)
``rated``                 its *last* rating is a known label (a valid follow-up, 有效回访)
``satisfied``             its last rating is satisfied or basically satisfied (满意, 基本满意)
``reworked``              a move took it from a FEEDBACK state back to a PROCESSING state
``fired:<trigger>``       a move with that trigger was made (``fired:escalate``)
========================  ==================================================================

A :class:`Metric` over ``"events"`` counts moves instead: ``fired:<trigger>`` counts the moves
with that trigger, ``received`` every move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from govflow.errors import DefinitionError

#: The fixed facts, in the order of their bits in the fold.
FACTS = (
    "received",
    "accepted",
    "cancelled",
    "excluded",
    "due",
    "completed",
    "on_time",
    "dispatched",
    "responded",
    "rated",
    "satisfied",
    "reworked",
)
FIRED = "fired:"


def check_fact(fact: str) -> str:
    """``fact`` if it names a fact (see the module docstring); DefinitionError otherwise."""
    if fact in FACTS or (fact.startswith(FIRED) and len(fact) > len(FIRED)):
        return fact
    raise DefinitionError(f"unknown fact {fact!r}: the facts are {list(FACTS)} and fired:<trigger>")


def _fact(value: str) -> str:
    return check_fact(value)


def _optional_fact(value: str | None) -> str | None:
    return None if value is None else check_fact(value)


def _facts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(check_fact(v) for v in ((value,) if isinstance(value, str) else value))


@attrs.frozen(slots=True)
class Metric:
    """A figure: issues (or events) with ``numerator`` ÷ those with ``denominator``, leaving
    out any with a fact in ``exclude``. Without a denominator it is a plain count.

    :param name: how reports and rankings refer to it (``"completion"``).
    :param label: its published name (``"办结率"``).
    :param over: ``"issues"`` or ``"events"``.
    :param formula: the formula in words, for the docs and reports.
    """

    name: str
    numerator: str = attrs.field(converter=_fact)
    denominator: str | None = attrs.field(default=None, converter=_optional_fact)
    exclude: tuple[str, ...] = attrs.field(default=(), converter=_facts)
    label: str = ""
    over: str = "issues"
    formula: str = ""

    def __attrs_post_init__(self) -> None:
        if not self.name:
            raise DefinitionError("a metric needs a name")
        if self.over not in ("issues", "events"):
            raise DefinitionError(f"metric {self.name!r}: over must be 'issues' or 'events'")
        if self.over == "events":
            for fact in (self.numerator, self.denominator, *self.exclude):
                if fact is not None and fact != "received" and not fact.startswith(FIRED):
                    raise DefinitionError(
                        f"metric {self.name!r}: over events, facts are fired:<trigger> or "
                        f"received, not {fact!r}"
                    )

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact the metric reads."""
        return tuple(f for f in (self.numerator, self.denominator, *self.exclude) if f)


def _weights(value: Mapping[str, float]) -> Mapping[str, float]:
    weights = dict(value)
    if not weights or any(w <= 0 for w in weights.values()):
        raise DefinitionError(f"a composite needs positive weights, got {weights!r}")
    return MappingProxyType(weights)


#: The name a composite uses for qualitative scores (定性评价) entered as events.
QUALITATIVE = "qualitative"


@attrs.frozen(slots=True)
class Composite:
    """A weighted sum of rates: ``Σ weight × rate ÷ Σ weight`` (a rate itself, 0 to 1).

    ``parts`` names metrics (and :data:`QUALITATIVE` for scores entered as events, 0–100
    scaled to 0–1). A unit missing any part has no composite: it is reported as missing data,
    never silently scored on the parts it has.
    """

    name: str
    parts: Mapping[str, float] = attrs.field(converter=_weights)
    label: str = ""


__all__ = ["FACTS", "FIRED", "QUALITATIVE", "Composite", "Metric", "check_fact"]
