"""Rating labels residents give, in Chinese or English, and what each counts as."""

from __future__ import annotations

#: The payload key a rating move carries its answer under.
RATING_KEY = "satisfaction"
#: The payload key that marks an issue as left out of the figures, and the reasons allowed:
#: invalid (无效), duplicate (重复), unreasonable request (不合理诉求).
EXCLUSION_KEY = "exclusion"
EXCLUSIONS = frozenset({"invalid", "duplicate", "unreasonable", "无效", "重复", "不合理诉求"})

#: Ratings that count as satisfied (满意, 基本满意 and their English codes).
SATISFIED = frozenset(
    {"satisfied", "basically_satisfied", "very_satisfied", "满意", "基本满意", "非常满意"}
)
#: Ratings that count as not satisfied.
DISSATISFIED = frozenset({"dissatisfied", "very_dissatisfied", "不满意", "非常不满意"})
#: Every label a valid follow-up (有效回访) may carry; anything else is not a rating.
RATINGS = SATISFIED | DISSATISFIED

__all__ = [
    "DISSATISFIED",
    "EXCLUSIONS",
    "EXCLUSION_KEY",
    "RATINGS",
    "RATING_KEY",
    "SATISFIED",
]
