"""The store-wide log: every event's hash, in commit order, as the leaves of a Merkle tree.

The tree is RFC 9162's (Certificate Transparency 2.0, section 2.1): a leaf's hash is
``H(0x00 || leaf)``, an inner node's ``H(0x01 || left || right)``, and a tree of ``n`` leaves
splits at the largest power of two below ``n``. A leaf is the 32 bytes of an event's ``hash``,
so the root of the first ``n`` leaves commits to every one of those events, whatever issue
it belongs to. :class:`MerkleRoot` folds leaves one at a time keeping O(log n) hashes, so a
store of any size is rooted in constant memory.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from govflow.audit.hashing import DEFAULT_ALGORITHM, digest_function

_LEAF = b"\x00"
_NODE = b"\x01"


def _raw_digest(algorithm: str) -> Callable[[bytes], bytes]:
    """``algorithm``'s digest as bytes: straight from hashlib where it has it (two hashes a
    leaf, over a whole store), else through the hex digest :mod:`govflow.audit.hashing` gives."""
    if algorithm == "sha256":
        sha256 = hashlib.sha256

        def raw(data: bytes) -> bytes:
            return sha256(data).digest()

        return raw
    hex_digest = digest_function(algorithm)
    return lambda data: bytes.fromhex(hex_digest(data))


class MerkleRoot:
    """The RFC 9162 Merkle tree hash of the leaves appended so far.

    :param algorithm: the tree's hash (``sha256`` or ``sm3``), not necessarily the events'.
    """

    def __init__(self, algorithm: str = DEFAULT_ALGORITHM) -> None:
        self.algorithm = algorithm
        self._hash: Callable[[bytes], bytes] = _raw_digest(algorithm)
        # The roots of the perfect subtrees covering the leaves so far, largest first: one per
        # set bit of the leaf count, as in a binary counter.
        self._stack: list[bytes] = []
        #: How many leaves have been appended.
        self.size = 0

    def append(self, event_hash: str) -> None:
        """Append one leaf: an event's hash, as the 64 hex digits events carry."""
        hash_ = self._hash
        node = hash_(_LEAF + bytes.fromhex(event_hash))
        size = self.size + 1
        self.size = size
        stack = self._stack
        # Adding one to the count carries through its trailing one bits: each carry joins the
        # two subtrees of that height into one.
        for _ in range((size & -size).bit_length() - 1):
            node = hash_(_NODE + stack.pop() + node)
        stack.append(node)

    def extend(self, event_hashes: Iterable[str]) -> None:
        """Append each of ``event_hashes`` in turn."""
        for event_hash in event_hashes:
            self.append(event_hash)

    def root(self) -> str:
        """The tree hash of the leaves so far, as hex (the hash of no input for none)."""
        if not self._stack:
            return self._hash(b"").hex()
        node = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            node = self._hash(_NODE + left + node)
        return node.hex()


def merkle_root(event_hashes: Iterable[str], algorithm: str = DEFAULT_ALGORITHM) -> str:
    """The RFC 9162 tree hash over ``event_hashes`` (in order), as hex."""
    tree = MerkleRoot(algorithm)
    tree.extend(event_hashes)
    return tree.root()


__all__ = ["MerkleRoot", "merkle_root"]
