"""The audit log: a portable canonical form, hash chains, a store-wide Merkle log, verification.

* :mod:`govflow.audit.canonical` -- each event's canonical JSON (RFC 8785), the bytes hashed;
* :mod:`govflow.audit.hashing` -- the algorithms (SHA-256, SM3) by the names events record;
* :mod:`govflow.audit.chain` -- one issue's chain: :func:`verify_events`, :func:`replay`.

``docs/audit-format.md`` specifies the format for auditors working in other languages.
"""

from __future__ import annotations

from govflow.audit.canonical import (
    AUDIT_FORMAT,
    CANONICAL_FIELDS,
    MAX_SAFE_INTEGER,
    CanonicalFormError,
    canonical_bytes,
    canonical_json,
    canonical_object,
    canonical_text,
)
from govflow.audit.chain import (
    CHANGEABLE,
    GENESIS,
    event_hash,
    json_text,
    recompute_hash,
    replay,
    seal,
    to_json_value,
    verify_events,
)
from govflow.audit.hashing import DEFAULT_ALGORITHM, digest

__all__ = [
    "AUDIT_FORMAT",
    "CANONICAL_FIELDS",
    "CHANGEABLE",
    "DEFAULT_ALGORITHM",
    "GENESIS",
    "MAX_SAFE_INTEGER",
    "CanonicalFormError",
    "canonical_bytes",
    "canonical_json",
    "canonical_object",
    "canonical_text",
    "digest",
    "event_hash",
    "json_text",
    "recompute_hash",
    "replay",
    "seal",
    "to_json_value",
    "verify_events",
]
