"""Service requests: an issue seen as a GeoReport v2 request, and a POSTed form as an issue.

What a POST brings is kept in the issue's data: ``description``, ``address_string``
(the problem's location, which a workflow's privacy rules do not hide as they hide a
resident's ``address``), ``address_id``, ``zipcode``, ``lat``, ``long``, ``media_url``, the
``attributes`` by code, and the ``service_code``. The submitter's details (``first_name``,
``last_name``, ``email``, ``phone``, ``device_id``, ``account_id``) go under ``personal``
(:data:`~govflow.workflow.spec.PERSONAL_KEY`), which the engine leaves out of every read but the
reporter's and those holding the workflow's privacy permission; the Open311 views never show
it. The request's ``status`` comes from the kind of the issue's state (closed and
cancelled kinds are ``closed``), ``status_notes`` from the last move's ``status_notes`` or
``reason``, ``agency_responsible`` from the unit the issue was routed to, and the
``expected_datetime`` from the current state's due time (for a closed issue, the last one it
had).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from govflow.errors import InvalidRequestError, UnknownUnitError
from govflow.interop.open311.services import Service
from govflow.records import Event, Issue
from govflow.workflow.spec import PERSONAL_KEY, TERMINAL_KINDS

if TYPE_CHECKING:
    from govflow.org import OrgGraph

#: The submitter's fields a POST may carry: kept under ``personal``, never shown.
CONTACT_FIELDS: Final = ("first_name", "last_name", "email", "phone", "device_id", "account_id")
#: The longest description the spec allows.
MAX_DESCRIPTION: Final = 4000
_MAX_FIELD: Final = 500
_LOCATED: Final = ("address_string", "address_id")
_ATTRIBUTE: Final = re.compile(r"attribute\[([^\[\]]+)\](?:\[\])?")


def _time(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def _agency(issue: Issue, org: OrgGraph | None) -> str | None:
    if org is None:
        return None
    for person in issue.assignees:
        try:
            posts = org.posts_of(person)
        except UnknownUnitError:
            continue
        if posts:
            return posts[0].unit.name
    if issue.location is not None:
        try:
            return org.unit(issue.location).name
        except UnknownUnitError:
            return None
    return None


def _status_notes(last: Event | None) -> str | None:
    if last is None:
        return None
    for key in ("status_notes", "reason"):
        note = last.payload.get(key)
        if isinstance(note, str) and note.strip():
            return note
    return None


def request_view(
    issue: Issue,
    service: Service,
    *,
    closed: bool,
    last: Event | None,
    org: OrgGraph | None,
    expected: datetime | None = None,
) -> dict[str, Any]:
    """Every field of a GeoReport v2 service request, for ``issue`` reported as ``service``.

    ``expected`` is the deadline to report when the issue has none now (a closed issue: the
    one it was closed against)."""
    data = issue.data
    return {
        "service_request_id": issue.id,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(last),
        "service_name": service.name,
        "service_code": service.code,
        "description": data.get("description"),
        "agency_responsible": _agency(issue, org),
        "service_notice": service.notice,
        "requested_datetime": _time(issue.opened_at),
        "updated_datetime": _time(issue.updated_at),
        "expected_datetime": _time(issue.due_at or expected),
        "address": data.get("address_string"),
        "address_id": data.get("address_id"),
        "zipcode": data.get("zipcode"),
        "lat": data.get("lat"),
        "long": data.get("long"),
        "media_url": data.get("media_url"),
    }


def request_form(view: Mapping[str, Any], issue: Issue | None = None) -> dict[str, list[str]]:
    """The POST parameters that would report ``view`` (a service request) again: the way back
    from :func:`request_view` to :func:`issue_data`. With ``issue``, its attributes too."""
    form: dict[str, list[str]] = {"service_code": [str(view["service_code"])]}
    for field, name in (
        ("description", "description"),
        ("address", "address_string"),
        ("address_id", "address_id"),
        ("zipcode", "zipcode"),
        ("lat", "lat"),
        ("long", "long"),
        ("media_url", "media_url"),
    ):
        value = view.get(field)
        if value is not None:
            form[name] = [repr(value) if isinstance(value, float) else str(value)]
    attributes = {} if issue is None else issue.data.get("attributes", {})
    for code, value in attributes.items():
        values = value if isinstance(value, list) else [value]
        form[f"attribute[{code}][]" if isinstance(value, list) else f"attribute[{code}]"] = [
            str(v) for v in values
        ]
    return form


def is_closed(kind: object) -> bool:
    """True for the state kinds a request reports as ``closed``."""
    return kind in TERMINAL_KINDS


def _one(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidRequestError(f"{name} was sent {len(values)} times")
    value = values[0].strip()
    if len(value) > (MAX_DESCRIPTION if name == "description" else _MAX_FIELD):
        raise InvalidRequestError(f"{name} is too long")
    return value or None  # an empty parameter is no parameter (the spec's "optional")


def _coordinate(name: str, text: str, bound: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidRequestError(f"{name} {text!r} is not a number") from None
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise InvalidRequestError(f"{name} {text!r} is out of range (±{bound:g})")
    return value


def _attributes(service: Service, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    sent: dict[str, list[str]] = {}
    for name, values in form.items():
        match = _ATTRIBUTE.fullmatch(name)
        if match is not None:
            sent.setdefault(match.group(1), []).extend(values)
        elif name.startswith("attribute"):
            raise InvalidRequestError(f"{name!r} is not of the form attribute[code]")
    parsed: dict[str, Any] = {}
    for code, values in sent.items():
        attribute = service.attribute(code)
        if attribute is None:
            raise InvalidRequestError(f"service {service.code!r} has no attribute {code!r}")
        if attribute.variable:
            parsed[code] = attribute.parse(values)
    missing = [a.code for a in service.attributes if a.required and a.code not in parsed]
    if missing:
        raise InvalidRequestError(f"service {service.code!r} requires attribute(s) {missing}")
    return parsed


def issue_data(service: Service, form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The issue data a POSTed form gives, checked as the spec asks.

    A location is required: ``lat`` and ``long`` together, or ``address_string``, or
    ``address_id``. Attributes must fit the service's definition, its required ones present.
    """
    lat, long = _one(form, "lat"), _one(form, "long")
    if (lat is None) != (long is None):
        raise InvalidRequestError("lat and long must be sent together")
    if lat is None and not any(_one(form, name) for name in _LOCATED):
        raise InvalidRequestError(
            "a location is required: lat and long, address_string or address_id"
        )
    data: dict[str, Any] = {"service_code": service.code}
    for key, name in (
        ("description", "description"),
        ("address_string", "address_string"),
        ("address_id", "address_id"),
        ("zipcode", "zipcode"),
    ):
        value = _one(form, name)
        if value is not None:
            data[key] = value
    if lat is not None and long is not None:
        data["lat"] = _coordinate("lat", lat, 90)
        data["long"] = _coordinate("long", long, 180)
    media = _one(form, "media_url")
    if media is not None:
        parts = urlsplit(media)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidRequestError(f"media_url {media!r} is not an http(s) URL")
        data["media_url"] = media
    attributes = _attributes(service, form)
    if attributes:
        data["attributes"] = attributes
    contact = {name: value for name in CONTACT_FIELDS if (value := _one(form, name))}
    if contact:
        data[PERSONAL_KEY] = contact
    return data


__all__ = [
    "CONTACT_FIELDS",
    "MAX_DESCRIPTION",
    "is_closed",
    "issue_data",
    "request_form",
    "request_view",
]
