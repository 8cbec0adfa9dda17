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
from govflow.org.coverage import (
    ONE_GROUP_ONE_COUNCIL,
    PAIRED_COMMUNITIES,
    PARTY_IN_EVERY_GRID,
    CoverageReport,
    CoverageRule,
    Gap,
    coverage,
)
from govflow.org.divisions import SEED_DISTRICTS, extract_divisions, load_divisions
from govflow.org.export import to_dot, to_json, to_mermaid, write_json
from govflow.org.graph import DIVISION_RULES, CodeRule, OrgGraph
from govflow.org.load import from_json, load_tables
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
from govflow.org.synthetic import synthesize, synthetic_city

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
    "ONE_GROUP_ONE_COUNCIL",
    "PAIRED_COMMUNITIES",
    "PARTY_IN_EVERY_GRID",
    "PARTY_NET",
    "RURAL",
    "SEED_DISTRICTS",
    "URBAN",
    "CodeLayout",
    "CodeRule",
    "CoverageReport",
    "CoverageRule",
    "EdgeRule",
    "EscalationStep",
    "Gap",
    "OrgGraph",
    "OrgSchema",
    "Person",
    "Post",
    "Segment",
    "Unit",
    "coverage",
    "derive",
    "extract_divisions",
    "from_json",
    "load_divisions",
    "load_tables",
    "synthesize",
    "synthetic_city",
    "to_dot",
    "to_json",
    "to_mermaid",
    "write_json",
]
