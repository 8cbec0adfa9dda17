"""The audit format is portable: documented, with vectors a second implementation recomputes,
and covering every field of every event."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs
import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from govflow import Actor, Engine, Event, ManualClock
from govflow.audit import (
    CANONICAL_FIELDS,
    GENESIS,
    CanonicalFormError,
    canonical_bytes,
    canonical_json,
    canonical_object,
    canonical_text,
    event_hash,
    seal,
)
from govflow.audit.export import _event_line, event_from_canonical
from govflow.audit.hashing import digest_function
from govflow.audit.merkle import merkle_root
from govflow.errors import DefinitionError
from govflow.records import PluginRef
from govflow.testing.hostile import json_data, json_values, log_text

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "audit-format.md"


def vectors() -> dict[str, Any]:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- test vectors -->\n```json\n(.*?)^```", text, re.DOTALL | re.MULTILINE)
    assert block is not None
    loaded: dict[str, Any] = json.loads(block.group(1))
    return loaded


def test_a_second_implementation_recomputes_the_documented_vectors() -> None:
    script = Path(__file__).with_name("independent_check.py")
    assert "govflow" not in {
        line.split()[1].split(".")[0]
        for line in script.read_text().splitlines()
        if line.startswith(("import ", "from "))
    }
    done = subprocess.run(
        [sys.executable, "-I", str(script), str(DOC)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "checked 3 events; failures 0; govflow modules []" in done.stdout


def test_govflow_computes_the_documented_vectors() -> None:
    documented = vectors()
    events = [event_from_canonical(v["object"], v["hash"]) for v in documented["events"]]
    for vector, event in zip(documented["events"], events, strict=True):
        assert canonical_text(event) == vector["canonical"]
        assert event_hash(event) == vector["hash"]
    assert merkle_root([e.hash for e in events]) == documented["merkle_root"]
    assert {e.hash_algorithm for e in events} == {"sha256", "sm3"}


def test_the_canonical_object_has_every_event_field_but_the_hash() -> None:
    fields = {field.name for field in attrs.fields(Event)}
    assert set(CANONICAL_FIELDS) == fields - {"hash"}
    event = Event("1", 0, "open", None, "collected", "r", datetime(2024, 1, 1, tzinfo=UTC))
    assert set(canonical_object(event)) == fields - {"hash"}
    documented = set(re.findall(r"^\| `(\w+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE))
    assert fields - {"hash"} <= documented, "docs/audit-format.md lists every member"


BASE = seal(
    Event(
        "10001",
        2,
        "dispatch",
        "filed",
        "handling",
        "disp-1",
        datetime(2024, 3, 1, 9, tzinfo=UTC),
        datetime(2024, 3, 4, 9, tzinfo=UTC),
        MappingProxyType({"assignees": ["grid-7"]}),
        MappingProxyType({"assignees": ("grid-7",)}),
        PluginRef("p", "1"),
        MappingProxyType({"assignees": "govflow.routing 0.1.0"}),
        GENESIS,
    )
)
OTHER_VALUES: dict[str, Any] = {
    "issue_id": "10002",
    "sequence": 3,
    "trigger": "finish",
    "source": None,
    "destination": "fed_back",
    "actor": "grid-7",
    "at": datetime(2024, 3, 1, 9, tzinfo=timezone(timedelta(hours=8))),
    "due_at": None,
    "payload": MappingProxyType({"assignees": ["grid-8"]}),
    "changes": MappingProxyType({}),
    "plugin": PluginRef("p", "2"),
    "decisions": MappingProxyType({}),
    "previous_hash": "1" * 64,
    "acting_for": "unit-1",
    "audit_format": 2,
    "hash_algorithm": "sm3",
}


@pytest.mark.parametrize("name", CANONICAL_FIELDS)
def test_every_field_is_hashed(name: str) -> None:
    assert name in OTHER_VALUES, f"give {name!r} another value here"
    edited = attrs.evolve(BASE, **{name: OTHER_VALUES[name]})
    assert canonical_text(edited) != canonical_text(BASE)


@given(json_values(max_leaves=12))
def test_canonical_json_is_rfc_8785(value: Any) -> None:
    assert canonical_json(value) == rfc8785.dumps(value).decode("utf-8")


EVENTS = st.builds(
    Event,
    issue_id=log_text(),
    sequence=st.integers(0, 2**53 - 1),
    trigger=log_text(),
    source=st.none() | log_text(),
    destination=log_text(),
    actor=log_text(),
    at=st.datetimes(timezones=st.just(UTC) | st.timezones()),
    due_at=st.none() | st.datetimes(timezones=st.just(UTC)),
    payload=json_data(),
    changes=json_data(),
    plugin=st.none() | st.builds(PluginRef, log_text(), st.none() | log_text()),
    decisions=st.dictionaries(log_text(), log_text(), max_size=3),
    previous_hash=st.just(GENESIS),
)


@given(EVENTS)
def test_the_fast_encoding_is_the_definition(event: Event) -> None:
    assert canonical_text(event) == canonical_json(canonical_object(event))
    assert canonical_text(event) == rfc8785.dumps(canonical_object(event)).decode("utf-8")
    try:
        expected = canonical_text(event).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no bytes to hash
        with pytest.raises(CanonicalFormError, match="lone surrogate"):
            canonical_bytes(event)
    else:
        assert canonical_bytes(event) == expected


@given(EVENTS)
def test_an_export_line_is_the_canonical_json_of_event_and_hash(event: Event) -> None:
    line = {"event": canonical_object(event), "hash": "ab" * 32}
    sealed = attrs.evolve(event, hash=line["hash"])
    assert _event_line(sealed) == canonical_json(line) + "\n"


@given(EVENTS, st.dictionaries(log_text(), log_text(), max_size=3))
def test_a_shared_decisions_view_is_encoded_as_the_definition_every_time(
    event: Event, other: dict[str, str]
) -> None:
    # The engine shares one decisions view between events, and the encoder keeps its plain
    # form: met again, or replaced by another view that may reuse its id, it must not go stale.
    shared = attrs.evolve(event, decisions=MappingProxyType(dict(event.decisions)))
    for _ in range(2):
        assert canonical_text(shared) == canonical_json(canonical_object(shared))
    del shared
    replaced = attrs.evolve(event, decisions=MappingProxyType(other))
    assert canonical_text(replaced) == canonical_json(canonical_object(replaced))


@pytest.mark.parametrize("version", [1.0, 2**60, "1.0"])
def test_a_plugin_record_built_by_hand_is_encoded_as_the_definition(version: Any) -> None:
    event = attrs.evolve(BASE, plugin=PluginRef("hand-made", version))
    try:
        expected = canonical_json(canonical_object(event))
    except CanonicalFormError:
        with pytest.raises(CanonicalFormError):
            canonical_bytes(event)
    else:
        assert canonical_bytes(event) == expected.encode("utf-8")


def test_many_decisions_views_keep_their_encodings_right() -> None:
    views = [MappingProxyType({"due_at": f"plugin-{i} 1.0"}) for i in range(600)]
    for _ in range(2):
        for view in views:
            event = attrs.evolve(BASE, decisions=view)
            assert canonical_text(event) == canonical_json(canonical_object(event))


def test_an_engine_hashes_with_sm3_when_told_and_every_event_says_so() -> None:
    engine = Engine(autoload=False, clock=ManualClock(), hash_algorithm="sm3")
    issue = engine.open("closed-loop", reporter=Actor("r"))
    engine.fire(issue.id, "file", actor=Actor("op", roles={"operator"}))
    assert {e.hash_algorithm for e in engine.history(issue.id)} == {"sm3"}
    assert engine.verify(issue.id) == 2


def test_sm3_from_openssl_and_from_gmssl_agree() -> None:
    from govflow.audit.hashing import _gmssl_sm3, _openssl_sm3  # noqa: PLC0415

    openssl, gmssl = _openssl_sm3(), _gmssl_sm3()
    assert openssl is not None
    assert gmssl is not None
    # GB/T 32905-2016, appendix A.1
    expected = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert openssl(b"abc") == gmssl(b"abc") == expected
    assert digest_function("sm3")(b"abc") == expected


def test_an_unknown_hash_algorithm_is_refused_when_the_engine_is_built() -> None:
    with pytest.raises(DefinitionError, match="unknown hash algorithm 'md5'"):
        Engine(autoload=False, hash_algorithm="md5")
