"""Open311 services: what a resident may report, each on one of the engine's workflows.

A :class:`Service` is a ``service_code`` mapped to a workflow and (optionally) a category, with
the attributes its service definition asks for. Each :class:`Attribute` has one of the spec's
six datatypes and parses the form values a POST sends for it, refusing what does not fit.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from govflow.errors import InvalidRequestError


class Datatype(enum.StrEnum):
    """The six datatypes of a service definition's attributes."""

    STRING = "string"  #: one line of text
    NUMBER = "number"  #: a numeric value
    DATETIME = "datetime"  #: an ISO 8601 date and time, with its offset
    TEXT = "text"  #: text that may hold line breaks
    SINGLEVALUELIST = "singlevaluelist"  #: one of the listed keys
    MULTIVALUELIST = "multivaluelist"  #: any number of the listed keys


class ServiceType(enum.StrEnum):
    """How a POST answers: with the id, with a token for the id, or with neither."""

    REALTIME = "realtime"
    BATCH = "batch"
    BLACKBOX = "blackbox"


def _values(value: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((str(key), str(name)) for key, name in value)


@attrs.frozen
class Attribute:
    """One field of a service definition. ``values`` are ``(key, name)`` pairs for the list
    datatypes; ``variable=False`` marks an attribute that only informs the user."""

    code: str
    datatype: Datatype = attrs.field(converter=Datatype)
    description: str
    required: bool = False
    variable: bool = True
    order: int = 1
    datatype_description: str | None = None
    values: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_values)

    def __attrs_post_init__(self) -> None:
        listed = self.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)
        if listed and not self.values:
            raise InvalidRequestError(f"attribute {self.code!r}: a {self.datatype} needs values")
        if not listed and self.values:
            raise InvalidRequestError(f"attribute {self.code!r}: a {self.datatype} has no values")
        if self.order < 1:
            raise InvalidRequestError(f"attribute {self.code!r}: order must be at least 1")

    def parse(self, raw: Sequence[str]) -> Any:
        """The value of this attribute given the form values sent for it."""
        where = f"attribute[{self.code}]"
        if self.datatype is Datatype.MULTIVALUELIST:
            keys = {key for key, _ in self.values}
            unknown = [value for value in raw if value not in keys]
            if unknown:
                raise InvalidRequestError(f"{where}: {unknown} are not among {sorted(keys)}")
            return list(dict.fromkeys(raw))
        if len(raw) != 1:
            raise InvalidRequestError(f"{where}: a {self.datatype} takes one value")
        value = raw[0]
        if self.datatype is Datatype.STRING:
            if "\n" in value or "\r" in value:
                raise InvalidRequestError(f"{where}: a string may not hold line breaks")
            return value
        if self.datatype is Datatype.TEXT:
            return value
        if self.datatype is Datatype.NUMBER:
            return _number(where, value)
        if self.datatype is Datatype.DATETIME:
            return parse_datetime(where, value).isoformat()
        keys = {key for key, _ in self.values}
        if value not in keys:
            raise InvalidRequestError(f"{where}: {value!r} is not among {sorted(keys)}")
        return value


def _number(where: str, value: str) -> int | float:
    try:
        number = float(value)
    except ValueError:
        raise InvalidRequestError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(number):
        raise InvalidRequestError(f"{where}: {value!r} is not a finite number")
    return int(number) if number.is_integer() and "." not in value else number


def parse_datetime(where: str, value: str) -> datetime:
    """A w3 date and time, which must carry its offset (``Z`` or ``+08:00``)."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidRequestError(f"{where}: {value!r} is not an ISO 8601 date and time") from None
    if when.utcoffset() is None:
        raise InvalidRequestError(f"{where}: {value!r} needs its offset from UTC (Z or +hh:mm)")
    return when


def _attributes(value: Sequence[Attribute]) -> tuple[Attribute, ...]:
    return tuple(sorted(value, key=lambda a: a.order))


def _keywords(value: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(value)


@attrs.frozen
class Service:
    """A request type residents may report: ``code`` opens an issue on ``workflow`` with
    ``category``. ``notice`` is the ``service_notice`` a new request is answered with."""

    code: str
    name: str
    workflow: str
    category: str | None = None
    description: str = ""
    group: str | None = None
    keywords: tuple[str, ...] = attrs.field(default=(), converter=_keywords)
    type: ServiceType = attrs.field(default=ServiceType.REALTIME, converter=ServiceType)
    attributes: tuple[Attribute, ...] = attrs.field(default=(), converter=_attributes)
    notice: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.code.strip():
            raise InvalidRequestError("a service needs a service_code")
        codes = [a.code for a in self.attributes]
        if len(set(codes)) != len(codes):
            raise InvalidRequestError(f"service {self.code!r}: attribute codes repeat: {codes}")
        orders = [a.order for a in self.attributes]
        if len(set(orders)) != len(orders):
            raise InvalidRequestError(f"service {self.code!r}: attribute orders repeat")

    @property
    def metadata(self) -> bool:
        """True when the service has a definition to fetch (it has attributes)."""
        return bool(self.attributes)

    def attribute(self, code: str) -> Attribute | None:
        """The attribute called ``code``, if the service has one."""
        return next((a for a in self.attributes if a.code == code), None)


__all__ = ["Attribute", "Datatype", "Service", "ServiceType", "parse_datetime"]
