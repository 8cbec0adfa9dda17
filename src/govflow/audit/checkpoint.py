"""Signed checkpoints of the store-wide log, kept outside the database.

A :class:`Checkpoint` says "the first ``tree_size`` entries of this store's log have the Merkle
root ``root``" (:mod:`govflow.audit.merkle`), signed with Ed25519 (RFC 8032, through
``cryptography``: ``pip install 'govflow[sign]'``). Whoever keeps the file -- a supervising
office, a notary, a second server -- can later prove that no event it covers was edited,
re-hashed, deleted, reordered or rolled back, whoever had the database in between.

The checkpoint file is JSON Lines: the signed checkpoint on the first line, then one line per
entry it covers, ``[issue id, sequence, event hash]``. The entries are not signed: they are
bound by the root (their tree hash must give it), and they are what lets
:func:`govflow.audit.verify.verify_store` name the issue and event where a store departs from
the checkpoint instead of only saying that it does.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from govflow.audit.canonical import canonical_json
from govflow.audit.hashing import DEFAULT_ALGORITHM
from govflow.audit.merkle import MerkleRoot
from govflow.errors import DefinitionError, IntegrityError
from govflow.store.base import Store

#: The version of the checkpoint format.
CHECKPOINT_FORMAT: Final = 1


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415
    except ImportError:
        raise DefinitionError(
            "signing checkpoints needs the cryptography package: pip install 'govflow[sign]'"
        ) from None
    return ed25519


def generate_signing_key() -> bytes:
    """A new Ed25519 private key, as its 32 raw bytes (keep it secret, outside the database)."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key = _crypto().Ed25519PrivateKey.generate()
    raw: bytes = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return raw


def public_key_of(private_key: bytes) -> str:
    """The public key (hex of its 32 raw bytes) that checks signatures of ``private_key``."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key = _crypto().Ed25519PrivateKey.from_private_bytes(private_key)
    public: bytes = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return public.hex()


@attrs.frozen
class Checkpoint:
    """A signed statement of the log's size and root at one moment.

    ``algorithm`` is the Merkle tree's hash; ``store`` a label of the store (its URL without
    password, say); ``public_key`` the Ed25519 key that signed, as hex; ``signature`` the
    signature over :meth:`signed_bytes`, as hex.
    """

    tree_size: int
    root: str
    issued_at: str
    store: str
    public_key: str
    signature: str
    algorithm: str = DEFAULT_ALGORITHM
    format: int = CHECKPOINT_FORMAT

    def body(self) -> dict[str, Any]:
        """Every member but the signature: what is signed."""
        fields = attrs.asdict(self)
        del fields["signature"]
        return fields

    def signed_bytes(self) -> bytes:
        """The exact bytes signed: RFC 8785 canonical JSON of :meth:`body`, UTF-8."""
        return canonical_json(self.body()).encode("utf-8")

    def check_signature(self, public_key: str | None = None) -> None:
        """Raise :class:`~govflow.errors.IntegrityError` unless the signature is good, made by
        ``public_key`` when it is given (pin the key you trust: the file's own could be
        replaced along with the signature)."""
        if public_key is not None and public_key != self.public_key:
            raise IntegrityError("?", self.tree_size, "the checkpoint was signed by another key")
        from cryptography.exceptions import InvalidSignature  # noqa: PLC0415

        try:
            key = _crypto().Ed25519PublicKey.from_public_bytes(bytes.fromhex(self.public_key))
            key.verify(bytes.fromhex(self.signature), self.signed_bytes())
        except (InvalidSignature, ValueError):
            raise IntegrityError(
                "?", self.tree_size, "the checkpoint's signature does not verify"
            ) from None


def _sign(private_key: bytes, unsigned: Checkpoint) -> Checkpoint:
    key = _crypto().Ed25519PrivateKey.from_private_bytes(private_key)
    return attrs.evolve(unsigned, signature=key.sign(unsigned.signed_bytes()).hex())


def make_checkpoint(
    store: Store,
    private_key: bytes,
    path: str | Path,
    *,
    issued_at: datetime,
    label: str = "",
    algorithm: str = DEFAULT_ALGORITHM,
) -> Checkpoint:
    """Sign the store's log as it stands and write the checkpoint file to ``path``.

    The log is streamed (to a temporary file beside ``path``, then behind the checkpoint's
    line), so a store of any size is checkpointed in constant memory.
    """
    target = Path(path)
    spool = target.with_name(target.name + ".entries")
    size = store.log_size()
    tree = MerkleRoot(algorithm)
    try:
        with spool.open("w", encoding="utf-8") as entries:
            for entry in store.log():
                if tree.size == size:
                    break
                tree.append(entry.hash)
                entries.write(canonical_json([entry.issue_id, entry.sequence, entry.hash]) + "\n")
        unsigned = Checkpoint(
            tree_size=tree.size,
            root=tree.root(),
            issued_at=issued_at.isoformat(),
            store=label,
            public_key=public_key_of(private_key),
            signature="",
            algorithm=algorithm,
        )
        checkpoint = _sign(private_key, unsigned)
        with target.open("w", encoding="utf-8") as out, spool.open(encoding="utf-8") as entries:
            out.write(canonical_json(attrs.asdict(checkpoint)) + "\n")
            shutil.copyfileobj(entries, out)
    finally:
        spool.unlink(missing_ok=True)
    return checkpoint


@attrs.frozen
class CheckpointFile:
    """A checkpoint read back, with the path its entries can be streamed from."""

    checkpoint: Checkpoint
    path: Path

    def entries(self) -> Iterator[tuple[str, int, str]]:
        """The entries the checkpoint covers, streamed from the file."""
        with self.path.open(encoding="utf-8") as lines:
            next(lines)
            for number, line in enumerate(lines, start=2):
                try:
                    issue_id, sequence, event_hash = json.loads(line)
                except (ValueError, TypeError) as err:
                    raise IntegrityError(
                        "?", number, f"{self.path}, line {number}: not a checkpoint entry ({err})"
                    ) from None
                yield str(issue_id), int(sequence), str(event_hash)


def read_checkpoint(path: str | Path) -> CheckpointFile:
    """Read a checkpoint file; its signature is checked by the verifier, not here.

    :raises DefinitionError: the file is not a checkpoint file.
    """
    source = Path(path)
    try:
        with source.open(encoding="utf-8") as lines:
            first = json.loads(next(lines))
        checkpoint = Checkpoint(**first)
    except (OSError, StopIteration, ValueError, TypeError) as err:
        raise DefinitionError(f"{source} is not a govflow checkpoint file: {err}") from None
    if checkpoint.format != CHECKPOINT_FORMAT:
        raise DefinitionError(f"{source}: checkpoint format {checkpoint.format} is not known")
    return CheckpointFile(checkpoint, source)


__all__ = [
    "CHECKPOINT_FORMAT",
    "Checkpoint",
    "CheckpointFile",
    "generate_signing_key",
    "make_checkpoint",
    "public_key_of",
    "read_checkpoint",
]
