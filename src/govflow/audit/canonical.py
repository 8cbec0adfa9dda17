"""The canonical form of an event: RFC 8785 (JCS) canonical JSON of a documented object.

:func:`canonical_object` turns an :class:`~govflow.records.Event` into plain JSON values, one
member per attrs field of ``Event`` except ``hash`` (so a field added to ``Event`` is hashed
without anyone remembering to add it here); :func:`canonical_json` writes any such value as
JCS text. ``docs/audit-format.md`` specifies both, with test vectors.

JCS is what a JSON encoder writes with sorted keys, no whitespace and text left unescaped but
for what JSON requires, except in two corners: numbers with a fraction or an exponent (JCS
writes them as ECMAScript does: ``1.0`` is ``1``, ``1e-07`` is ``1e-7``) and the order of keys
holding characters at or above U+E000 (JCS sorts by UTF-16 code units, the encoders by code
points). Values outside both corners -- every event the engine makes from ordinary text and
integers -- go through a C encoder (orjson on the hot path, the standard library's elsewhere);
the rest through :func:`_jcs`, the letter of the RFC.
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs
import orjson

from govflow._views import ViewMemo
from govflow.errors import InvalidRequestError
from govflow.records import Event, PluginRef

#: The version of the canonical form (the object's members and their encodings), recorded in
#: every event's ``audit_format``.
AUDIT_FORMAT: Final = 1

#: The largest integer I-JSON (RFC 7493) lets a reader hold exactly: JCS numbers are IEEE
#: doubles, so a larger integer would not mean the same number to every auditor.
MAX_SAFE_INTEGER: Final = 2**53 - 1

#: The ``Event`` fields in the canonical object: all of them but the hash itself.
CANONICAL_FIELDS: Final = tuple(f.name for f in attrs.fields(Event) if f.name != "hash")

_C_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_encode_string: Callable[[str], str] = json.encoder.encode_basestring
_HIGH: Final = "\ue000"  # from here on, code point order and UTF-16 order may disagree


class CanonicalFormError(InvalidRequestError):
    """A value has no canonical JSON form: a float that is not finite, an integer beyond
    ±(2**53 - 1), a lone surrogate, a key that is not text, a type JSON lacks."""


def _es_number(value: float) -> str:
    """``value`` as ECMAScript's Number.prototype.toString writes it (RFC 8785, 3.2.2.3)."""
    if not math.isfinite(value):
        raise CanonicalFormError(f"{value!r} is not a finite number")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript asks for.
    digits_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(map(str, digits_tuple))
    k = len(digits)
    n = int(exponent) + k  # value = 0.digits × 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        power = n - 1
        mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
        text = f"{mantissa}e{'+' if power >= 0 else '-'}{abs(power)}"
    return sign + text


def _utf16_key(key: str) -> bytes:
    return key.encode("utf-16-be", "strict")


def _jcs(value: Any) -> str:  # noqa: PLR0911  (one return per JSON type)
    """RFC 8785 canonical JSON of a plain JSON value, by the letter."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalFormError(f"the integer {value} is beyond ±(2**53 - 1)")
        return str(value)
    if kind is float:
        return _es_number(value)
    if isinstance(value, dict):
        for key in value:
            if type(key) is not str:
                raise CanonicalFormError(f"the key {key!r} is not text")
        try:
            keys = sorted(value, key=_utf16_key)
        except UnicodeEncodeError:
            raise CanonicalFormError("a key holds a lone surrogate") from None
        return "{" + ",".join(f"{_encode_string(k)}:{_jcs(value[k])}" for k in keys) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    raise CanonicalFormError(f"a {kind.__name__} is not JSON data")


def _plain(value: Any, corners: list[bool]) -> Any:  # noqa: PLR0911, PLR0912  (one per type)
    """``value`` as plain JSON values (dicts, lists, text, numbers, null), noting in
    ``corners`` whether it reaches a corner where the C encoder and JCS disagree."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise CanonicalFormError(f"the integer {value} is beyond ±(2**53 - 1)")
        return value
    if kind is float:
        corners.append(True)
        return value
    if kind is tuple or kind is list:
        return [_plain(item, corners) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        plain: dict[str, Any] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise CanonicalFormError(f"the key {key!r} is not text")
            if not key.isascii() and max(key) >= _HIGH:
                corners.append(True)
            plain[key] = _plain(item, corners)
        return plain
    if isinstance(value, PluginRef):
        return {"name": value.name, "version": value.version}
    if isinstance(value, int):  # an int subclass (an IntEnum): its number
        return _plain(int(value), corners)
    if isinstance(value, str):
        return _plain(str(value), corners)
    raise CanonicalFormError(f"a {kind.__name__} is not JSON data")


def parse_integer(text: str) -> int | float:
    """A JSON integer literal as read back from canonical JSON (``json.loads(...,
    parse_int=parse_integer)``): JSON numbers are IEEE doubles (I-JSON), so an integral one
    beyond the safe range can only have been a float, which JCS writes without a fraction."""
    value = int(text)
    return value if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER else float(value)


def canonical_json(value: Any) -> str:
    """The RFC 8785 canonical JSON text of ``value`` (mappings, sequences, text, numbers,
    booleans, None; datetimes as ISO 8601 text, a PluginRef as ``{"name", "version"}``).

    :raises CanonicalFormError: ``value`` has no canonical form.
    """
    corners: list[bool] = []
    plain = _plain(value, corners)
    if corners:
        return _jcs(plain)
    return _C_ENCODER.encode(plain)


def canonical_object(event: Event) -> dict[str, Any]:
    """The documented object an event's hash covers: every field of ``event`` but ``hash``,
    by its attrs name, as plain JSON values."""
    corners: list[bool] = []
    return {name: _plain(getattr(event, name), corners) for name in CANONICAL_FIELDS}


# --- the hot path: every move hashes its event -------------------------------------------------
#
# canonical_json(canonical_object(event)) is the definition. canonical_bytes gets the same bytes
# from one pass of orjson over a dict of the event's fields: the plugin, the decisions and any
# time not in the UTC zone converted beforehand (the plugin and decisions from memos: the same
# few are met on every move), the read-only mappings by the encoder's ``default`` hook as it
# meets them. Whatever might fall in one of JCS's two corners (a float, a key at or above
# U+E000, an integer beyond the safe range, a type of value not expected here) sends the whole
# event to the letter-of-the-RFC path instead.


class _CornerError(Exception):
    """Raised inside the C encoder's hook: this event needs the slow, exact path."""


def _has_corner(value: Any) -> bool:  # noqa: PLR0911  (one answer per type)
    """True if ``value`` holds something the C encoder would write otherwise than JCS."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return False
    if kind is int:
        return not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if kind is tuple or kind is list:
        return any(map(_has_corner, value))
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and max(key) >= _HIGH):
                return True
            if _has_corner(item):
                return True
        return False
    return kind is not MappingProxyType  # a view is checked when the hook converts it


def _convert(value: Any) -> Any:
    kind = type(value)
    if kind is datetime:
        return value.isoformat()
    if kind is MappingProxyType or isinstance(value, Mapping):
        if not value:
            return {}
        plain = dict(value)
        if _has_corner(plain):
            raise _CornerError
        return plain
    if kind is PluginRef:
        name, version = value.name, value.version
        if type(name) is not str or (version is not None and type(version) is not str):
            raise _CornerError  # a record built by hand with other values: the exact path
        return {"name": name, "version": version}
    raise _CornerError


def _text_only(plain: Any) -> bool:
    return all(type(item) is str for item in plain.values())


#: The plain form of an event's decisions: the engine shares one view between all the events
#: that make the same decisions, so each view is converted once.
_plain_decisions: ViewMemo[Any] = ViewMemo(_convert, limit=256, keep=_text_only)
#: The plain form of the plugins events name, by the record's identity (each record is held,
#: so its id is not reused while kept): a handful, each met on every move.
_plain_plugins: dict[int, tuple[PluginRef, Any]] = {}


def _plain_plugin(value: Any) -> Any:
    known = _plain_plugins.get(id(value))
    if known is not None and known[0] is value:
        return known[1]
    plain = _convert(value)  # anything but a PluginRef is a corner
    if len(_plain_plugins) >= 256:  # a handful in practice: emptied rather than grown
        _plain_plugins.clear()
    _plain_plugins[id(value)] = (value, plain)
    return plain


# The C encoder itself, made once (json.JSONEncoder.encode makes one per call): no circular
# check, the hook above, no indent, compact separators, sorted keys, no skipping, no NaN.
_SORT_KEYS, _SKIP_KEYS, _ALLOW_NAN = True, False, False
_c_iterencode = json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _convert, _encode_string, None, ":", ",", _SORT_KEYS, _SKIP_KEYS, _ALLOW_NAN
)

_SORTED: Final = tuple(sorted(CANONICAL_FIELDS, key=_utf16_key))
_values = operator.attrgetter(*_SORTED)
_DECLARED: Final = {name: str(attrs.fields_dict(Event)[name].type) for name in _SORTED}
#: The time fields, by declared type: a time of the UTC zone is written by the encoder, any
#: other by ``isoformat`` beforehand.
_TIMES: Final = tuple(
    name for name in _SORTED if _DECLARED[name] in {"datetime", "datetime | None"}
)
_DECISIONS: Final = "decisions"
_PLUGIN: Final = "plugin"
#: Declared types handled exactly above (or by the C encoder); other fields are checked first.
_EXACT_TYPES: Final = frozenset(
    {
        "str",
        "str | None",
        "datetime",
        "datetime | None",
        "PluginRef | None",
        "Mapping[str, Any]",
        "Mapping[str, str]",
    }
)
_CHECKED: Final = tuple(
    index for index, name in enumerate(_SORTED) if _DECLARED[name] not in _EXACT_TYPES
)


def plain_text(value: Any) -> str:
    """``value`` -- plain JSON values only: dicts, lists, text, numbers, booleans, None -- as
    the C encoder writes it with JCS's settings: :func:`canonical_json`'s text whenever the
    value reaches neither corner (no float, no key at or above U+E000, no integer beyond the
    safe range). For a verifier that recomputes hashes and falls back to the exact path on a
    mismatch.

    :raises CanonicalFormError: ``value`` holds something other than plain JSON values.
    """
    try:
        return "".join(_c_iterencode(value, 0))
    except _CornerError:
        raise CanonicalFormError("not plain JSON values") from None


# orjson writes what JCS writes outside the two corners: sorted keys (by code point), no
# whitespace, text as UTF-8 with only what JSON requires escaped, and the same escapes as the
# standard library's encoder. Its integers stop at the safe range here (OPT_STRICT_INTEGER) and
# it writes a time of the UTC zone exactly as ``isoformat`` does; any other zone is written by
# ``isoformat`` beforehand (orjson rounds an offset to whole minutes). What it cannot write
# natively (a view, a PluginRef) it asks the hook for, which sends corners to the exact path.
_ORJSON_OPTIONS: Final = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER
_PLAIN_OPTIONS: Final = (
    _ORJSON_OPTIONS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def plain_bytes(value: Any) -> bytes:
    """:func:`plain_text`, as UTF-8, written by orjson: for a verifier that reads plain JSON
    values back from storage, recomputes hashes and falls back to the exact path on a
    mismatch.

    :raises CanonicalFormError: ``value`` holds something other than plain JSON values, an
        integer beyond the safe range or a lone surrogate.
    """
    try:
        return orjson.dumps(value, option=_PLAIN_OPTIONS)
    except orjson.JSONEncodeError:
        raise CanonicalFormError("not plain JSON values within JCS's range") from None


def _plain_fields(event: Event) -> dict[str, Any] | None:
    """The event's canonical members for a C encoder, times, plugin and decisions converted;
    None if a member may fall in a corner (the exact path must write it)."""
    values = _values(event)
    for index in _CHECKED:
        value = values[index]
        if (type(value) is not int or not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER) and (
            _has_corner(value)
        ):
            return None
    fields = dict(zip(_SORTED, values, strict=True))
    for name in _TIMES:
        time = fields[name]
        if time is not None and (type(time) is not datetime or time.tzinfo is not UTC):
            fields[name] = _convert(time)
    if fields[_DECISIONS]:
        fields[_DECISIONS] = _plain_decisions(fields[_DECISIONS])
    if fields[_PLUGIN] is not None:
        fields[_PLUGIN] = _plain_plugin(fields[_PLUGIN])
    return fields


def canonical_text(event: Event) -> str:
    """``canonical_json(canonical_object(event))``, computed quickly: the text hashed."""
    try:
        fields = _plain_fields(event)
        if fields is not None:
            return orjson.dumps(fields, default=_convert, option=_ORJSON_OPTIONS).decode()
    except (_CornerError, orjson.JSONEncodeError):
        pass
    return _jcs(canonical_object(event))


def canonical_bytes(event: Event) -> bytes:
    """The exact bytes an event's hash is computed over: UTF-8 of its canonical JSON.

    :raises CanonicalFormError: a field has no canonical form (a lone surrogate, say).
    """
    try:
        fields = _plain_fields(event)
        if fields is not None:
            return orjson.dumps(fields, default=_convert, option=_ORJSON_OPTIONS)
    except (_CornerError, orjson.JSONEncodeError):
        pass
    text = _jcs(canonical_object(event))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise CanonicalFormError("a text field holds a lone surrogate") from None


__all__ = [
    "AUDIT_FORMAT",
    "CANONICAL_FIELDS",
    "MAX_SAFE_INTEGER",
    "CanonicalFormError",
    "canonical_bytes",
    "canonical_json",
    "canonical_object",
    "canonical_text",
    "parse_integer",
    "plain_bytes",
    "plain_text",
]
