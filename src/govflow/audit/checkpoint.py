"""Signed checkpoints of the store-wide log, kept outside the database.

A :class:`Checkpoint` says "the first ``tree_size`` entries of this store's log have the Merkle
root ``root``" (:mod:`govflow.audit.merkle`), signed with Ed25519 (RFC 8032) or SM2 (GB/T
32918, for systems assessed under 商用密码应用安全性评估): :mod:`govflow.audit.signing`; the
checkpoint records which. Whoever keeps the file -- a supervising
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

from govflow.audit import signing
from govflow.audit.canonical import canonical_json
from govflow.audit.hashing import DEFAULT_ALGORITHM
from govflow.audit.merkle import MerkleRoot
from govflow.audit.signing import DEFAULT_SIGNATURE
from govflow.errors import DefinitionError, IntegrityError
from govflow.store.base import Store

#: The version of the checkpoint format: 2 records the signature algorithm (1, which did
#: not, was always Ed25519 and is still read).
CHECKPOINT_FORMAT: Final = 2
_READ_FORMATS: Final = frozenset({1, 2})


def generate_signing_key(algorithm: str = DEFAULT_SIGNATURE) -> bytes:
    """A new private key for ``algorithm`` (``ed25519`` or ``sm2``), as its 32 raw bytes
    (keep it secret, outside the database)."""
    return signing.generate(algorithm)


def public_key_of(private_key: bytes, algorithm: str = DEFAULT_SIGNATURE) -> str:
    """The public key (hex) that checks signatures of ``private_key``."""
    return signing.public_key(algorithm, private_key)


@attrs.frozen
class Checkpoint:
    """A signed statement of the log's size and root at one moment.

    ``algorithm`` is the Merkle tree's hash; ``store`` a label of the store (its URL without
    password, say); ``public_key`` the key that signed, as hex; ``signature`` the signature
    over :meth:`signed_bytes`, as hex; ``signature_algorithm`` how it was made (``ed25519``,
    ``sm2``: see :mod:`govflow.audit.signing`).
    """

    tree_size: int
    root: str
    issued_at: str
    store: str
    public_key: str
    signature: str
    algorithm: str = DEFAULT_ALGORITHM
    format: int = CHECKPOINT_FORMAT
    signature_algorithm: str = DEFAULT_SIGNATURE

    def body(self) -> dict[str, Any]:
        """Every member but the signature: what is signed."""
        fields = self.members()
        del fields["signature"]
        return fields

    def members(self) -> dict[str, Any]:
        """The checkpoint as its file's first line holds it (format 1 had no
        ``signature_algorithm``: it was always Ed25519)."""
        fields = attrs.asdict(self)
        if self.format == 1:
            del fields["signature_algorithm"]
        return fields

    def signed_bytes(self) -> bytes:
        """The exact bytes signed: RFC 8785 canonical JSON of :meth:`body`, UTF-8."""
        return canonical_json(self.body()).encode("utf-8")

    def check_signature(self, public_key: str | None = None) -> None:
        """Raise :class:`~govflow.errors.IntegrityError` unless the signature is good, made by
        ``public_key`` when it is given (pin the key you trust: the file's own could be
        replaced along with the signature)."""
        if public_key is not None and public_key.lower() != self.public_key.lower():
            raise IntegrityError("?", self.tree_size, "the checkpoint was signed by another key")
        if self.signature_algorithm not in signing.SIGNATURES:
            raise IntegrityError(
                "?", self.tree_size, f"unknown signature algorithm {self.signature_algorithm!r}"
            )
        if not signing.verify(
            self.signature_algorithm, self.public_key, self.signature, self.signed_bytes()
        ):
            raise IntegrityError("?", self.tree_size, "the checkpoint's signature does not verify")


def _sign(private_key: bytes, unsigned: Checkpoint) -> Checkpoint:
    algorithm = unsigned.signature_algorithm
    signature = signing.sign(algorithm, private_key, unsigned.signed_bytes())
    return attrs.evolve(unsigned, signature=signature)


def make_checkpoint(
    store: Store,
    private_key: bytes,
    path: str | Path,
    *,
    issued_at: datetime,
    label: str = "",
    algorithm: str = DEFAULT_ALGORITHM,
    signature_algorithm: str = DEFAULT_SIGNATURE,
) -> Checkpoint:
    """Sign the store's log as it stands and write the checkpoint file to ``path``, with
    ``private_key`` of ``signature_algorithm`` (``ed25519`` or ``sm2``).

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
            public_key=public_key_of(private_key, signature_algorithm),
            signature="",
            algorithm=algorithm,
            signature_algorithm=signature_algorithm,
        )
        checkpoint = _sign(private_key, unsigned)
        with target.open("w", encoding="utf-8") as out, spool.open(encoding="utf-8") as entries:
            out.write(canonical_json(checkpoint.members()) + "\n")
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
    if checkpoint.format not in _READ_FORMATS or (
        checkpoint.format == 1 and "signature_algorithm" in first
    ):
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
