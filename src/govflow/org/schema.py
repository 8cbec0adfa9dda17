"""Org schemas: which unit kinds exist, in which layer, and which typed edges may join them.

A schema is plain, frozen data so that plugins can contribute to it: :meth:`OrgSchema.extend`
adds kinds and edge rules, :meth:`OrgSchema.merge` unions two schemas. Nothing in a schema is
executable; :class:`~govflow.org.graph.OrgGraph` consults it on every mutation.

Edge kinds (the issue's vocabulary):

``contains``
    the tree of a layer (district contains street, branch contains group, ...). A unit has at
    most one ``contains`` parent.
``leads``
    a party unit leads an administrative unit: the party net laid over the governance grid.
``pairs_with``
    a district department paired with a community (结对).
``member_of``
    a person holds roles in a unit (the roles sit on the edge).
``registered_at``
    an in-service party member registered with a community (双报到).
``convenes``
    a party unit and its council (一组一会: one group, one council).
``serves``
    a service center and the area it serves, with travel ``minutes``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from govflow.errors import InvalidOrgGraphError

CONTAINS = "contains"
LEADS = "leads"
PAIRS_WITH = "pairs_with"
MEMBER_OF = "member_of"
REGISTERED_AT = "registered_at"
CONVENES = "convenes"
SERVES = "serves"

EDGE_KINDS: frozenset[str] = frozenset(
    {CONTAINS, LEADS, PAIRS_WITH, MEMBER_OF, REGISTERED_AT, CONVENES, SERVES}
)

#: The kind of every person node; edge rules name it as a source kind.
PERSON = "person"
#: Matches any kind in an :class:`EdgeRule`.
ANY = "*"

ADMINISTRATIVE = "administrative"
PARTY = "party"
COUNCIL = "council"
SERVICE = "service"


@attrs.frozen(slots=True)
class EdgeRule:
    """``source`` may have an edge of ``kind`` to ``target`` (either end may be ``"*"``)."""

    kind: str
    source: str
    target: str


def _str_map(value: Mapping[str, str]) -> dict[str, str]:
    return dict(value)


def _rule_set(value: Iterable[EdgeRule]) -> frozenset[EdgeRule]:
    return frozenset(value)


def _rules(kind: str, sources: Iterable[str], targets: Iterable[str]) -> frozenset[EdgeRule]:
    targets = tuple(targets)
    return frozenset(EdgeRule(kind, s, t) for s in sources for t in targets)


@attrs.frozen(slots=True)
class OrgSchema:
    """Unit kinds (each in one layer) and the edges allowed between them.

    ``kinds`` maps a kind name (``"community"``) to its layer (``"administrative"``);
    ``edges`` is the set of allowed ``(edge kind, source kind, target kind)`` rules.
    ``labels`` gives optional display names (Chinese names welcome).
    """

    name: str
    kinds: Mapping[str, str] = attrs.field(factory=dict, converter=_str_map, hash=False)
    edges: frozenset[EdgeRule] = attrs.field(factory=frozenset, converter=_rule_set)
    labels: Mapping[str, str] = attrs.field(factory=dict, converter=_str_map, hash=False)

    def __attrs_post_init__(self) -> None:
        for rule in self.edges:
            if rule.kind not in EDGE_KINDS:
                raise InvalidOrgGraphError(
                    f"schema {self.name!r}: unknown edge kind {rule.kind!r}; "
                    f"known: {sorted(EDGE_KINDS)}"
                )

    def layer_of(self, kind: str) -> str:
        """The layer of ``kind``; raises :class:`InvalidOrgGraphError` for an unknown kind."""
        try:
            return self.kinds[kind]
        except KeyError:
            raise InvalidOrgGraphError(f"schema {self.name!r} has no unit kind {kind!r}") from None

    def allows(self, kind: str, source: str, target: str) -> bool:
        """Whether an edge ``source -[kind]-> target`` between these unit kinds is allowed."""
        edges = self.edges
        return (
            EdgeRule(kind, source, target) in edges
            or EdgeRule(kind, ANY, target) in edges
            or EdgeRule(kind, source, ANY) in edges
            or EdgeRule(kind, ANY, ANY) in edges
        )

    def children_of(self, kind: str) -> frozenset[str]:
        """Kinds a unit of ``kind`` may contain."""
        return frozenset(r.target for r in self.edges if r.kind == CONTAINS and r.source == kind)

    def extend(
        self,
        *,
        name: str | None = None,
        kinds: Mapping[str, str] | None = None,
        edges: Iterable[EdgeRule | tuple[str, str, str]] = (),
        labels: Mapping[str, str] | None = None,
    ) -> OrgSchema:
        """A new schema with more kinds and edge rules (``edges`` may be plain triples).

        Redefining a kind in a different layer is refused: layers index the graph.
        """
        extra = OrgSchema(
            name or self.name,
            kinds or {},
            (e if isinstance(e, EdgeRule) else EdgeRule(*e) for e in edges),
            labels or {},
        )
        return self.merge(extra, name=name or self.name)

    def merge(self, other: OrgSchema, *, name: str | None = None) -> OrgSchema:
        """The union of two schemas; a kind both define must sit in the same layer."""
        for kind, layer in other.kinds.items():
            mine = self.kinds.get(kind)
            if mine is not None and mine != layer:
                raise InvalidOrgGraphError(
                    f"cannot merge schema {other.name!r} into {self.name!r}: kind {kind!r} is "
                    f"in layer {mine!r} here and {layer!r} there"
                )
        return OrgSchema(
            name or f"{self.name}+{other.name}",
            {**self.kinds, **other.kinds},
            self.edges | other.edges,
            {**self.labels, **other.labels},
        )


# --- the built-in schemas --------------------------------------------------------------------

#: Official statistical divisions: province → city → district/county → street/township →
#: community/administrative village. Real tables mix urban and rural units under one county.
DIVISIONS = OrgSchema(
    "divisions",
    {
        "province": ADMINISTRATIVE,
        "city": ADMINISTRATIVE,
        "district": ADMINISTRATIVE,
        "county": ADMINISTRATIVE,
        "street": ADMINISTRATIVE,
        "township": ADMINISTRATIVE,
        "community": ADMINISTRATIVE,
        "administrative_village": ADMINISTRATIVE,
    },
    _rules(CONTAINS, ["province"], ["city", "district", "county"])
    | _rules(CONTAINS, ["city"], ["district", "county"])
    | _rules(CONTAINS, ["city", "district", "county"], ["street", "township"])
    | _rules(CONTAINS, ["street", "township"], ["community", "administrative_village"]),
    {
        "province": "省",
        "city": "市",
        "district": "区",
        "county": "县",
        "street": "街道",
        "township": "乡镇",
        "community": "社区",
        "administrative_village": "行政村",
    },
)

#: Urban layer below the community: 社区 → 小区 / 网格 → 楼栋(楼道) → 户.
URBAN = DIVISIONS.extend(
    name="urban",
    kinds={
        "residential_area": ADMINISTRATIVE,
        "grid": ADMINISTRATIVE,
        "building": ADMINISTRATIVE,
        "household": ADMINISTRATIVE,
    },
    edges=_rules(CONTAINS, ["community"], ["residential_area", "grid"])
    | _rules(CONTAINS, ["residential_area"], ["grid", "building"])
    | _rules(CONTAINS, ["grid"], ["residential_area", "building"])
    | _rules(CONTAINS, ["building"], ["household"]),
    labels={"residential_area": "小区", "grid": "网格", "building": "楼栋", "household": "户"},
)

#: Rural layer: 乡镇 → 行政村 → 自然村 → 户 (grids also exist in villages).
RURAL = DIVISIONS.extend(
    name="rural",
    kinds={
        "natural_village": ADMINISTRATIVE,
        "grid": ADMINISTRATIVE,
        "household": ADMINISTRATIVE,
    },
    edges=_rules(CONTAINS, ["administrative_village"], ["natural_village", "grid"])
    | _rules(CONTAINS, ["grid"], ["natural_village"])
    | _rules(CONTAINS, ["natural_village"], ["household"]),
    labels={"natural_village": "自然村", "grid": "网格", "household": "户"},
)

_PARTY_KINDS = (
    "party_working_committee",
    "community_party_committee",
    "branch",
    "group",
    "party_member_household",
)
_COUNCIL_KINDS = ("residents_council", "villagers_council", "owners_committee", "property_company")

#: Party hierarchy: (街道党工委 →) 社区党委/村党组织 → 网格/小区党支部 → 楼栋党小组 → 党员中心户,
#: each party unit leading the administrative unit it sits on, and convening its council.
PARTY_NET = OrgSchema(
    "party",
    dict.fromkeys(_PARTY_KINDS, PARTY) | dict.fromkeys(_COUNCIL_KINDS, COUNCIL),
    _rules(CONTAINS, ["party_working_committee"], ["community_party_committee"])
    | _rules(CONTAINS, ["community_party_committee"], ["branch", "group"])
    | _rules(CONTAINS, ["branch"], ["branch", "group", "party_member_household"])
    | _rules(CONTAINS, ["group"], ["party_member_household"])
    | _rules(LEADS, ["party_working_committee"], ["street", "township"])
    | _rules(LEADS, ["community_party_committee"], ["community", "administrative_village"])
    | _rules(
        LEADS,
        ["branch", "group"],
        ["community", "administrative_village", "residential_area", "grid", "natural_village"],
    )
    | _rules(LEADS, ["group"], ["building"])
    | _rules(LEADS, ["party_member_household"], ["building", "household"])
    | _rules(
        CONVENES,
        ["community_party_committee", "branch", "group", "party_working_committee"],
        _COUNCIL_KINDS,
    ),
    {
        "party_working_committee": "街道党工委",
        "community_party_committee": "社区党委",
        "branch": "党支部",
        "group": "党小组",
        "party_member_household": "党员中心户",
        "residents_council": "居民议事会",
        "villagers_council": "村民理事会",
        "owners_committee": "业委会",
        "property_company": "物业公司",
    },
)

_AREAS = ("community", "administrative_village", "residential_area", "natural_village", "grid")

#: Cross links: departments paired with communities, people, service centers, alliances.
CROSS_LINKS = OrgSchema(
    "cross",
    {
        "department": ADMINISTRATIVE,
        "service_center": SERVICE,
        "service_station": SERVICE,
        "alliance": PARTY,
        "work_unit": PARTY,
    },
    _rules(CONTAINS, ["district", "county", "city"], ["department"])
    | _rules(
        CONTAINS, ["street", "township", "community", "administrative_village"], ["service_center"]
    )
    | _rules(PAIRS_WITH, ["department", "work_unit"], ["community", "administrative_village"])
    | _rules(MEMBER_OF, [PERSON], [ANY])
    | _rules(MEMBER_OF, ["department", "work_unit"], ["alliance"])
    | _rules(REGISTERED_AT, [PERSON], ["community", "administrative_village"])
    | _rules(CONTAINS, ["grid", "residential_area", "natural_village"], ["service_station"])
    | _rules(SERVES, ["service_center"], [*_AREAS, "service_center", "service_station"])
    | _rules(SERVES, ["service_center", "service_station"], [*_AREAS, "building"]),
    {
        "department": "区直部门",
        "service_center": "党群服务中心",
        "service_station": "网格党群服务站",
        "alliance": "红色联盟",
        "work_unit": "单位",
    },
)

#: Everything above: the schema an ``OrgGraph()`` uses unless told otherwise.
DEFAULT_SCHEMA = URBAN.merge(RURAL).merge(PARTY_NET).merge(CROSS_LINKS, name="default")

__all__ = [
    "ADMINISTRATIVE",
    "ANY",
    "CONTAINS",
    "CONVENES",
    "COUNCIL",
    "CROSS_LINKS",
    "DEFAULT_SCHEMA",
    "DIVISIONS",
    "EDGE_KINDS",
    "LEADS",
    "MEMBER_OF",
    "PAIRS_WITH",
    "PARTY",
    "PARTY_NET",
    "PERSON",
    "REGISTERED_AT",
    "RURAL",
    "SERVES",
    "SERVICE",
    "URBAN",
    "EdgeRule",
    "OrgSchema",
]
