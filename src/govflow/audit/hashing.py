"""The hash algorithms an audit log may use, by the names events record.

``sha256`` (the default) is SHA-256. ``sm3`` is SM3 (GB/T 32905-2016), which systems assessed
under 商用密码应用安全性评估 must use: taken from OpenSSL through :mod:`hashlib` where OpenSSL
provides it (OpenSSL 3 does), otherwise from the pure-Python ``gmssl`` package
(``pip install 'govflow[sm]'``). Both give 32-byte digests, written as 64 hex digits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Final

from govflow.errors import DefinitionError

#: The algorithm an engine hashes with unless told otherwise.
DEFAULT_ALGORITHM: Final = "sha256"

Digest = Callable[[bytes], str]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _openssl_sm3() -> Digest | None:
    try:
        hashlib.new("sm3", b"")
    except ValueError:  # this OpenSSL was built without SM3
        return None

    def sm3(data: bytes) -> str:
        return hashlib.new("sm3", data).hexdigest()

    return sm3


def _gmssl_sm3() -> Digest | None:
    try:
        from gmssl import sm3 as gm  # noqa: PLC0415
    except ImportError:
        return None

    def sm3(data: bytes) -> str:
        return str(gm.sm3_hash(list(data)))

    return sm3


def digest_function(algorithm: str) -> Digest:
    """The function that hashes bytes to hex with ``algorithm`` (``sha256`` or ``sm3``).

    :raises DefinitionError: the algorithm is unknown, or SM3 is asked for where neither
        OpenSSL nor ``gmssl`` provides it.
    """
    if algorithm == "sha256":
        return _sha256
    if algorithm == "sm3":
        found = _openssl_sm3() or _gmssl_sm3()
        if found is None:
            raise DefinitionError(
                "SM3 needs an OpenSSL that provides it or the gmssl package: "
                "pip install 'govflow[sm]'"
            )
        return found
    raise DefinitionError(f"unknown hash algorithm {algorithm!r}; govflow knows sha256 and sm3")


_CACHE: dict[str, Digest] = {}


def digest(algorithm: str, data: bytes) -> str:
    """``data`` hashed with ``algorithm``, as hex."""
    function = _CACHE.get(algorithm)
    if function is None:
        function = _CACHE[algorithm] = digest_function(algorithm)
    return function(data)


__all__ = ["DEFAULT_ALGORITHM", "Digest", "digest", "digest_function"]
