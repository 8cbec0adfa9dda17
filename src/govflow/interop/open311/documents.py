"""GeoReport v2 documents in both formats: XML and its JSON mapping (the Spark convention).

A document is plain data: a list of mappings (services, requests, errors) or one mapping (a
service definition). :func:`to_xml` and :func:`to_json` write it; :func:`parse_xml` and
:func:`parse_json` read one back into the same shape, so that the XML and the JSON of one
document compare equal.

The spec's own JSON examples write codes with leading zeros as bare numbers (``"service_code":
001``), which is not JSON; :func:`parse_json` reads them leniently, and keeps every code and id
as a string, as the XML has them.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any, Final

#: Each list container and the name of its items.
ITEMS: Final = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
}
#: Fields that are identifiers: strings in both formats, whatever digits they hold.
IDENTIFIERS: Final = frozenset(
    {"service_code", "service_request_id", "token", "address_id", "zipcode", "key", "account_id"}
)
_BOOLEANS: Final = frozenset({"metadata", "variable", "required"})
_NUMBERS: Final = frozenset({"lat", "long", "order"})

JSON_TYPE: Final = "application/json; charset=utf-8"
XML_TYPE: Final = "text/xml; charset=utf-8"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _element(tag: str, value: Any) -> ET.Element:
    node = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, item in value.items():
            node.append(_element(key, item))
    elif isinstance(value, list | tuple):
        item_tag = ITEMS.get(tag, "item")
        for item in value:
            node.append(_element(item_tag, item))
    else:
        node.text = _text(value)
    return node


def to_xml(root: str, document: Any) -> bytes:
    """The document as UTF-8 XML under ``root`` (``services``, ``service_definition``...)."""
    tree = _element(root, document)
    ET.indent(tree)
    body: bytes = ET.tostring(tree, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body + b"\n"


def to_json(document: Any) -> bytes:
    """The document as UTF-8 JSON."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _scalar(tag: str, text: str | None, container: str | None) -> Any:
    value = None if text is None else text.strip()
    if not value:
        return None
    if tag in _BOOLEANS:
        return value == "true"
    if tag in _NUMBERS or (tag == "code" and container == "errors"):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    return value


def _read(node: ET.Element, container: str | None) -> Any:
    if node.tag in ITEMS:
        return [_read(child, node.tag) for child in node]
    children = list(node)
    if not children:
        return _scalar(node.tag, node.text, container)
    return {child.tag: _read(child, container) for child in children}


def parse_xml(text: str | bytes) -> Any:
    """A GeoReport v2 XML document as plain data (of the shape :func:`to_xml` writes).

    For documents this server or the spec wrote; it is not hardened against hostile XML.
    """
    root = ET.fromstring(text)  # noqa: S314  (our own documents and the spec's examples)
    return _read(root, None)


_BARE_CODE = re.compile(r'("(?:[a-z_]+)"\s*:\s*)(-?\d[\d.]*)(?=\s*[,}\]])')


def _identifiers(value: Any) -> Any:
    if isinstance(value, list):
        return [_identifiers(item) for item in value]
    if isinstance(value, dict):
        return {
            key: (
                str(item)
                if key in IDENTIFIERS and item is not None and not isinstance(item, bool)
                else _identifiers(item)
            )
            for key, item in value.items()
        }
    if isinstance(value, str):
        return value.strip() or None
    return value


def parse_json(text: str | bytes) -> Any:
    """A GeoReport v2 JSON document as plain data, read leniently.

    A number with leading zeros (``001``, not JSON) is read as the string of its digits, and
    every identifier (:data:`IDENTIFIERS`) comes back as a string; strings are stripped and
    empty ones read as null, as the XML's empty elements are.
    """
    source = text.decode("utf-8") if isinstance(text, bytes) else text

    def quote(match: re.Match[str]) -> str:
        number = match.group(2)
        digits = number.lstrip("-")
        if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
            return f'{match.group(1)}"{number}"'
        return match.group(0)

    return _identifiers(json.loads(_BARE_CODE.sub(quote, source)))


def normalized(document: Any) -> Any:
    """``document`` as :func:`parse_json` would read it back: for comparing documents."""
    return parse_json(to_json(document))


def item_list(document: Any) -> Sequence[Any]:
    """The items of a list document (for a single mapping: itself, as one item)."""
    return document if isinstance(document, list) else [document]


__all__ = [
    "IDENTIFIERS",
    "ITEMS",
    "JSON_TYPE",
    "XML_TYPE",
    "item_list",
    "normalized",
    "parse_json",
    "parse_xml",
    "to_json",
    "to_xml",
]
