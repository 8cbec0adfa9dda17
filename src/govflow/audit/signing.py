"""The signature algorithms a checkpoint may be signed with, by the names checkpoints record.

``ed25519`` (the default) is Ed25519 (RFC 8032), through ``cryptography``. ``sm2`` is SM2
(GB/T 32918-2016) with SM3 ("SM3withSM2", GB/T 35276-2017, the default signer id
``1234567812345678`` of GM/T 0009), which systems assessed under 商用密码应用安全性评估 must
use, through the pure-Python ``gmssl`` package (``pip install 'govflow[sm]'``; ``cryptography``
has no SM2).

Keys and signatures are hex text: an Ed25519 private key is its 32 raw bytes, its public key
32 bytes, a signature 64 bytes; an SM2 private key is the 32-byte big-endian scalar, its public
key the uncompressed point ``04 || x || y`` (65 bytes), a signature ``r || s`` (64 bytes).
"""

from __future__ import annotations

import secrets
from typing import Any, Final

from govflow.errors import DefinitionError

#: The algorithm checkpoints are signed with unless told otherwise.
DEFAULT_SIGNATURE: Final = "ed25519"
#: Every algorithm this module signs and verifies with.
SIGNATURES: Final = ("ed25519", "sm2")

_SM2_ORDER: Final = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _ed25519() -> Any:
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415

    return ed25519


def _sm2(private_key: str, public_key: str) -> Any:
    try:
        from gmssl import sm2  # noqa: PLC0415
    except ImportError:
        raise DefinitionError(
            "SM2 signatures need the gmssl package: pip install 'govflow[sm]'"
        ) from None
    signer = sm2.CryptSM2(private_key=private_key, public_key="")
    # CryptSM2 drops a leading "04" with str.lstrip("04"), which strips every leading "0" and
    # "4": a key whose x coordinate starts with those digits (1 in 256) came out mangled and
    # could neither sign nor verify. Our callers pass the bare 128-digit x||y, set as it is.
    signer.public_key = public_key
    return signer


def _known(algorithm: str) -> None:
    if algorithm not in SIGNATURES:
        raise DefinitionError(
            f"unknown signature algorithm {algorithm!r}; govflow knows {list(SIGNATURES)}"
        )


def generate(algorithm: str = DEFAULT_SIGNATURE) -> bytes:
    """A new private key for ``algorithm``, as its 32 raw bytes (keep it secret)."""
    _known(algorithm)
    if algorithm == "sm2":
        _sm2("", "")  # the package is there
        return (secrets.randbelow(_SM2_ORDER - 2) + 1).to_bytes(32, "big")
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    raw: bytes = (
        _ed25519()
        .Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    )
    return raw


def _sm2_scalar(private_key: bytes) -> int:
    scalar = int.from_bytes(private_key, "big")
    if len(private_key) != 32 or not 1 <= scalar <= _SM2_ORDER - 2:
        raise DefinitionError("an SM2 private key is a 32-byte scalar in [1, n - 2]")
    return scalar


def public_key(algorithm: str, private_key: bytes) -> str:
    """The public key (hex) that checks signatures made with ``private_key``."""
    _known(algorithm)
    if algorithm == "sm2":
        scalar = _sm2_scalar(private_key)
        signer = _sm2(f"{scalar:064x}", "")
        point: str = signer._kg(scalar, signer.ecc_table["g"])
        return "04" + point.lower()
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    try:
        key = _ed25519().Ed25519PrivateKey.from_private_bytes(private_key)
    except ValueError as err:
        raise DefinitionError(f"not an Ed25519 private key: {err}") from None
    public: bytes = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return public.hex()


def sign(algorithm: str, private_key: bytes, data: bytes) -> str:
    """The signature of ``data`` with ``private_key``, as hex."""
    _known(algorithm)
    if algorithm == "sm2":
        scalar = _sm2_scalar(private_key)
        signer = _sm2(f"{scalar:064x}", public_key("sm2", private_key)[2:])
        while True:
            # gmssl draws its nonce with random.choice, which is predictable: a guessed nonce
            # gives away the private key. The nonce comes from the system's CSPRNG instead.
            nonce = f"{secrets.randbelow(_SM2_ORDER - 1) + 1:064x}"
            signature = signer.sign_with_sm3(data, nonce)
            if signature is not None:  # None: this nonce gave r = 0 or s = 0; draw another
                return str(signature)
    key = _ed25519().Ed25519PrivateKey.from_private_bytes(private_key)
    return bytes(key.sign(data)).hex()


def verify(algorithm: str, public: str, signature: str, data: bytes) -> bool:
    """True if ``signature`` (hex) is ``public``'s signature of ``data``."""
    _known(algorithm)
    if algorithm == "sm2":
        return _sm2_verify(public, signature, data)
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415

    try:
        key = _ed25519().Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
        key.verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def _sm2_verify(public: str, signature: str, data: bytes) -> bool:
    try:
        point, raw = bytes.fromhex(public), bytes.fromhex(signature)
    except ValueError:
        return False
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    if len(point) != 65 or point[0] != 4 or len(raw) != 64:
        return False
    if not (1 <= r < _SM2_ORDER and 1 <= s < _SM2_ORDER):  # GB/T 32918.2, 7.1 B1-B2
        return False
    try:
        return bool(_sm2("", point[1:].hex()).verify_with_sm3(signature, data))
    except (ValueError, TypeError, ZeroDivisionError):  # a point off the curve, say
        return False


__all__ = ["DEFAULT_SIGNATURE", "SIGNATURES", "generate", "public_key", "sign", "verify"]
