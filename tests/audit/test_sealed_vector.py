"""The sealed-value vector of docs/audit-format.md, opened by AES-GCM straight from
``cryptography`` (as an auditor's program would, from the document alone) and by govflow."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from govflow.audit.canonical import canonical_json
from govflow.audit.personal import is_sealed, unseal_value

DOC = Path(__file__).parents[2] / "docs" / "audit-format.md"


def _vector() -> dict[str, Any]:
    found = re.search(
        r"<!-- sealed value vector -->\s*```json\n(.*?)```", DOC.read_text("utf-8"), re.S
    )
    assert found is not None, "the sealed value vector is missing from docs/audit-format.md"
    vector: dict[str, Any] = json.loads(found.group(1))
    return vector


def test_the_documented_envelope_opens_by_the_document_alone() -> None:
    vector = _vector()
    sealed = vector["envelope"]["$sealed"]
    assert sealed["cipher"] == "A256GCM"
    raw = base64.b64decode(sealed["data"], validate=True)
    plain = AESGCM(bytes.fromhex(vector["secret"])).decrypt(
        raw[:12], raw[12:], vector["field"].encode("utf-8")
    )
    assert json.loads(plain) == vector["value"]
    # the plaintext is the value's RFC 8785 canonical JSON
    assert plain == json.dumps(
        vector["value"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def test_govflow_opens_the_documented_envelope_and_writes_the_same_plaintext() -> None:
    vector = _vector()
    envelope = vector["envelope"]
    assert is_sealed(envelope)
    secret = bytes.fromhex(vector["secret"])
    assert unseal_value(envelope, secret, vector["field"]) == vector["value"]
    assert canonical_json(vector["value"]).encode("utf-8") == AESGCM(secret).decrypt(
        base64.b64decode(envelope["$sealed"]["data"])[:12],
        base64.b64decode(envelope["$sealed"]["data"])[12:],
        vector["field"].encode("utf-8"),
    )
