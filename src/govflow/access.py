"""Access lists (事项准入): the items a unit accepts, and the check on every push down to it.

Jianhua's 事项准入制度 gives each street, community and grid a list of the matters (事项) that
may be handed down to it; anything else stays with whoever holds it. A list is data a plugin
contributes through ``govflow_access_lists``: an :class:`AccessList` names its unit, its items
(issue categories) and the rule it comes from, so a refusal can say which rule refused.

The engine checks every unit a move pushes the issue to: the assignees the router picked (not
only those the payload named), the parties a join summons, the unit a move relocates the issue
down to, and the location of a child issue a move opens. A push passes into the target unit
and every unit above it that is not above the issue's location, and each of those with a list
must accept the item: a grid cannot be used to bypass its community's list, and escalating a
matter up is never refused by the upper unit's list. A person counts as the units of the posts
they hold; an id the org graph does not know (a free-standing actor) is not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from govflow.errors import AccessRefusedError, PluginError

if TYPE_CHECKING:
    from govflow.org.graph import OrgGraph
    from govflow.plugins import PluginHost
    from govflow.records import Issue


def _items(value: Iterable[str]) -> frozenset[str]:
    return frozenset((value,) if isinstance(value, str) else value)


@attrs.frozen(slots=True)
class AccessList:
    """The items (issue categories) ``unit`` accepts from above, under the rule ``rule``."""

    unit: str
    items: frozenset[str] = attrs.field(converter=_items)
    rule: str = ""

    @property
    def name(self) -> str:
        """The rule's name, or ``access list of <unit>``."""
        return self.rule or f"access list of {self.unit}"

    def accepts(self, item: str | None) -> bool:
        """True if ``item`` is on the list."""
        return item is not None and item in self.items


class AccessLists(Mapping[str, AccessList]):
    """Every unit's access list, by unit id, as the engine's plugins declared them."""

    __slots__ = ("_lists",)

    def __init__(self, lists: Iterable[AccessList] = ()) -> None:
        self._lists: dict[str, AccessList] = {}
        for found in lists:
            if found.unit in self._lists:
                raise PluginError("?", f"unit {found.unit!r} has two access lists")
            self._lists[found.unit] = found

    @classmethod
    def collect(cls, plugins: PluginHost) -> AccessLists:
        """The lists answered to ``govflow_access_lists``; a unit declared twice, or an answer
        that is not an :class:`AccessList`, is a :class:`PluginError` naming the plugin."""
        lists: dict[str, AccessList] = {}
        for ref, answer in plugins.collect("govflow_access_lists"):
            for found in answer:
                if not isinstance(found, AccessList):
                    raise PluginError(
                        ref.name, f"contributed {found!r}, which is not an AccessList"
                    )
                if found.unit in lists:
                    raise PluginError(ref.name, f"unit {found.unit!r} has an access list already")
                lists[found.unit] = found
        return cls(lists.values())

    def __getitem__(self, unit: str) -> AccessList:
        return self._lists[unit]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lists)

    def __len__(self) -> int:
        return len(self._lists)


def target_units(target: str, org: OrgGraph | None) -> list[str]:
    """The org units pushing to ``target`` (a unit or a person id) hands the issue to."""
    if org is None or target not in org:
        return []
    if target in org.people:
        return sorted({post.unit.id for post in org.posts_of(target)})
    return [target]


def _crossed(issue: Issue, unit: str, org: OrgGraph | None) -> list[str]:
    """The units a push from the issue's location down to ``unit`` passes into: ``unit`` and
    every unit above it that is not above (or at) the issue's location. Empty for a unit at or
    above the location: going up is never a push down."""
    if org is None or unit not in org or unit in org.people:
        return [unit]
    target_chain = [u.id for u in org.chain(unit)]
    if issue.location is None or issue.location not in org:
        return target_chain[:1]
    above = {u.id for u in org.chain(issue.location)}
    return [u for u in target_chain if u not in above]


def check_push(
    lists: Mapping[str, AccessList],
    issue: Issue,
    trigger: str,
    targets: Iterable[str],
    org: OrgGraph | None,
    *,
    item: Any = None,
) -> None:
    """Refuse, with :class:`~govflow.errors.AccessRefusedError` naming the rule, a move that
    would push ``issue`` down into a unit whose list does not hold its item (its category, or
    ``item`` when the move is changing it). A push to a grid passes its community too: the
    community's list cannot be bypassed by naming a unit below it."""
    if not lists:
        return
    what = issue.category if item is None else item
    for target in targets:
        for unit in target_units(target, org):
            for crossed in _crossed(issue, unit, org):
                found = lists.get(crossed)
                if found is not None and not found.accepts(what):
                    raise AccessRefusedError(issue.id, trigger, found.name, crossed, what)


__all__ = ["AccessList", "AccessLists", "check_push", "target_units"]
