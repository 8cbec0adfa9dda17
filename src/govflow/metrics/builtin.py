"""The figures every seed reports, as :class:`~govflow.metrics.Metric` data.

Each formula below is also the metric's ``formula`` (what reports print):

* **accepted** 受理率 = accepted ÷ received
* **completion** 办结率 = completed ÷ due to complete (received, less cancelled and excluded)
* **on_time** 按期办结率 = completed on time ÷ due to complete
* **satisfaction** 满意率 = (satisfied + basically satisfied) ÷ valid follow-ups, taking each
  issue's *last* rating, excluded issues left out
* **rework** 返工率 = reworked ÷ dispatched
* **response** 响应率 = responded in time ÷ dispatched
* **composite** 综合得分 = 10 % 响应率 + 45 % 解决率 (办结率) + 45 % 满意率 (weights configurable:
  build another :class:`~govflow.metrics.Composite`)
"""

from __future__ import annotations

from govflow.metrics.spec import Composite, Metric

EXCLUDED = ("excluded",)
NOT_DUE = ("cancelled", "excluded")

ACCEPTED = Metric(
    "accepted",
    "accepted",
    "received",
    label="受理率",
    formula="accepted ÷ received",
)
COMPLETION = Metric(
    "completion",
    "completed",
    "due",
    exclude=NOT_DUE,
    label="办结率",
    formula="completed ÷ due to complete (received − cancelled − excluded)",
)
ON_TIME = Metric(
    "on_time",
    "on_time",
    "due",
    exclude=NOT_DUE,
    label="按期办结率",
    formula="completed with no move out of a handling state after its due time ÷ due to complete",
)
SATISFACTION = Metric(
    "satisfaction",
    "satisfied",
    "rated",
    exclude=EXCLUDED,
    label="满意率",
    formula="(satisfied + basically satisfied) ÷ valid follow-ups, last rating of each issue",
)
REWORK = Metric(
    "rework",
    "reworked",
    "dispatched",
    exclude=EXCLUDED,
    label="返工率",
    formula="sent back from feedback to handling at least once ÷ dispatched",
)
RESPONSE = Metric(
    "response",
    "responded",
    "dispatched",
    exclude=EXCLUDED,
    label="响应率",
    formula="first contact by a person within the handling state's limit ÷ dispatched",
)

#: The built-in metrics, by name.
BUILTIN: dict[str, Metric] = {
    m.name: m for m in (ACCEPTED, COMPLETION, ON_TIME, SATISFACTION, REWORK, RESPONSE)
}

#: 响应率 10 %, 解决率 45 %, 满意率 45 %: how 12345 hotlines are commonly scored.
COMPOSITE = Composite(
    "composite",
    {"response": 10, "completion": 45, "satisfaction": 45},
    label="综合得分",
)

__all__ = [
    "ACCEPTED",
    "BUILTIN",
    "COMPLETION",
    "COMPOSITE",
    "ON_TIME",
    "RESPONSE",
    "REWORK",
    "SATISFACTION",
]
