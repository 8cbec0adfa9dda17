"""Where issues and their audit logs are kept."""

from govflow.store.base import Store
from govflow.store.memory import MemoryStore

__all__ = ["MemoryStore", "Store"]
