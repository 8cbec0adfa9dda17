"""A resident's personal data is erased on request and the log still verifies, on every store.

Personal values are sealed under the reporter's key before anything hashes or stores them
(govflow.audit.personal); ``Engine.erase`` records the request in each of the subject's issues
and destroys the key. What must hold afterwards: every chain and every checkpoint taken before
still verifies; the data cannot be read through the engine, from the database file or from an
export; the erasure is in the log; a bad request changes nothing.
"""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govflow import Actor, Engine, ManualClock, Store
from govflow.audit.export import export_keys, export_store, import_store
from govflow.audit.personal import SEALED, is_sealed
from govflow.audit.verify import verify_store
from govflow.cli import main
from govflow.errors import (
    ConflictError,
    IntegrityError,
    InvalidRequestError,
    PermissionDeniedError,
    UnknownSubjectError,
)
from govflow.store import MemoryStore, SQLStore
from govflow.testing.hostile import hostile_values, json_values, log_text
from govflow.testing.personal import leaked_in_export, leaked_in_files
from govflow.testing.pytest_plugin import CheckpointMaker

from .conftest import Backend

PERSONAL = {"reporter_name": "王阿姨", "phone": "13800000000", "address": "喻义巷3号"}
PHONE = "13912345678"
RESIDENT = "resident-wang"
NEIGHBOUR = "resident-li"
OPERATOR = Actor("op-1", roles={"operator"})
DISPATCHER = Actor("disp-1", roles={"dispatcher"})
PRIVACY_OFFICER = Actor("dpo-1", roles={"personal_data"})


def _engine(store: Store, clock: ManualClock | None = None) -> Engine:
    return Engine(store=store, clock=clock or ManualClock(), autoload=False)


def _report(engine: Engine) -> tuple[str, str, str]:
    """Two issues of the resident's (personal data in the data and in a payload), one of a
    neighbour's."""
    first = engine.open(
        "closed-loop",
        reporter=RESIDENT,
        data={"description": "楼道灯坏了", "personal": PERSONAL},
        idempotency_key="call-1",
    )
    engine.fire(first.id, "file", actor=OPERATOR, payload={"note": "called", "phone": PHONE})
    second = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
    other = engine.open("closed-loop", reporter=NEIGHBOUR, data={"phone": "13700000000"})
    return first.id, second.id, other.id


def _anchored(backend: Backend, tmp_path: Path) -> tuple[Engine, tuple[str, str, str], Any]:
    """The three issues of :func:`_report`, and a checkpoint of the log signed after them."""
    clock = ManualClock()
    engine = _engine(backend.open(), clock)
    reported = _report(engine)
    return engine, reported, CheckpointMaker(tmp_path, clock)(engine.store)


def _export(store: Store) -> str:
    out = io.StringIO()
    export_store(store, out)
    return out.getvalue()


def test_the_store_holds_personal_data_sealed_and_the_reporter_reads_it(
    backend: Backend,
) -> None:
    engine = _engine(backend.open())
    first, _, _ = _report(engine)
    stored = engine.store.get(first)
    assert is_sealed(stored.data["personal"])
    assert stored.data["description"] == "楼道灯坏了"  # only personal keys are sealed
    assert is_sealed(engine.store.events(first)[1].payload["phone"])
    assert engine.get(first, reader=RESIDENT).data["personal"] == PERSONAL
    assert engine.history(first, reader=RESIDENT)[1].payload["phone"] == PHONE
    assert "personal" not in engine.get(first, reader=OPERATOR).data  # redacted as before
    assert leaked_in_export(engine.store, [PHONE, "王阿姨", "13700000000"]) == []
    assert verify_store(engine.store).ok


def test_after_erasure_the_log_verifies_and_the_data_is_gone(
    backend: Backend, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine, (first, second, other), anchor = _anchored(backend, tmp_path)
    before = engine.store.log_size()

    with caplog.at_level(logging.WARNING, logger="govflow.store._sql_keys"):
        erased = engine.erase(RESIDENT, actor=RESIDENT, reason="PIPL art. 47 request 2026-17")
    assert caplog.records == []  # the key's row was scrubbed (secure_delete, VACUUM FULL)

    assert [event.issue_id for event in erased] == [first, second]
    for event in erased:
        assert (event.trigger, event.actor) == ("erase", RESIDENT)
        assert dict(event.payload) == {
            "subject": RESIDENT,
            "reason": "PIPL art. 47 request 2026-17",
        }
        assert event.source == event.destination  # the issue stays where it was
    assert engine.store.log_size() == before + 2  # the erasure is in the store-wide log
    report = verify_store(engine.store, anchor, public_key=None)
    assert report.ok, report.findings  # the checkpoint taken before still verifies
    assert engine.verify(first) == 3
    assert engine.verify(second) == 2
    # unreadable through the engine, even for the resident and the privacy officer
    for reader in (RESIDENT, PRIVACY_OFFICER):
        assert dict(engine.get(first, reader=reader).data) == {"description": "楼道灯坏了"}
        assert "phone" not in engine.history(first, reader=reader)[1].payload
        assert "phone" not in engine.get(second, reader=reader).data
    # the envelopes are still there (the hashes cover them); their key is not
    assert is_sealed(engine.store.get(first).data["personal"])
    assert engine.store.subject_key(RESIDENT) is None
    # the neighbour is untouched
    assert engine.get(other, reader=NEIGHBOUR).data["phone"] == "13700000000"
    assert [e.trigger for e in engine.history(other)] == ["open"]


def test_erased_data_is_not_in_the_database_file_nor_in_an_export(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    with SQLStore(f"sqlite:///{path}") as store:
        engine = _engine(store)
        _report(engine)
        key = store.subject_key(RESIDENT)
        assert key is not None
        keys = io.StringIO()
        export_keys(store, keys)
        assert key.secret.hex() not in keys.getvalue()  # base64 in the file, checked below
        engine.erase(RESIDENT, actor=PRIVACY_OFFICER)
        exported = _export(store)
        after = io.StringIO()
        export_keys(store, after)

    personal = [PHONE, "王阿姨", "喻义巷"]
    assert leaked_in_files(path, personal) == []  # never written: only sealed values are
    assert [value for value in personal if value in exported] == []
    # the key is overwritten (secure_delete), not just unlinked
    assert leaked_in_files(path, [key.secret]) == []
    assert key.key_id not in after.getvalue()
    assert RESIDENT not in after.getvalue()
    assert "resident-li" in after.getvalue()


def test_an_unknown_subject_or_a_second_erasure_is_refused_and_changes_nothing(
    backend: Backend,
) -> None:
    engine = _engine(backend.open())
    _report(engine)
    size, text = engine.store.log_size(), _export(engine.store)
    with pytest.raises(UnknownSubjectError, match="resident-zhou"):
        engine.erase("resident-zhou", actor=PRIVACY_OFFICER)
    with pytest.raises(InvalidRequestError, match="subject"):
        engine.erase("", actor=PRIVACY_OFFICER)
    with pytest.raises(InvalidRequestError, match="subject"):
        engine.erase(123, actor=PRIVACY_OFFICER)  # type: ignore[arg-type]
    assert (engine.store.log_size(), _export(engine.store)) == (size, text)
    engine.erase(RESIDENT, actor=RESIDENT)
    size, text = engine.store.log_size(), _export(engine.store)
    with pytest.raises(UnknownSubjectError):
        engine.erase(RESIDENT, actor=RESIDENT)
    assert (engine.store.log_size(), _export(engine.store)) == (size, text)


def test_only_the_subject_or_a_holder_of_the_permission_may_erase(backend: Backend) -> None:
    engine = _engine(backend.open())
    first, _, _ = _report(engine)
    size = engine.store.log_size()
    for intruder in (OPERATOR, NEIGHBOUR):
        with pytest.raises(PermissionDeniedError, match="personal_data"):
            engine.erase(RESIDENT, actor=intruder)
    assert engine.store.log_size() == size
    assert engine.get(first, reader=RESIDENT).data["personal"] == PERSONAL
    assert len(engine.erase(RESIDENT, actor=PRIVACY_OFFICER)) == 2


def test_a_new_report_after_erasure_is_sealed_under_a_new_key(backend: Backend) -> None:
    engine = _engine(backend.open())
    _report(engine)
    engine.erase(RESIDENT, actor=RESIDENT)
    again = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
    assert engine.get(again.id, reader=RESIDENT).data["phone"] == PHONE
    assert [e.trigger for e in engine.erase(RESIDENT, actor=RESIDENT)] == ["erase"] * 3


def test_retries_with_personal_data_are_recognised(backend: Backend) -> None:
    engine = _engine(backend.open())
    first, _, _ = _report(engine)
    data = {"description": "楼道灯坏了", "personal": PERSONAL}
    again = engine.open("closed-loop", reporter=RESIDENT, data=data, idempotency_key="call-1")
    assert again.id == first  # compared with the plaintext, not with its sealed form
    changed = {**data, "personal": {**PERSONAL, "phone": "1"}}
    with pytest.raises(ConflictError, match="data"):
        engine.open("closed-loop", reporter=RESIDENT, data=changed, idempotency_key="call-1")
    dispatch = {"phone": PHONE, "assignees": ["grid-7"]}
    moved = engine.fire(first, "dispatch", actor=DISPATCHER, payload=dispatch, idempotency_key="d")
    assert (
        engine.fire(first, "dispatch", actor=DISPATCHER, payload=dispatch, idempotency_key="d")
        == moved
    )
    changed_payload = {**dispatch, "phone": "2"}
    with pytest.raises(ConflictError, match="payload"):
        engine.fire(
            first, "dispatch", actor=DISPATCHER, payload=changed_payload, idempotency_key="d"
        )


def test_an_altered_envelope_is_named_not_opened() -> None:
    store = MemoryStore()
    engine = _engine(store)
    issue = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
    other = engine.open("closed-loop", reporter=RESIDENT, data={"address": "喻义巷3号"})
    # a sealed phone number moved under another key does not open (the field is bound to it)
    moved = dict(other.data)
    moved["phone"] = moved.pop("address")
    with pytest.raises(IntegrityError, match="does not open"):
        engine.personal.unseal(moved, frozenset({"phone"}), other.id)
    assert engine.get(issue.id, reader=RESIDENT).data["phone"] == PHONE


def test_export_and_import_carry_the_keys_apart_and_erasure_survives(
    backend: Backend, tmp_path: Path
) -> None:
    engine, (first, _, other), anchor = _anchored(backend, tmp_path)
    export, keys = tmp_path / "export.jsonl", tmp_path / "keys.jsonl"
    export.write_text(_export(engine.store), encoding="utf-8")
    with keys.open("w", encoding="utf-8") as out:
        assert export_keys(engine.store, out) == 2
    # with the keys, the copy reads like the original
    copy = _engine(MemoryStore())
    import_store(export, copy.store, keys=keys)
    assert copy.get(first, reader=RESIDENT).data["personal"] == PERSONAL
    assert verify_store(copy.store, anchor).ok
    # without them, the copy verifies but holds nothing personal anyone can read
    blind = _engine(MemoryStore())
    import_store(export, blind.store)
    assert "personal" not in blind.get(first, reader=RESIDENT).data
    assert verify_store(blind.store, anchor).ok
    # an erasure made on the original survives a new export and import
    engine.erase(RESIDENT, actor=RESIDENT)
    export.write_text(_export(engine.store), encoding="utf-8")
    with keys.open("w", encoding="utf-8") as out:
        assert export_keys(engine.store, out) == 1
    after = _engine(MemoryStore())
    import_store(export, after.store, keys=keys)
    assert verify_store(after.store, anchor).ok
    assert "personal" not in after.get(first, reader=RESIDENT).data
    assert after.history(first)[-1].trigger == "erase"
    assert after.get(other, reader=NEIGHBOUR).data["phone"] == "13700000000"


def test_a_bad_keys_file_is_refused_and_the_target_untouched(tmp_path: Path) -> None:
    engine = _engine(MemoryStore())
    _report(engine)
    export, keys = tmp_path / "export.jsonl", tmp_path / "keys.jsonl"
    export.write_text(_export(engine.store), encoding="utf-8")
    out = io.StringIO()
    export_keys(engine.store, out)
    lines = out.getvalue().splitlines()
    record = json.loads(lines[1])
    bad_files = [
        "",
        "\n".join([lines[0], json.dumps({**record, "secret": "AAAA"})]),
        "\n".join([lines[0], "[1, 2]"]),
        "\n".join(['{"govflow":"export","format":1}', *lines[1:]]),
    ]
    for text in bad_files:
        keys.write_text(text, encoding="utf-8")
        target = MemoryStore()
        with pytest.raises(IntegrityError):
            import_store(export, target, keys=keys)
        assert (len(target), target.log_size(), list(target.subject_keys())) == (0, 0, [])


def test_envelopes_name_their_cipher_and_key() -> None:
    engine = _engine(MemoryStore())
    issue = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
    envelope = engine.store.get(issue.id).data["phone"][SEALED]
    key = engine.store.subject_key(RESIDENT)
    assert key is not None
    assert (envelope["cipher"], envelope["key"]) == ("A256GCM", key.key_id)
    assert key.secret.hex() not in repr(key)  # secrets stay out of reprs


def test_govflow_erase_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "record.db"
    with SQLStore(f"sqlite:///{path}") as store:
        first, _, _ = _report(_engine(store))
    out, err = io.StringIO(), io.StringIO()
    argv = ["erase", RESIDENT, "--actor", RESIDENT, "--reason", "request 17", "-d", str(path)]
    assert main(argv, stdout=out, stderr=err) == 0, err.getvalue()
    assert "2 issues" in err.getvalue() + out.getvalue()
    assert main(argv, stdout=out, stderr=err) == 2  # nothing left to erase: a typed error
    assert "resident-wang" in err.getvalue()
    assert main(["verify", "-d", str(path)], stdout=out, stderr=err) == 0
    with SQLStore(f"sqlite:///{path}", create=False) as store:
        assert _engine(store).history(first)[-1].payload["reason"] == "request 17"


def test_a_batch_seals_personal_data_but_does_not_erase(backend: Backend) -> None:
    engine = _engine(backend.open())
    with engine.batch() as batch:
        issue = batch.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
        with pytest.raises(InvalidRequestError, match="batch"):
            batch.erase(RESIDENT, actor=RESIDENT)
    assert is_sealed(engine.store.get(issue.id).data["phone"])
    assert engine.get(issue.id, reader=RESIDENT).data["phone"] == PHONE
    assert [e.trigger for e in engine.erase(RESIDENT, actor=RESIDENT)] == ["erase"]


_EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_EXAMPLES
@given(value=json_values(), note=json_values())
def test_any_personal_value_is_sealed_and_opens_to_itself(
    backend: Backend, value: object, note: object
) -> None:
    engine = _engine(backend.open())
    issue = engine.open("closed-loop", reporter=RESIDENT, data={"personal": value, "楼": 3})
    moved = engine.fire(issue.id, "file", actor=OPERATOR, payload={"phone": note})
    assert is_sealed(engine.store.get(issue.id).data["personal"])
    assert is_sealed(moved.payload["phone"])
    assert engine.get(issue.id, reader=RESIDENT).data["personal"] == value
    assert engine.history(issue.id, reader=RESIDENT)[1].payload["phone"] == note
    assert engine.verify(issue.id) == 2


@_EXAMPLES
@given(
    subject=st.one_of(hostile_values(), log_text()),
    reason=st.one_of(st.none(), hostile_values(), log_text()),
)
def test_hostile_erasure_requests_are_typed_errors_that_change_nothing(
    backend: Backend, subject: object, reason: object
) -> None:
    engine = _engine(backend.open())
    first = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE}).id
    size, keys = engine.store.log_size(), list(engine.store.subject_keys())
    with pytest.raises(InvalidRequestError):  # UnknownSubjectError is one
        engine.erase(subject, actor=PRIVACY_OFFICER, reason=reason)  # type: ignore[arg-type]
    assert (engine.store.log_size(), list(engine.store.subject_keys())) == (size, keys)
    assert engine.get(first, reader=RESIDENT).data["phone"] == PHONE


def test_envelopes_a_caller_sends_are_data_not_sealed_values(backend: Backend) -> None:
    engine = _engine(backend.open())
    genuine = engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE})
    forged = dict(engine.store.get(genuine.id).data["phone"])  # as a DBA could read it
    fake = {"$sealed": {**forged["$sealed"], "data": "AAAA"}}
    issue = engine.open("closed-loop", reporter=NEIGHBOUR, data={"phone": forged, "note": fake})
    # sealed again under the neighbour's key: it opens to what was sent, not to the resident's
    assert engine.get(issue.id, reader=NEIGHBOUR).data["phone"] == forged
    assert engine.get(issue.id, reader=NEIGHBOUR).data["note"] == fake  # not personal: as sent
    assert engine.get(issue.id).data["note"] == fake
    assert engine.verify(issue.id) == 1


def test_a_copy_in_the_clear_is_found(tmp_path: Path) -> None:
    """The testing kit finds what a careless plugin would leak: a phone number under a key
    the workflow does not declare personal."""
    path = tmp_path / "leaky.db"
    with SQLStore(f"sqlite:///{path}") as store:
        engine = _engine(store)
        engine.open("closed-loop", reporter=RESIDENT, data={"phone": PHONE, "note": "13700000000"})
        assert leaked_in_export(store, [PHONE, "13700000000"]) == ["13700000000"]
    assert leaked_in_files(path, [PHONE, "13700000000"]) == ["13700000000"]
