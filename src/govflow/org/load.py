"""Load an org graph from tables: units, people and links, as CSV files or JSON.

Three tables (the same columns in CSV and JSON; :func:`~govflow.org.export.to_json` writes them):

``units``
    ``id, kind, name[, parent][, parent_code][, code]``; the parent is named by id (``parent``)
    or by code (``parent_code``); any other column becomes an attribute. Parents may come after
    their children.
``people``
    ``id, name[, party_member][, home_unit]``; ``party_member`` is ``true/false``, ``1/0``,
    ``yes/no`` or ``是/否``; other columns become attributes.
``links``
    ``kind, source, target[, roles][, minutes]``: ``member_of`` links need ``roles``
    (separated by ``;`` in CSV, a list in JSON), ``serves`` links need ``minutes``.

Every bad row raises :class:`~govflow.errors.DataLoadError` naming the source and the row: in CSV
the header is row 1, so the first unit is row 2; in JSON the first item of a table is row 1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from govflow.errors import DataLoadError, DefinitionError
from govflow.org.graph import OrgGraph
from govflow.org.schema import CONTAINS, MEMBER_OF, SERVES

Row = tuple[int, Mapping[str, object]]

_TRUE = {"true", "1", "yes", "y", "是"}
_FALSE = {"false", "0", "no", "n", "否", ""}


def _csv_rows(path: Path, required: Sequence[str]) -> list[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or ())]
            if missing:
                raise DataLoadError(str(path), 1, f"missing columns {missing}")
            return [(n, row) for n, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise DataLoadError(str(path), 0, f"cannot open: {exc.strerror}") from exc


def _json_rows(source: str, items: object) -> list[Row]:
    if not isinstance(items, list):
        raise DataLoadError(source, 0, "must be a list of objects")
    rows: list[Row] = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise DataLoadError(source, n, f"must be an object, got {type(item).__name__}")
        rows.append((n, item))
    return rows


def _text(source: str, n: int, row: Mapping[str, object], column: str) -> str:
    value = row.get(column)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DataLoadError(source, n, f"{column!r} is empty")
    return str(value).strip()


def _optional(row: Mapping[str, object], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _attributes(row: Mapping[str, object], known: Iterable[str]) -> dict[str, object]:
    skip = set(known)
    out: dict[str, object] = {}
    for key, value in row.items():
        if key in skip or value in (None, ""):
            continue
        if key == "attributes" and isinstance(value, dict):
            out.update(value)
        else:
            out[key] = value
    return out


_UNIT_COLUMNS = ("id", "kind", "name", "parent", "parent_code", "code")
_PERSON_COLUMNS = ("id", "name", "party_member", "home_unit")


def _add_units(graph: OrgGraph, source: str, rows: list[Row]) -> None:
    pending = rows
    while pending:
        waiting: list[Row] = []
        for n, row in pending:
            unit_id = _text(source, n, row, "id")
            parent = _optional(row, "parent")
            parent_code = _optional(row, "parent_code")
            if parent is None and parent_code is not None:
                found = graph.find_code(parent_code)
                if found is None:
                    waiting.append((n, row))
                    continue
                parent = found.id
            if parent is not None and parent not in graph:
                waiting.append((n, row))
                continue
            try:
                graph.add_unit(
                    unit_id,
                    _text(source, n, row, "kind"),
                    _text(source, n, row, "name"),
                    parent=parent,
                    code=_optional(row, "code"),
                    attributes=_attributes(row, _UNIT_COLUMNS),
                )
            except (DefinitionError, LookupError) as exc:
                raise DataLoadError(source, n, str(exc)) from exc
        if len(waiting) == len(pending):
            n, row = waiting[0]
            missing = _optional(row, "parent") or f"with code {_optional(row, 'parent_code')}"
            raise DataLoadError(source, n, f"parent {missing!r} is not a unit of this table")
        pending = waiting


def _flag(source: str, n: int, value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DataLoadError(source, n, f"party_member must be true or false, got {value!r}")


def _add_people(graph: OrgGraph, source: str, rows: list[Row]) -> None:
    for n, row in rows:
        try:
            graph.add_person(
                _text(source, n, row, "id"),
                _text(source, n, row, "name"),
                party_member=_flag(source, n, row.get("party_member")),
                home_unit=_optional(row, "home_unit"),
                attributes=_attributes(row, _PERSON_COLUMNS),
            )
        except (DefinitionError, LookupError) as exc:
            raise DataLoadError(source, n, str(exc)) from exc


def _roles(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    if value is None:
        return []
    return [r.strip() for r in str(value).replace("|", ";").split(";") if r.strip()]


def _link(graph: OrgGraph, source: str, n: int, row: Mapping[str, object]) -> None:
    kind = _text(source, n, row, "kind")
    start = _text(source, n, row, "source")
    end = _text(source, n, row, "target")
    if kind == CONTAINS:
        raise DataLoadError(source, n, "contains links belong in the units' parent column")
    if kind == MEMBER_OF and start in graph.people:
        roles = _roles(row.get("roles"))
        if not roles:
            raise DataLoadError(source, n, "a member_of link needs roles")
        graph.assign(start, end, *roles)
        return
    minutes = None
    if kind == SERVES:
        raw = _optional(row, "minutes")
        try:
            minutes = float(raw) if raw is not None else None
        except ValueError:
            raise DataLoadError(source, n, f"minutes {raw!r} is not a number") from None
    graph.add_edge(kind, start, end, minutes=minutes)


def _add_links(graph: OrgGraph, source: str, rows: list[Row]) -> None:
    for n, row in rows:
        try:
            _link(graph, source, n, row)
        except DataLoadError:
            raise
        except (DefinitionError, LookupError) as exc:
            raise DataLoadError(source, n, str(exc)) from exc


def load_tables(
    units: str | Path,
    people: str | Path | None = None,
    links: str | Path | None = None,
    *,
    graph: OrgGraph | None = None,
) -> OrgGraph:
    """Load CSV tables (paths) into ``graph`` (a new :class:`OrgGraph` by default)."""
    graph = OrgGraph() if graph is None else graph
    with graph.bulk():
        _add_units(graph, str(units), _csv_rows(Path(units), ("id", "kind", "name")))
        if people is not None:
            _add_people(graph, str(people), _csv_rows(Path(people), ("id", "name")))
        if links is not None:
            _add_links(graph, str(links), _csv_rows(Path(links), ("kind", "source", "target")))
    return graph


def from_json(
    data: str | Path | Mapping[str, object], *, graph: OrgGraph | None = None
) -> OrgGraph:
    """Load ``{"units": [...], "people": [...], "links": [...]}`` (a mapping, or a JSON file)."""
    if isinstance(data, str | Path):
        name = str(data)
        try:
            loaded = json.loads(Path(data).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise DataLoadError(name, 0, f"cannot read JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise DataLoadError(name, 0, "must be a JSON object with units, people and links")
        data = loaded
    else:
        name = "<json>"
    graph = OrgGraph() if graph is None else graph
    with graph.bulk():
        _add_units(graph, f"{name}:units", _json_rows(f"{name}:units", data.get("units", [])))
        _add_people(graph, f"{name}:people", _json_rows(f"{name}:people", data.get("people", [])))
        _add_links(graph, f"{name}:links", _json_rows(f"{name}:links", data.get("links", [])))
    return graph


__all__ = ["from_json", "load_tables"]
