"""OrgGraph: who sits where, as a networkx MultiDiGraph plus the indexes hot queries need.

networkx holds the truth (nodes carry their record under ``"record"``, edges are keyed by their
kind); it is what :meth:`OrgGraph.validate`, exports and analyses read. Queries never walk it:
they read plain dicts kept beside it (parent, children, leaders, posts, codes, a preorder
numbering of the ``contains`` forest). Each mutation checks everything first and then updates
the graph and the indexes together, so a refused mutation changes nothing.

The preorder numbering is rebuilt lazily by the first ``units()`` (or other index-reading query)
after the tree changed; that pass also fills the memos of ``chain`` and ``responsible`` (for
every role someone holds), so a graph built in bulk answers both with one dict lookup. Any
mutation drops the memos it could make wrong; queries then walk the parent dict and memoize
again. Interleaving tree changes with ``units()`` calls on a big graph therefore costs a full
O(n) pass each time: build first, then query.
"""

from __future__ import annotations

import bisect
import gc
import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

import attrs
import networkx as nx

from govflow.errors import InvalidCodeError, InvalidOrgGraphError, UnknownUnitError
from govflow.org.codes import BEIJING_GRID_15, CJT349_GRID_20, DIVISION_12, CodeLayout
from govflow.org.records import EscalationStep, Person, Post, Unit
from govflow.org.schema import (
    CONTAINS,
    CONVENES,
    DEFAULT_SCHEMA,
    LEADS,
    MEMBER_OF,
    PAIRS_WITH,
    PARTY,
    PERSON,
    REGISTERED_AT,
    SERVES,
    OrgSchema,
)


@attrs.frozen(slots=True)
class CodeRule:
    """Give a new unit of ``kind`` the next free code in ``segment`` of ``layout``, below its
    parent's code (``fixed`` fills segments the parent's code lacks, e.g. a CJ/T 349 object)."""

    kind: str
    layout: CodeLayout
    segment: str
    fixed: Mapping[str, str] = attrs.field(factory=dict, converter=dict, hash=False)


#: Number streets/townships and committees the way the statistical table does.
DIVISION_RULES: tuple[CodeRule, ...] = (
    CodeRule("street", DIVISION_12, "street"),
    CodeRule("township", DIVISION_12, "street"),
    CodeRule("community", DIVISION_12, "committee"),
    CodeRule("administrative_village", DIVISION_12, "committee"),
)

_DEFAULT_LAYOUTS = (DIVISION_12, BEIJING_GRID_15, CJT349_GRID_20)


class OrgGraph:
    """Units, people and typed edges, checked against an :class:`OrgSchema`.

    ``layouts`` are the code layouts codes must fit (one per code length); ``code_rules`` number
    new units automatically when they are added without a code under a coded parent.
    """

    def __init__(
        self,
        schema: OrgSchema = DEFAULT_SCHEMA,
        *,
        layouts: Iterable[CodeLayout] = _DEFAULT_LAYOUTS,
        code_rules: Iterable[CodeRule] = DIVISION_RULES,
    ) -> None:
        self.schema = schema
        self._layouts: dict[int, CodeLayout] = {}
        for layout in layouts:
            if layout.length in self._layouts:
                raise InvalidOrgGraphError(
                    f"code layouts {self._layouts[layout.length].name!r} and {layout.name!r} "
                    f"have the same length {layout.length}; a graph tells layouts apart by length"
                )
            self._layouts[layout.length] = layout
        self._rules: dict[str, CodeRule] = {}
        for rule in code_rules:
            self._layouts.setdefault(rule.layout.length, rule.layout)
            self._rules[rule.kind] = rule
        self._g: nx.MultiDiGraph[str] = nx.MultiDiGraph()
        self._units: dict[str, Unit] = {}
        self._people: dict[str, Person] = {}
        self._parent: dict[str, str] = {}
        self._children: dict[str, list[str]] = {}
        self._by_code: dict[str, str] = {}
        self._leaders: dict[str, list[str]] = {}  # unit -> party units leading it
        self._led: dict[str, list[str]] = {}  # party unit -> units it leads
        self._council: dict[str, str] = {}  # convener -> council
        self._convener: dict[str, str] = {}  # council -> convener
        self._pairs: dict[str, list[str]] = {}  # both directions
        self._posts: dict[str, dict[str, list[str]]] = {}  # unit -> role -> people
        self._held: dict[str, list[tuple[str, str]]] = {}  # person -> (unit, role)
        self._registered: dict[str, list[str]] = {}  # unit -> people
        self._seq: dict[tuple[str, str], int] = {}
        # Preorder numbering of the contains forest; None when the tree changed since.
        self._order: list[Unit] | None = None
        self._tin: dict[str, int] = {}
        self._tout: dict[str, int] = {}
        self._kind_order: dict[str, tuple[list[int], list[Unit]]] = {}
        self._service: nx.Graph[str] | None = None
        self._bulk_depth = 0
        # Memos; each is cleared by the mutations that could change an entry.
        self._allowed: dict[tuple[str, str, str], bool] = {}
        self._chains: dict[str, tuple[Unit, ...]] = {}  # cleared when contains edges change
        self._post_memo: dict[tuple[str, str], Post] = {}  # cleared when posts change
        # role -> unit -> answer of responsible(); cleared when posts, leads or the tree change.
        self._responsible_memo: dict[str, dict[str, Post | None]] = {}

    # --- access --------------------------------------------------------------------------------

    @property
    def nx(self) -> nx.MultiDiGraph[str]:
        """A read-only view of the underlying networkx graph (edge keys are edge kinds)."""
        view: nx.MultiDiGraph[str] = self._g.copy(as_view=True)
        return view

    @property
    def layouts(self) -> Mapping[int, CodeLayout]:
        """The code layouts of this graph, by code length."""
        return dict(self._layouts)

    def __len__(self) -> int:
        return len(self._units)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._units or node_id in self._people

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id; raises :class:`UnknownUnitError`."""
        try:
            return self._units[unit_id]
        except KeyError:
            raise UnknownUnitError(unit_id) from None

    def person(self, person_id: str) -> Person:
        """The person with this id; raises :class:`UnknownUnitError`."""
        try:
            return self._people[person_id]
        except KeyError:
            raise UnknownUnitError(person_id, "person id") from None

    @property
    def people(self) -> Mapping[str, Person]:
        """Every person, by id (a read-only view)."""
        return MappingProxyType(self._people)

    def parent(self, unit_id: str) -> Unit | None:
        """The unit that contains ``unit_id``, or ``None`` for a root."""
        self.unit(unit_id)
        up = self._parent.get(unit_id)
        return None if up is None else self._units[up]

    def children(self, unit_id: str) -> tuple[Unit, ...]:
        """The units ``unit_id`` contains directly, in the order they were added."""
        self.unit(unit_id)
        units = self._units
        return tuple(units[c] for c in self._children.get(unit_id, ()))

    def _kind(self, node_id: str) -> str:
        unit = self._units.get(node_id)
        if unit is not None:
            return unit.kind
        if node_id in self._people:
            return PERSON
        raise UnknownUnitError(node_id)

    # --- building ------------------------------------------------------------------------------

    @contextmanager
    def bulk(self) -> Iterator[OrgGraph]:
        """Switch the cyclic garbage collector off while adding many units.

        Records hold no reference cycles, so nothing is lost; the collector otherwise spends
        about half of a big build scanning objects that cannot be garbage.
        """
        was_enabled = gc.isenabled()
        self._bulk_depth += 1
        gc.disable()
        try:
            yield self
        finally:
            self._bulk_depth -= 1
            if was_enabled and self._bulk_depth == 0:
                gc.enable()

    def freeze(self) -> None:
        """Move everything built so far out of the garbage collector's view (``gc.freeze``).

        Call once after building a big graph: later collections then skip its objects, which
        keeps query-time pauses short. Freezing is process-wide and cannot hurt correctness.
        """
        gc.collect()
        gc.freeze()

    def add_unit(
        self,
        unit_id: str,
        kind: str,
        name: str,
        *,
        parent: str | None = None,
        code: str | None = None,
        attributes: Mapping[str, object] | None = None,
    ) -> Unit:
        """Add a unit (and its ``contains`` edge from ``parent``); returns the record.

        Without ``code``, a unit whose kind has a code rule gets the next free code below its
        parent's code. Refusals (:class:`InvalidOrgGraphError`, :class:`InvalidCodeError`)
        change nothing.
        """
        if unit_id in self._units or unit_id in self._people:
            raise InvalidOrgGraphError(f"unit id {unit_id!r} is already in the graph")
        layer = self.schema.layer_of(kind)
        if parent is not None:
            parent_kind = self._kind(parent)
            if not self._allows(CONTAINS, parent_kind, kind):
                raise InvalidOrgGraphError(
                    f"{parent!r} ({parent_kind}) may not contain {unit_id!r} ({kind}) "
                    f"in schema {self.schema.name!r}"
                )
        if code is None and parent is not None and kind in self._rules:
            code = self._next_code(kind, parent)
        elif code is not None:
            self._check_code(code, unit_id)
        unit = Unit(unit_id, kind, name, layer, code, dict(attributes) if attributes else {})
        self._units[unit_id] = unit
        self._g.add_node(unit_id, record=unit)
        if code is not None:
            self._by_code[code] = unit_id
        if parent is not None:
            self._g.add_edge(parent, unit_id, key=CONTAINS)
            self._parent[unit_id] = parent
            self._children.setdefault(parent, []).append(unit_id)
        self._order = None
        return unit

    def _check_code(self, code: str, unit_id: str) -> None:
        layout = self._layouts.get(len(code))
        if layout is None:
            raise InvalidCodeError(
                code,
                "?",
                "length",
                f"unit {unit_id!r}: no layout of this graph has {len(code)} digits "
                f"(known: {sorted(self._layouts)})",
            )
        layout.validate(code)
        if code in self._by_code:
            raise InvalidOrgGraphError(
                f"unit {unit_id!r}: code {code!r} already belongs to {self._by_code[code]!r}"
            )

    def _next_code(self, kind: str, parent: str) -> str | None:
        rule = self._rules[kind]
        parent_code = self._units[parent].code if parent in self._units else None
        if parent_code is None:
            return None
        source = self._layouts.get(len(parent_code))
        if source is None:
            return None
        parts: dict[str, str | int] = {**source.decode(parent_code), **rule.fixed}
        key = (parent, rule.segment)
        number = self._seq.get(key, 0)
        while True:
            number += 1
            code = rule.layout.child(parts, rule.segment, number)
            if code not in self._by_code:
                self._seq[key] = number
                return code

    def add_person(
        self,
        person_id: str,
        name: str,
        *,
        party_member: bool = False,
        home_unit: str | None = None,
        attributes: Mapping[str, object] | None = None,
    ) -> Person:
        """Add a person; roles come from :meth:`assign`."""
        if person_id in self._units or person_id in self._people:
            raise InvalidOrgGraphError(f"person id {person_id!r} is already in the graph")
        if home_unit is not None:
            self.unit(home_unit)
        person = Person(
            person_id,
            name,
            party_member,
            home_unit,
            frozenset(),
            dict(attributes) if attributes else {},
        )
        self._people[person_id] = person
        self._g.add_node(person_id, record=person)
        return person

    def assign(self, person_id: str, unit_id: str, *roles: str) -> Post:
        """Give ``person_id`` the ``roles`` in ``unit_id`` (a ``member_of`` edge); returns the
        post of the first role. Assigning more roles to the same pair adds them."""
        if not roles:
            raise InvalidOrgGraphError(f"assign {person_id!r} to {unit_id!r}: no role given")
        person = self.person(person_id)
        self._check_edge(MEMBER_OF, person_id, unit_id, allow_existing=True)
        held = self._held.setdefault(person_id, [])
        if not self._g.has_edge(person_id, unit_id, MEMBER_OF):
            self._g.add_edge(person_id, unit_id, key=MEMBER_OF, roles=())
        data = self._g.edges[person_id, unit_id, MEMBER_OF]
        known = tuple(data["roles"])
        new = tuple(r for r in dict.fromkeys(roles) if r not in known)
        data["roles"] = known + new
        posts = self._posts.setdefault(unit_id, {})
        for role in new:
            posts.setdefault(role, []).append(person_id)
            held.append((unit_id, role))
        self._forget_posts()
        person = attrs.evolve(person, roles=person.roles | set(roles))
        self._people[person_id] = person
        self._g.nodes[person_id]["record"] = person
        return Post(self._units[unit_id], roles[0], person)

    def add_edge(
        self, kind: str, source: str, target: str, *, minutes: float | None = None
    ) -> None:
        """Add a typed edge; ``minutes`` is required for ``serves``.

        ``contains`` edges are better added through ``add_unit(parent=...)``; ``member_of``
        through :meth:`assign`. Refusals name both ends and change nothing.
        """
        self._check_edge(kind, source, target)
        if kind == SERVES:
            if minutes is None or not math.isfinite(minutes) or minutes < 0:
                raise InvalidOrgGraphError(
                    f"serves edge {source!r} -> {target!r} needs minutes >= 0, got {minutes!r}"
                )
            self._g.add_edge(source, target, key=kind, minutes=float(minutes))
            self._service = None
            return
        if kind == MEMBER_OF and source in self._people:
            raise InvalidOrgGraphError(
                f"member_of edge {source!r} -> {target!r}: use assign(person, unit, *roles)"
            )
        self._g.add_edge(source, target, key=kind)
        if kind == CONTAINS:
            self._parent[target] = source
            self._children.setdefault(source, []).append(target)
            self._order = None
            self._chains.clear()
            self._responsible_memo.clear()
        elif kind == LEADS:
            self._leaders.setdefault(target, []).append(source)
            self._led.setdefault(source, []).append(target)
            self._responsible_memo.clear()
        elif kind == CONVENES:
            self._council[source] = target
            self._convener[target] = source
        elif kind == PAIRS_WITH:
            self._pairs.setdefault(source, []).append(target)
            self._pairs.setdefault(target, []).append(source)
        elif kind == REGISTERED_AT:
            self._registered.setdefault(target, []).append(source)

    def _forget_posts(self) -> None:
        self._post_memo.clear()
        self._responsible_memo.clear()

    def _allows(self, kind: str, source: str, target: str) -> bool:
        key = (kind, source, target)
        allowed = self._allowed.get(key)
        if allowed is None:
            allowed = self._allowed[key] = self.schema.allows(kind, source, target)
        return allowed

    def _check_edge(
        self, kind: str, source: str, target: str, *, allow_existing: bool = False
    ) -> None:
        source_kind = self._kind(source)
        target_kind = self._kind(target)
        ends = f"{kind} edge {source!r} ({source_kind}) -> {target!r} ({target_kind})"
        if not self._allows(kind, source_kind, target_kind):
            raise InvalidOrgGraphError(f"{ends} is not allowed by schema {self.schema.name!r}")
        if source == target:
            raise InvalidOrgGraphError(f"{ends}: a unit cannot link to itself")
        if not allow_existing and self._g.has_edge(source, target, kind):
            raise InvalidOrgGraphError(f"{ends} already exists")
        if kind == CONTAINS:
            if target in self._parent:
                raise InvalidOrgGraphError(
                    f"{ends}: {target!r} is already contained by {self._parent[target]!r}"
                )
            up: str | None = source
            while up is not None:
                if up == target:
                    raise InvalidOrgGraphError(f"{ends} would close a cycle")
                up = self._parent.get(up)
        elif kind == CONVENES:
            if source in self._council:
                raise InvalidOrgGraphError(
                    f"{ends}: {source!r} already convenes {self._council[source]!r} "
                    "(one group, one council)"
                )
            if target in self._convener:
                raise InvalidOrgGraphError(
                    f"{ends}: {target!r} is already convened by {self._convener[target]!r}"
                )

    def remove_edge(self, kind: str, source: str, target: str) -> None:
        """Remove one typed edge and its index entries (``member_of`` removes every role)."""
        if not self._g.has_edge(source, target, kind):
            raise InvalidOrgGraphError(f"no {kind} edge {source!r} -> {target!r}")
        self._g.remove_edge(source, target, kind)
        if kind == CONTAINS:
            del self._parent[target]
            self._children[source].remove(target)
            self._order = None
            self._chains.clear()
            self._responsible_memo.clear()
        elif kind == LEADS:
            self._leaders[target].remove(source)
            self._led[source].remove(target)
            self._responsible_memo.clear()
        elif kind == CONVENES:
            del self._council[source]
            del self._convener[target]
        elif kind == PAIRS_WITH:
            self._pairs[source].remove(target)
            self._pairs[target].remove(source)
        elif kind == REGISTERED_AT:
            self._registered[target].remove(source)
        elif kind == MEMBER_OF and source in self._people:
            posts = self._posts.get(target, {})
            for role, holders in posts.items():
                if source in holders:
                    holders.remove(source)
                    self._held[source].remove((target, role))
            remaining = {role for _, role in self._held[source]}
            self._forget_posts()
            person = attrs.evolve(self._people[source], roles=remaining)
            self._people[source] = person
            self._g.nodes[source]["record"] = person
        elif kind == SERVES:
            self._service = None

    def remove_unit(self, unit_id: str) -> Unit:
        """Remove a unit that contains nothing, with all its edges; returns its record.

        People whose ``home_unit`` it was keep the id (a person record is history, not a link).
        """
        unit = self.unit(unit_id)
        if self._children.get(unit_id):
            raise InvalidOrgGraphError(
                f"unit {unit_id!r} still contains {len(self._children[unit_id])} units"
            )
        for source, target, kind in list(self._g.in_edges(unit_id, keys=True)):
            self.remove_edge(kind, source, target)
        for source, target, kind in list(self._g.out_edges(unit_id, keys=True)):
            self.remove_edge(kind, source, target)
        self._g.remove_node(unit_id)
        del self._units[unit_id]
        if unit.code is not None:
            del self._by_code[unit.code]
        for index in (self._children, self._leaders, self._led, self._pairs, self._posts):
            index.pop(unit_id, None)
        self._registered.pop(unit_id, None)
        self._order = None
        self._chains.clear()
        self._forget_posts()
        return unit

    # --- queries -------------------------------------------------------------------------------

    def chain(self, unit_id: str) -> tuple[Unit, ...]:
        """``unit_id`` and every unit containing it, up to the root of its layer's tree."""
        chains = self._chains
        cached = chains.get(unit_id)
        if cached is not None:
            return cached
        units = self._units
        parent = self._parent
        if unit_id not in units:
            raise UnknownUnitError(unit_id)
        # Climb to the first ancestor whose chain is known, then memoize on the way down: the
        # few thousand streets, communities and grids are shared by every unit below them.
        path = [unit_id]
        up = parent.get(unit_id)
        above: tuple[Unit, ...] = ()
        while up is not None:
            known = chains.get(up)
            if known is not None:
                above = known
                break
            path.append(up)
            up = parent.get(up)
        for node in reversed(path):
            above = (units[node], *above)
            chains[node] = above
        return above

    def holder(self, unit_id: str, role: str) -> Post | None:
        """Who holds ``role`` in ``unit_id`` itself or in a party unit leading it (no climbing)."""
        self.unit(unit_id)
        return self._holder(unit_id, role)

    def leaders(self, unit_id: str) -> tuple[Unit, ...]:
        """The party units that lead ``unit_id`` directly."""
        self.unit(unit_id)
        return tuple(self._units[p] for p in self._leaders.get(unit_id, ()))

    def served_by(self, unit_id: str) -> tuple[tuple[Unit, float], ...]:
        """The service centers serving ``unit_id`` directly, with travel minutes."""
        self.unit(unit_id)
        return tuple(
            (self._units[source], data["minutes"])
            for source, _, kind, data in self._g.in_edges(unit_id, keys=True, data=True)
            if kind == SERVES
        )

    def _post(self, unit_id: str, role: str, person_id: str) -> Post:
        key = (unit_id, role)
        post = self._post_memo.get(key)
        if post is None:
            post = Post(self._units[unit_id], role, self._people[person_id])
            self._post_memo[key] = post
        return post

    def _holder(self, unit_id: str, role: str) -> Post | None:
        posts = self._posts
        roles = posts.get(unit_id)
        if roles is not None:
            holders = roles.get(role)
            if holders:
                return self._post(unit_id, role, holders[0])
        leaders = self._leaders.get(unit_id)
        if leaders:
            for leader in leaders:
                roles = posts.get(leader)
                if roles is not None:
                    holders = roles.get(role)
                    if holders:
                        return self._post(leader, role, holders[0])
        return None

    def responsible(self, unit_id: str, role: str) -> Post | None:
        """The nearest holder of ``role`` from ``unit_id`` up its chain, or ``None``.

        At each level the unit itself is asked first, then the party units that lead it (a
        branch secretary answers for the grid the branch leads). Among several holders of one
        post the first assigned answers.
        """
        # The hot path of routing. Answers are memoized for every unit on the walked path, so a
        # query from a building usually stops at its residential area, answered by a sibling.
        memo = self._responsible_memo.get(role)
        if memo is None:
            memo = self._responsible_memo[role] = {}
        elif unit_id in memo:
            return memo[unit_id]
        if unit_id not in self._units:
            raise UnknownUnitError(unit_id)
        parent = self._parent
        posts = self._posts
        all_leaders = self._leaders
        walked: list[str] = []
        found: Post | None = None
        up: str | None = unit_id
        while up is not None:
            if up in memo:
                found = memo[up]
                break
            walked.append(up)
            found = self._holder(up, role) if up in posts or up in all_leaders else None
            if found is not None:
                break
            up = parent.get(up)
        for node in walked:
            memo[node] = found
        return found

    def escalation_path(self, unit_id: str, role: str | None = None) -> tuple[EscalationStep, ...]:
        """Where a matter goes when it escalates: one step per level of ``chain(unit_id)``.

        Each step names the unit, the party unit leading it (the nearest party unit that leads
        that very unit, or ``None``), and with ``role`` the holder of that role at that level
        (the unit or its leading party units only; ``None`` if the post is empty there).
        """
        steps = []
        for unit in self.chain(unit_id):
            leaders = self._leaders.get(unit.id)
            party = self._units[leaders[0]] if leaders else None
            holder = None if role is None else self._holder(unit.id, role)
            steps.append(EscalationStep(unit, party, holder))
        return tuple(steps)

    def party_unit_for(self, unit_id: str) -> Unit | None:
        """The party unit leading ``unit_id`` or, failing that, its nearest ancestor; a party
        unit answers for itself."""
        unit = self.unit(unit_id)
        if unit.layer == PARTY:
            return unit
        up: str | None = unit_id
        while up is not None:
            leaders = self._leaders.get(up)
            if leaders:
                return self._units[leaders[0]]
            up = self._parent.get(up)
        return None

    def council_for(self, unit_id: str) -> Unit | None:
        """The council convened by the party unit nearest to ``unit_id`` that has one."""
        self.unit(unit_id)
        council = self._council
        up: str | None = unit_id
        while up is not None:
            if up in council:
                return self._units[council[up]]
            for leader in self._leaders.get(up, ()):
                if leader in council:
                    return self._units[council[leader]]
            up = self._parent.get(up)
        return None

    def paired(self, unit_id: str, *, inherit: bool = True) -> tuple[Unit, ...]:
        """Units paired with ``unit_id`` (departments for a community, communities for a
        department). With ``inherit``, a unit without pairs answers with its nearest ancestor's."""
        self.unit(unit_id)
        up: str | None = unit_id
        while up is not None:
            partners = self._pairs.get(up)
            if partners:
                return tuple(self._units[p] for p in partners)
            if not inherit:
                break
            up = self._parent.get(up)
        return ()

    def members(self, unit_id: str, role: str | None = None) -> tuple[Post, ...]:
        """The posts held in ``unit_id`` (only those of ``role`` if given), in assignment order."""
        unit = self.unit(unit_id)
        posts = self._posts.get(unit_id, {})
        people = self._people
        roles = posts if role is None else {role: posts.get(role, [])}
        return tuple(Post(unit, r, people[p]) for r, holders in roles.items() for p in holders)

    def posts_of(self, person_id: str) -> tuple[Post, ...]:
        """Every post ``person_id`` holds."""
        person = self.person(person_id)
        return tuple(Post(self._units[u], r, person) for u, r in self._held.get(person_id, ()))

    def registered(self, unit_id: str) -> tuple[Person, ...]:
        """The in-service party members registered with ``unit_id`` (双报到)."""
        self.unit(unit_id)
        return tuple(self._people[p] for p in self._registered.get(unit_id, ()))

    def leads(self, unit_id: str) -> tuple[Unit, ...]:
        """The units a party unit leads."""
        self.unit(unit_id)
        return tuple(self._units[u] for u in self._led.get(unit_id, ()))

    def convener(self, council_id: str) -> Unit | None:
        """The party unit that convenes ``council_id``."""
        self.unit(council_id)
        convener = self._convener.get(council_id)
        return None if convener is None else self._units[convener]

    def by_code(self, code: str) -> Unit:
        """The unit with this code; raises :class:`UnknownUnitError`."""
        try:
            return self._units[self._by_code[code]]
        except KeyError:
            raise UnknownUnitError(code, "code") from None

    def find_code(self, code: str) -> Unit | None:
        """The unit with this code, or ``None``."""
        unit_id = self._by_code.get(code)
        return None if unit_id is None else self._units[unit_id]

    def find(self, name: str, *, kind: str | None = None, under: str | None = None) -> list[Unit]:
        """Units whose name contains ``name`` (a linear scan: for building and exploring)."""
        pool = self.units(kind=kind, under=under)
        return [u for u in pool if name in u.name]

    def _index(self) -> list[Unit]:
        order = self._order
        if order is not None:
            return order
        with self.bulk():  # hundreds of thousands of small containers: keep the collector out
            return self._build_index()

    def _build_index(self) -> list[Unit]:
        order: list[Unit] = []
        tin: dict[str, int] = {}
        tout: dict[str, int] = {}
        kinds: dict[str, tuple[list[int], list[Unit]]] = {}
        units = self._units
        children = self._children
        parent = self._parent
        for root in units:
            if root in parent:
                continue
            # Iterative preorder; a (node, True) marker pops after the node's last descendant.
            stack: list[tuple[str, bool]] = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    tout[node] = len(order)
                    continue
                unit = units[node]
                tin[node] = len(order)
                positions, members = kinds.setdefault(unit.kind, ([], []))
                positions.append(len(order))
                members.append(unit)
                order.append(unit)
                stack.append((node, True))
                kids = children.get(node)
                if kids:
                    stack.extend((kid, False) for kid in reversed(kids))
        # Preorder puts parents before children, so every unit's chain is one tuple away: fill
        # them all now (about 100 bytes a unit) instead of paying a first-time walk per query.
        chains = self._chains
        for unit in order:
            if unit.id not in chains:
                up = parent.get(unit.id)
                chains[unit.id] = (unit,) if up is None else (unit, *chains[up])
        # Likewise answer responsible() for every unit and every role someone holds: a unit's
        # answer is its own holder or else its parent's answer, known already in preorder.
        posts = self._posts
        leaders = self._leaders
        roles = {r for held in posts.values() for r, holders in held.items() if holders}
        for role in sorted(roles):
            memo = self._responsible_memo.setdefault(role, {})
            for unit in order:
                uid = unit.id
                if uid in memo:
                    continue
                found = self._holder(uid, role) if uid in posts or uid in leaders else None
                if found is None:
                    up = parent.get(uid)
                    found = None if up is None else memo[up]
                memo[uid] = found
        self._order = order
        self._tin = tin
        self._tout = tout
        self._kind_order = kinds
        return order

    def units(self, *, kind: str | None = None, under: str | None = None) -> list[Unit]:
        """Units of ``kind`` (any if ``None``) strictly below ``under`` (anywhere if ``None``),
        in preorder: each unit before the units it contains, siblings in insertion order.

        Answered by slicing a preorder numbering of the ``contains`` forest: O(answer size)."""
        order = self._index()
        if under is None:
            if kind is None:
                return list(order)
            return list(self._kind_order.get(kind, ((), []))[1])
        try:
            low = self._tin[under] + 1
        except KeyError:
            raise UnknownUnitError(under) from None
        high = self._tout[under]
        if kind is None:
            return order[low:high]
        entry = self._kind_order.get(kind)
        if entry is None:
            return []
        positions, members = entry
        return members[bisect.bisect_left(positions, low) : bisect.bisect_left(positions, high)]

    def beyond(
        self,
        minutes: float,
        *,
        kind: str = "residential_area",
        centers: str | Iterable[str] = "service_center",
    ) -> list[Unit]:
        """Units of ``kind`` farther than ``minutes`` from every service center (8分钟服务圈).

        Travel times are the ``minutes`` of ``serves`` edges, taken both ways, so a center that
        serves a station (网格服务站) that serves an area reaches the area in the sum of the two;
        distances come from one multi-source Dijkstra from all units of the ``centers`` kinds.
        """
        service = self._service
        if service is None:
            service = nx.Graph()
            for source, target, data in self._g.edges(keys=False, data=True):
                if "minutes" in data:
                    old = service.get_edge_data(source, target)
                    if old is None or old["minutes"] > data["minutes"]:
                        service.add_edge(source, target, minutes=data["minutes"])
            self._service = service
        sources = [
            u.id
            for center_kind in ((centers,) if isinstance(centers, str) else centers)
            for u in self.units(kind=center_kind)
            if u.id in service
        ]
        reached: Mapping[str, float] = (
            nx.multi_source_dijkstra_path_length(service, sources, cutoff=minutes, weight="minutes")
            if sources
            else {}
        )
        return [u for u in self.units(kind=kind) if u.id not in reached]

    # --- consistency ---------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Everything wrong with the underlying graph, as messages (empty when valid)."""
        out: list[str] = []
        g = self._g
        for node, data in g.nodes(data=True):
            if not isinstance(data.get("record"), Unit | Person):
                out.append(f"node {node!r} has no unit or person record")
        if out:
            return out
        kind_of = {
            n: (d["record"].kind if isinstance(d["record"], Unit) else PERSON)
            for n, d in g.nodes(data=True)
        }
        contains: nx.DiGraph[str] = nx.DiGraph()
        for source, target, kind in g.edges(keys=True):
            if not self.schema.allows(kind, kind_of[source], kind_of[target]):
                out.append(
                    f"{kind} edge {source!r} ({kind_of[source]}) -> {target!r} "
                    f"({kind_of[target]}) is not allowed by schema {self.schema.name!r}"
                )
            if kind == CONTAINS:
                if contains.has_node(target) and contains.in_degree(target):
                    out.append(f"{target!r} is contained by more than one unit")
                contains.add_edge(source, target)
        if not nx.is_directed_acyclic_graph(contains):
            cycle = nx.find_cycle(contains)
            out.append(f"the contains edges have a cycle: {[e[0] for e in cycle]}")
        for source, target in contains.edges:
            if self._parent.get(target) != source:
                out.append(f"parent index disagrees with the graph at {target!r}")
        return out

    def validate(self) -> None:
        """Raise :class:`InvalidOrgGraphError` listing every problem, if any: the contains
        edges form a forest (one parent, no cycle) and every edge is allowed by the schema."""
        found = self.problems()
        if found:
            raise InvalidOrgGraphError("; ".join(found))


__all__ = ["DIVISION_RULES", "CodeRule", "OrgGraph"]
