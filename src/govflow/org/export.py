"""Export an org graph: JSON tables (the input of :func:`~govflow.org.load.from_json`), and
DOT / Mermaid drawings of a subtree with the edges between the units drawn."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from govflow.org.graph import OrgGraph
from govflow.org.records import Unit
from govflow.org.schema import CONTAINS, MEMBER_OF, SERVES


def to_json(graph: OrgGraph) -> dict[str, list[dict[str, object]]]:
    """Units (parents first), people and links as plain data; ``json.dumps`` can write it."""
    units: list[dict[str, object]] = []
    for unit in graph.units():
        parent = graph.parent(unit.id)
        row: dict[str, object] = {"id": unit.id, "kind": unit.kind, "name": unit.name}
        if parent is not None:
            row["parent"] = parent.id
        if unit.code is not None:
            row["code"] = unit.code
        if unit.attributes:
            row["attributes"] = dict(unit.attributes)
        units.append(row)
    people: list[dict[str, object]] = []
    for person in graph.people.values():
        prow: dict[str, object] = {
            "id": person.id,
            "name": person.name,
            "party_member": person.party_member,
        }
        if person.home_unit is not None:
            prow["home_unit"] = person.home_unit
        if person.attributes:
            prow["attributes"] = dict(person.attributes)
        people.append(prow)
    links: list[dict[str, object]] = []
    for source, target, kind, data in graph.nx.edges(keys=True, data=True):
        if kind == CONTAINS:
            continue
        link: dict[str, object] = {"kind": kind, "source": source, "target": target}
        if kind == MEMBER_OF and "roles" in data:
            link["roles"] = list(data["roles"])
        if kind == SERVES:
            link["minutes"] = data["minutes"]
        links.append(link)
    # networkx lists edges by node insertion order; sort so that exports of equal graphs match.
    links.sort(key=lambda link: (str(link["kind"]), str(link["source"]), str(link["target"])))
    return {"units": units, "people": people, "links": links}


def write_json(graph: OrgGraph, path: str | Path) -> None:
    """Write :func:`to_json` to ``path`` (UTF-8, Chinese kept readable)."""
    Path(path).write_text(
        json.dumps(to_json(graph), ensure_ascii=False, indent=1), encoding="utf-8"
    )


def _subtree(graph: OrgGraph, root: str, depth: int | None) -> list[Unit]:
    top = graph.unit(root)
    base = len(graph.chain(root))
    below = graph.units(under=root)
    if depth is not None:
        below = [u for u in below if len(graph.chain(u.id)) - base <= depth]
    return [top, *below]


def _edges(graph: OrgGraph, ids: set[str], kinds: Iterable[str]) -> list[tuple[str, str, str]]:
    wanted = set(kinds)
    g = graph.nx
    out = []
    for node in ids:
        for _, target, kind in g.out_edges(node, keys=True):
            if kind in wanted and target in ids:
                out.append((node, target, kind))
    return sorted(out)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


#: The edge kinds :func:`to_dot` and :func:`to_mermaid` draw unless told otherwise.
DRAWN_KINDS = (CONTAINS, "leads", "convenes", "pairs_with", "serves")

_DOT_STYLE = {
    CONTAINS: "",
    "leads": ' [style=dashed, color="red", label="leads"]',
    "convenes": ' [style=dotted, label="convenes"]',
    "pairs_with": ' [style=dashed, color="blue", label="pairs_with"]',
    "serves": ' [color="darkgreen"]',
}


def _with_party(graph: OrgGraph, units: list[Unit], party: bool) -> list[Unit]:
    if not party:
        return units
    seen = {u.id for u in units}
    extra: list[Unit] = []
    for unit in units:
        for leader in graph.leaders(unit.id):
            if leader.id not in seen:
                seen.add(leader.id)
                extra.append(leader)
            council = graph.council_for(leader.id)
            if council is not None and graph.convener(council.id) != leader:
                council = None  # council_for climbs; draw only the leader's own council
            if council is not None and council.id not in seen:
                seen.add(council.id)
                extra.append(council)
    return units + extra


def to_dot(
    graph: OrgGraph,
    root: str,
    *,
    depth: int | None = None,
    party: bool = True,
    kinds: Iterable[str] = DRAWN_KINDS,
) -> str:
    """A Graphviz DOT digraph of ``root``'s subtree (``depth`` levels), with the party units
    leading those units and their councils if ``party``, and edges of ``kinds`` among them."""
    units = _with_party(graph, _subtree(graph, root, depth), party)
    ids = {u.id for u in units}
    lines = [f"digraph {_quote(graph.unit(root).name)} {{", "  rankdir=TB;"]
    for unit in units:
        shape = "box" if unit.layer == "administrative" else "ellipse"
        label = _quote(unit.name if unit.code is None else f"{unit.name} {unit.code}")
        lines.append(f"  {_quote(unit.id)} [label={label}, shape={shape}];")
    for source, target, kind in _edges(graph, ids, kinds):
        lines.append(f"  {_quote(source)} -> {_quote(target)}{_DOT_STYLE.get(kind, '')};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(
    graph: OrgGraph,
    root: str,
    *,
    depth: int | None = None,
    party: bool = True,
    kinds: Iterable[str] = DRAWN_KINDS,
) -> str:
    """The same drawing as :func:`to_dot` as a Mermaid ``flowchart`` (node ids are n0, n1, ...
    because unit ids may hold characters Mermaid does not accept)."""
    units = _with_party(graph, _subtree(graph, root, depth), party)
    alias = {u.id: f"n{i}" for i, u in enumerate(units)}
    lines = ["flowchart TD"]
    for unit in units:
        text = unit.name.replace('"', "#quot;")
        if unit.layer == "administrative":
            lines.append(f'  {alias[unit.id]}["{text}"]')
        else:
            lines.append(f'  {alias[unit.id]}("{text}")')
    for source, target, kind in _edges(graph, set(alias), kinds):
        arrow = "-->" if kind == CONTAINS else f"-. {kind} .->"
        lines.append(f"  {alias[source]} {arrow} {alias[target]}")
    return "\n".join(lines) + "\n"


__all__ = ["to_dot", "to_json", "to_mermaid", "write_json"]
