"""The organization graph: units, people and typed edges over several layers of one territory.

Start with :class:`OrgGraph`; load real divisions with :func:`load_divisions`, add what the
official table lacks with :func:`synthesize`, check claims with :func:`coverage`.
"""

from govflow.org.codes import (
    BEIJING_GRID_15,
    CJT349_GRID_20,
    DIVISION_12,
    LAYOUTS,
    CodeLayout,
    Segment,
    derive,
)
from govflow.org.graph import DIVISION_RULES, CodeRule, OrgGraph
from govflow.org.records import EscalationStep, Person, Post, Unit
from govflow.org.schema import (
    CROSS_LINKS,
    DEFAULT_SCHEMA,
    DIVISIONS,
    EDGE_KINDS,
    PARTY_NET,
    RURAL,
    URBAN,
    EdgeRule,
    OrgSchema,
)

__all__ = [
    "BEIJING_GRID_15",
    "CJT349_GRID_20",
    "CROSS_LINKS",
    "DEFAULT_SCHEMA",
    "DIVISIONS",
    "DIVISION_12",
    "DIVISION_RULES",
    "EDGE_KINDS",
    "LAYOUTS",
    "PARTY_NET",
    "RURAL",
    "URBAN",
    "CodeLayout",
    "CodeRule",
    "EdgeRule",
    "EscalationStep",
    "OrgGraph",
    "OrgSchema",
    "Person",
    "Post",
    "Segment",
    "Unit",
    "derive",
]
