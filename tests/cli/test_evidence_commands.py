"""``verify``, ``keygen``, ``checkpoint``, ``export`` and ``import`` over a record."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from govflow.audit.export import export_store
from govflow.store import SQLStore
from tests.cli.conftest import Record, Runner


def test_verify_passes_on_an_untouched_record(govflow: Runner, record: Record) -> None:
    run = govflow("verify", "--database", str(record.path))
    assert run.status == 0, run.err
    assert "3 issues, 11 events, 11 log entries: verified" in run.err
    assert run.out == ""


def test_verify_names_every_problem_and_exits_1(govflow: Runner, record: Record) -> None:
    with sqlite3.connect(record.path) as db:
        db.execute("UPDATE govflow_events SET actor = 'x' WHERE issue_id = ? AND sequence = 1",
                   (record.closed,))  # fmt: skip
        db.execute("UPDATE govflow_events SET payload = '{' WHERE issue_id = ? AND sequence = 1",
                   (record.filed,))  # fmt: skip
    run = govflow("verify", "--database", str(record.path))
    assert run.status == 1
    assert f"issue {record.closed!r}, event 1: was edited: its hash does not match" in run.out
    assert f"issue {record.filed!r}, event 1: holds malformed JSON" in run.out
    data = govflow("verify", "--database", str(record.path), "--json").json()
    assert data["ok"] is False
    assert {(f["issue"], f["event"]) for f in data["findings"]} == {
        (record.closed, 1),
        (record.filed, 1),
    }


def test_a_checkpoint_made_with_a_new_key_anchors_verify(
    govflow: Runner, record: Record, tmp_path: Path
) -> None:
    key = tmp_path / "signing.key"
    public = govflow("keygen", str(key)).out.strip()
    assert len(public) == 64
    assert govflow("keygen", str(key)).status == 2  # never overwritten
    checkpoint = tmp_path / "cp.jsonl"
    made = govflow("checkpoint", str(checkpoint), "--key", str(key), "-d", str(record.path))
    assert made.status == 0, made.err
    assert "11 entries" in made.err
    anchored = govflow(
        "verify", "-d", str(record.path), "--since", str(checkpoint), "--public-key", public
    )
    assert anchored.status == 0, anchored.out
    assert "11 anchored by the checkpoint: verified" in anchored.err
    with sqlite3.connect(record.path) as db:
        db.execute("DELETE FROM govflow_log WHERE issue_id = ?", (record.filed,))
    broken = govflow("verify", "-d", str(record.path), "--since", str(checkpoint))
    assert broken.status == 1
    assert f"issue {record.filed!r}, event 0: the checkpoint anchors this event" in broken.out


def test_export_then_import_round_trips_exactly(
    govflow: Runner, record: Record, tmp_path: Path
) -> None:
    exported = tmp_path / "export.jsonl"
    assert govflow("export", str(exported), "-d", str(record.path)).status == 0
    copy = tmp_path / "copy.db"
    run = govflow("import", str(exported), "-d", str(copy))
    assert run.status == 0, run.err
    assert "imported 11 events" in run.err
    again = tmp_path / "again.jsonl"
    assert govflow("export", str(again), "-d", str(copy)).status == 0
    assert again.read_bytes() == exported.read_bytes()
    assert govflow("verify", "-d", str(copy)).status == 0


def test_a_truncated_or_edited_import_is_refused_and_the_target_untouched(
    govflow: Runner, record: Record, tmp_path: Path
) -> None:
    exported = tmp_path / "export.jsonl"
    with SQLStore(record.url) as store, exported.open("w", encoding="utf-8") as out:
        export_store(store, out)
    lines = exported.read_text(encoding="utf-8").splitlines(keepends=True)
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("".join(lines[:-3]), encoding="utf-8")
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(lines).replace("已清理", "未清理"), encoding="utf-8")
    for bad, message in ((truncated, "no end line: it was truncated"), (edited, "was edited")):
        target = tmp_path / f"{bad.stem}.db"
        run = govflow("import", str(bad), "-d", str(target))
        assert run.status == 2
        assert message in run.err
        assert list(tmp_path.glob(f"{bad.stem}.db*")) == []  # not even an empty file is left
    with SQLStore(record.url) as store:
        size = store.log_size()
    refused = govflow("import", str(exported), "-d", str(record.path))  # a store in use
    assert refused.status == 2
    assert record.path.exists()
    with SQLStore(record.url) as store:
        assert store.log_size() == size


def test_files_that_cannot_be_written_are_one_line(
    govflow: Runner, record: Record, tmp_path: Path
) -> None:
    nowhere = tmp_path / "no-such-folder"
    for argv, path in (
        (["export", str(nowhere / "x.jsonl"), "-d", str(record.path)], nowhere / "x.jsonl"),
        (["keygen", str(nowhere / "k")], nowhere / "k"),
    ):
        run = govflow(*argv)
        assert run.status == 2, run.err
        assert run.err == f"govflow {argv[0]}: No such file or directory: {path}\n"
    assert not nowhere.exists()
