"""Division and grid codes as declarative segment layouts.

A :class:`CodeLayout` is a sequence of :class:`Segment` (name, length, allowed pattern, allowed
numeric range). The same code works for every layout: :meth:`~CodeLayout.encode`,
:meth:`~CodeLayout.decode`, :meth:`~CodeLayout.validate` (the error names the wrong segment), and
:meth:`~CodeLayout.child` to number a new unit below a parent while building. Users add their own
layouts by writing another ``CodeLayout(...)``; nothing here is specific to the built-in three.

Segments that several layouts share use the same names (``county``, ``street``, ``committee``),
so a code of one layout can seed a code of another (a 12-digit community code becomes the prefix
of its 15-digit grid codes: see :func:`derive`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import attrs

from govflow.errors import InvalidCodeError


@attrs.frozen(slots=True)
class Segment:
    """One fixed-width decimal part of a code.

    ``pattern`` (a regular expression the whole segment must match) and ``low``/``high`` (an
    inclusive numeric range) are both optional. ``zero`` says whether all-zeros is allowed, which in
    a hierarchical layout means "this level and all below are absent".
    """

    name: str
    length: int
    pattern: str | None = None
    low: int | None = None
    high: int | None = None
    zero: bool = True

    def problem(self, text: str) -> str | None:
        """What is wrong with ``text`` as this segment, or ``None``."""
        if len(text) != self.length or not text.isdigit() or not text.isascii():
            return f"must be {self.length} decimal digits, got {text!r}"
        if int(text) == 0:
            return None if self.zero else "may not be all zeros"
        if self.pattern is not None and re.fullmatch(self.pattern, text) is None:
            return f"{text!r} does not match {self.pattern!r}"
        value = int(text)
        if self.low is not None and value < self.low:
            return f"{value} is below {self.low}"
        if self.high is not None and value > self.high:
            return f"{value} is above {self.high}"
        return None


def _segment_tuple(value: Iterable[Segment]) -> tuple[Segment, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class CodeLayout:
    """A code made of ``segments`` in order.

    ``hierarchical`` layouts (division codes) read an all-zero segment as "this level is absent",
    so every segment after it must be zero too: ``340303000001`` is refused.
    """

    name: str
    segments: tuple[Segment, ...] = attrs.field(converter=_segment_tuple)
    hierarchical: bool = True
    description: str = ""

    def __attrs_post_init__(self) -> None:
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"layout {self.name!r}: segment names repeat: {names}")

    @property
    def length(self) -> int:
        """Total number of digits."""
        return sum(s.length for s in self.segments)

    @property
    def names(self) -> tuple[str, ...]:
        """Segment names in order."""
        return tuple(s.name for s in self.segments)

    def _error(self, code: str, segment: str, problem: str) -> InvalidCodeError:
        return InvalidCodeError(code, self.name, segment, problem)

    def split(self, code: str) -> dict[str, str]:
        """Cut ``code`` into segments without checking them (length is checked)."""
        if len(code) != self.length:
            # Name the first segment the code runs short in (or the last one if too long).
            at = 0
            segment = self.segments[-1].name
            for s in self.segments:
                if len(code) < at + s.length:
                    segment = s.name
                    break
                at += s.length
            raise self._error(
                code, segment, f"code has {len(code)} characters, layout needs {self.length}"
            )
        parts: dict[str, str] = {}
        at = 0
        for s in self.segments:
            parts[s.name] = code[at : at + s.length]
            at += s.length
        return parts

    def decode(self, code: str) -> dict[str, str]:
        """The segments of a valid ``code``, by name; raises :class:`InvalidCodeError`."""
        parts = self.split(code)
        absent: str | None = None
        for s in self.segments:
            text = parts[s.name]
            problem = s.problem(text)
            if problem is not None:
                raise self._error(code, s.name, problem)
            if self.hierarchical:
                if absent is not None and int(text) != 0:
                    raise self._error(
                        code, s.name, f"is {text} although the level above ({absent}) is absent"
                    )
                if int(text) == 0 and absent is None:
                    absent = s.name
        return parts

    def validate(self, code: str) -> str:
        """Return ``code`` if valid, else raise :class:`InvalidCodeError` naming the segment."""
        self.decode(code)
        return code

    def is_valid(self, code: str) -> bool:
        """Whether ``code`` fits this layout."""
        try:
            self.decode(code)
        except InvalidCodeError:
            return False
        return True

    def encode(self, parts: Mapping[str, str | int] | None = None, **kw: str | int) -> str:
        """Build a code from segment values (ints are zero-padded; missing segments are zero)."""
        values = {**(parts or {}), **kw}
        unknown = set(values) - set(self.names)
        if unknown:
            name = sorted(unknown)[0]
            raise self._error(str(values[name]), name, f"layout has no segment {name!r}")
        out: list[str] = []
        for s in self.segments:
            value = values.get(s.name, 0)
            if isinstance(value, int):
                if value < 0 or len(str(value)) > s.length:
                    raise self._error(str(value), s.name, f"{value} does not fit {s.length} digits")
                text = str(value).zfill(s.length)
            else:
                text = value
            out.append(text)
        return self.validate("".join(out))

    def level(self, code: str) -> str:
        """The name of the last non-zero segment of a valid hierarchical ``code``."""
        parts = self.decode(code)
        last = self.segments[0].name
        for name, text in parts.items():
            if int(text) == 0:
                break
            last = name
        return last

    def child(self, parent: Mapping[str, str | int], segment: str, number: int) -> str:
        """The code numbered ``number`` in ``segment`` below ``parent``'s segments.

        Segments before ``segment`` come from ``parent`` (by name), those after it are zero.
        """
        if segment not in self.names:
            raise self._error(str(number), segment, f"layout has no segment {segment!r}")
        values: dict[str, str | int] = {}
        for name in self.names:
            if name == segment:
                values[name] = number
                break
            values[name] = parent.get(name, 0)
        return self.encode(values)


def derive(
    code: str,
    source: CodeLayout,
    target: CodeLayout,
    segment: str,
    number: int,
    **fixed: str | int,
) -> str:
    """A ``target`` code numbered ``number`` in ``segment``, seeded from ``code`` in ``source``.

    Example: the third Beijing unit grid of 喻义巷社区 is
    ``derive("340303001001", DIVISION_12, BEIJING_GRID_15, "grid", 3)`` → ``"340303001001003"``.
    ``fixed`` sets segments the source lacks (the CJ/T 349 ``object`` code).
    """
    return target.child({**source.decode(code), **fixed}, segment, number)


#: 12-digit statistical division code (统计用区划代码): 6-digit county code (GB/T 2260) +
#: 3-digit street/township + 3-digit village/residents' committee. Province codes run 11-82.
DIVISION_12 = CodeLayout(
    "division-12",
    (
        Segment("county", 6, pattern=r"[1-8]\d{5}", zero=False),
        Segment("street", 3),
        Segment("committee", 3),
    ),
    description="统计用区划代码: county(6) + street/township(3) + committee(3)",
)

#: 15-digit Beijing unit grid code (DB11/T 单元网格划分): the 12-digit code of the community
#: (6 district + 3 street + 3 community) followed by a 3-digit grid sequence numbered within the
#: community west to east, north to south.
BEIJING_GRID_15 = CodeLayout(
    "beijing-grid-15",
    (
        Segment("county", 6, pattern=r"[1-8]\d{5}", zero=False),
        Segment("street", 3, zero=False),
        Segment("committee", 3, zero=False),
        Segment("grid", 3, low=1, high=999, zero=False),
    ),
    hierarchical=False,
    description="北京单元网格标识码: district(6) + street(3) + community(3) + grid(3)",
)

#: 20-digit community grid code of CJ/T 349-2010 (数字社区管理与服务 网格划分与编码规则), as its
#: figure 1 and clauses 5.3-5.7 describe it: a 6-digit object code (management or service
#: object, CJ/T 348; a broad class ends in ``00``), the 6-digit county code (GB/T 2260), the
#: 3-digit street/township code (GB/T 10114), the 3-digit community code (CJ/T 213; merged
#: communities are numbered from 601) and a 2-digit grid sequence (``00`` when the community
#: is not subdivided). Source: the standard's text as quoted on public document sites; not
#: checked against the printed standard.
CJT349_GRID_20 = CodeLayout(
    "cjt349-grid-20",
    (
        Segment("object", 6, zero=False),
        Segment("county", 6, pattern=r"[1-8]\d{5}", zero=False),
        Segment("street", 3, zero=False),
        Segment("committee", 3, zero=False),
        Segment("grid", 2),
    ),
    hierarchical=False,
    description="CJ/T 349 网格编码: object(6) + county(6) + street(3) + community(3) + grid(2)",
)

LAYOUTS: Mapping[str, CodeLayout] = {
    layout.name: layout for layout in (DIVISION_12, BEIJING_GRID_15, CJT349_GRID_20)
}

__all__ = [
    "BEIJING_GRID_15",
    "CJT349_GRID_20",
    "DIVISION_12",
    "LAYOUTS",
    "CodeLayout",
    "Segment",
    "derive",
]
