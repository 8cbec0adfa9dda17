"""Open311 GeoReport v2 over a govflow engine: services, service requests, tokens.

:class:`Open311` maps service codes to the engine's workflows and categories
(:class:`Service`, with :class:`Attribute` definitions in the spec's six :class:`Datatype`
kinds) and serves the spec's endpoints under ``/open311/v2`` of the app
:func:`govflow.web.create_app` builds. :mod:`~govflow.interop.open311.documents` reads and
writes the spec's XML and JSON; :mod:`~govflow.interop.open311.requests` maps issues to service
requests and POSTed forms to issues. Needs the ``web`` extra.
"""

from govflow.interop.open311.documents import normalized, parse_json, parse_xml, to_json, to_xml
from govflow.interop.open311.front import Open311, Open311Error
from govflow.interop.open311.requests import CONTACT_FIELDS, issue_data, request_view
from govflow.interop.open311.services import Attribute, Datatype, Service, ServiceType

__all__ = [
    "CONTACT_FIELDS",
    "Attribute",
    "Datatype",
    "Open311",
    "Open311Error",
    "Service",
    "ServiceType",
    "issue_data",
    "normalized",
    "parse_json",
    "parse_xml",
    "request_view",
    "to_json",
    "to_xml",
]
