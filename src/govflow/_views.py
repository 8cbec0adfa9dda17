"""What is derived from a read-only mapping the engine shares between many events (a move's
plugin decisions), kept by the mapping's identity so that it is derived once.

The engine shares one decisions view between every event that makes the same decisions; the
audit hash converts it to a plain dict and the SQL store encodes it to JSON text, each once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

_T = TypeVar("_T")


class ViewMemo(Generic[_T]):
    """``derive(view)`` for read-only views (:class:`~types.MappingProxyType`), kept by identity.

    Each kept view is held, so its id cannot be reused by another object while it is here. When
    ``limit`` views are kept the memo is emptied rather than frozen: each engine makes views of
    its own, and the ones in use now are met again at once. Anything that is not a view is
    derived every time (it could change).
    """

    __slots__ = ("_derive", "_keep", "_kept", "_limit")

    def __init__(
        self,
        derive: Callable[[Mapping[str, Any]], _T],
        *,
        limit: int,
        keep: Callable[[_T], bool] | None = None,
    ) -> None:
        self._derive = derive
        self._keep = keep
        self._limit = limit
        self._kept: dict[int, tuple[Mapping[str, Any], _T]] = {}

    def __call__(self, value: Mapping[str, Any]) -> _T:
        """``derive(value)``; kept when ``value`` is a view and ``keep`` (if any) accepts the
        result."""
        known = self._kept.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        derived = self._derive(value)
        if type(value) is MappingProxyType and (self._keep is None or self._keep(derived)):
            if len(self._kept) >= self._limit:
                self._kept.clear()
            self._kept[id(value)] = (value, derived)
        return derived
