"""Commands over a store's audit log as evidence: ``verify``, ``checkpoint``, ``keygen``,
``export``, ``import`` and ``erase``. The logic is in :mod:`govflow.audit` (verify,
checkpoint, export, personal) and :meth:`govflow.Engine.erase`; these only parse options and
print."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from govflow.cli._options import DatabaseOption, JsonOption, engine_on, open_store
from govflow.cli._output import fail, output

SinceOption = Annotated[
    Path | None,
    typer.Option(
        "--since",
        metavar="CHECKPOINT",
        help="a checkpoint file: also check the store against it (what it anchors is unchanged)",
    ),
]
KeysOption = Annotated[
    Path | None,
    typer.Option(
        "--keys",
        metavar="FILE",
        help="the subjects' keys file (personal data opens only with it; keep it secret)",
    ),
]
PublicKeyOption = Annotated[
    str | None,
    typer.Option("--public-key", metavar="HEX", help="the key the checkpoint must be signed by"),
]


def verify_command(
    ctx: typer.Context,
    database: DatabaseOption = "govflow.db",
    since: SinceOption = None,
    public_key: PublicKeyOption = None,
    as_json: JsonOption = False,
) -> int:
    """Verify every issue's hash chain, the store-wide log and, with --since, a checkpoint.

    Prints every problem found (issue and event), streaming; exits 1 if there is any.
    """
    from govflow.audit.checkpoint import read_checkpoint  # noqa: PLC0415
    from govflow.audit.verify import verify_store  # noqa: PLC0415

    out = output(ctx)
    anchor = None if since is None else read_checkpoint(since)
    with open_store(database) as store:
        report = verify_store(
            store,
            anchor,
            public_key=public_key,
            on_finding=None if as_json else (lambda finding: out.text(f"{finding}\n")),
        )
    if as_json:
        out.json(
            {
                "ok": report.ok,
                "issues": report.issues,
                "events": report.events,
                "log_entries": report.log_entries,
                "root": report.root,
                "anchored": report.anchored,
                "findings": [
                    {"issue": f.issue_id, "event": f.sequence, "problem": f.problem}
                    for f in report.findings
                ],
            }
        )
    else:
        verdict = "verified" if report.ok else f"{len(report.findings)} problems"
        anchored = f", {report.anchored} anchored by the checkpoint" if anchor else ""
        out.note(
            f"{report.issues} issues, {report.events} events, {report.log_entries} log entries"
            f"{anchored}: {verdict}"
        )
    return 0 if report.ok else 1


def keygen_command(
    ctx: typer.Context,
    key: Annotated[Path, typer.Argument(help="where to write the private key")],
    algorithm: Annotated[
        str, typer.Option("--algorithm", help="ed25519, or sm2 (needs govflow[sm])")
    ] = "ed25519",
) -> int:
    """Make a signing key for checkpoints (Ed25519 or SM2); prints its public key.

    The file holds ``ALGORITHM:HEX`` (a bare hex line is an Ed25519 key, as older files are).
    """
    from govflow.audit.checkpoint import generate_signing_key, public_key_of  # noqa: PLC0415

    if key.exists():
        fail(f"{key} exists already: a signing key is never overwritten")
    private = generate_signing_key(algorithm)
    key.touch(mode=0o600)
    key.write_text(f"{algorithm}:{private.hex()}\n", encoding="utf-8")
    output(ctx).text(public_key_of(private, algorithm) + "\n")
    return 0


def _read_signing_key(key: Path) -> tuple[str, bytes]:
    try:
        text = key.read_text(encoding="utf-8").strip()
        algorithm, _, hex_key = text.rpartition(":")
        return algorithm or "ed25519", bytes.fromhex(hex_key)
    except (OSError, ValueError) as err:
        fail(f"cannot read the key {key}: {err}")


def checkpoint_command(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Argument(help="the checkpoint file to write")],
    key: Annotated[Path, typer.Option("--key", help="the private key file (govflow keygen)")],
    database: DatabaseOption = "govflow.db",
) -> int:
    """Sign the store-wide log as it stands; keep the file outside the database."""
    from govflow.audit.checkpoint import make_checkpoint  # noqa: PLC0415

    algorithm, private = _read_signing_key(key)
    with open_store(database) as store:
        made = make_checkpoint(
            store,
            private,
            out_file,
            issued_at=datetime.now(UTC),
            label=store.url,
            signature_algorithm=algorithm,
        )
    output(ctx).note(f"{out_file}: {made.tree_size} entries, root {made.root}")
    return 0


def export_command(
    ctx: typer.Context,
    out_file: Annotated[Path, typer.Argument(help="the JSON Lines file to write")],
    database: DatabaseOption = "govflow.db",
    keys: KeysOption = None,
) -> int:
    """Write the whole store as JSON Lines, one event a line, in commit order; personal data
    stays sealed. With --keys, the subjects' keys go to a second file (mode 600)."""
    from govflow.audit.export import export_keys, export_store  # noqa: PLC0415

    with open_store(database) as store:
        with out_file.open("w", encoding="utf-8") as out:
            summary = export_store(store, out)
        if keys is not None:
            keys.touch(mode=0o600)
            with keys.open("w", encoding="utf-8") as out:
                held = export_keys(store, out)
            output(ctx).note(f"{keys}: {held} subjects' keys")
    output(ctx).note(f"{out_file}: {summary.events} events, root {summary.root}")
    return 0


def import_command(
    ctx: typer.Context,
    in_file: Annotated[Path, typer.Argument(help="a file govflow export wrote")],
    database: Annotated[
        str, typer.Option("--database", "-d", metavar="URL", help="the (new, empty) store")
    ],
    keys: KeysOption = None,
) -> int:
    """Load an export into an empty store, after verifying all of it (else nothing is written)."""
    from govflow.audit.export import import_store  # noqa: PLC0415
    from govflow.store.sql import SQLStore  # noqa: PLC0415

    if not in_file.exists():
        fail(f"no file {in_file}")
    url = database if "://" in database else f"sqlite:///{database}"
    new_file = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if new_file is not None and new_file.exists():
        new_file = None  # not ours to remove: import_store refuses a store that is not empty
    try:
        with SQLStore(url) as store:
            summary = import_store(in_file, store, keys=keys)
    except BaseException:
        # A refused import leaves nothing behind, not even the empty file it would have filled.
        if new_file is not None:
            for path in (new_file, *(Path(f"{new_file}{end}") for end in ("-wal", "-shm"))):
                path.unlink(missing_ok=True)
        raise
    output(ctx).note(f"{database}: imported {summary.events} events, root {summary.root}")
    return 0


def erase_command(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="the resident (reporter id) whose data to erase")],
    actor: Annotated[
        str, typer.Option("--actor", metavar="ID", help="who asks: the resident, or an official")
    ],
    reason: Annotated[
        str | None, typer.Option("--reason", help="recorded in the log (no personal data)")
    ] = None,
    database: DatabaseOption = "govflow.db",
) -> int:
    """Erase a resident's personal data (PIPL art. 47): their key is destroyed; the log keeps
    verifying, and records the erasure in each of their issues."""
    with open_store(database) as store:
        events = engine_on(store).erase(subject, actor=actor, reason=reason)
    output(ctx).note(f"erased {subject}'s personal data; recorded in {len(events)} issues")
    return 0


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)
    app.command("checkpoint")(checkpoint_command)
    app.command("keygen")(keygen_command)
    app.command("export")(export_command)
    app.command("import")(import_command)
    app.command("erase")(erase_command)
