"""Who someone is, according to the org graph: a person id resolved to posts, units, attributes.

With an org graph the engine never believes the roles a caller writes into an
:class:`~govflow.records.Actor`: it takes the actor's id, finds the person in the graph (directly
or through one of the person's other accounts, listed in the person's ``accounts`` attribute)
and derives everything else from the graph. The result is a :class:`Principal`; its
:attr:`~Principal.actor` is the Actor hooks and guards see.

Someone the graph does not know (a resident, a caller) is a principal without posts; the
``home_unit`` and ``name`` such an Actor gives are kept for plugins' guards (where a resident
says they live), but they authorize nothing: a role counts only as a post in the graph. A unit
is never a principal: units act through the people holding their posts.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from govflow.errors import InvalidRequestError, UnknownUnitError
from govflow.org.graph import OrgGraph
from govflow.org.records import Person
from govflow.records import Actor

#: The person attribute listing a person's other ids (app accounts, hotline numbers, old ids).
ACCOUNTS = "accounts"

#: A post as the authority checks read it: ``(unit id, role)``.
Held = tuple[str, str]


@attrs.frozen(slots=True)
class Principal:
    """A person as the org graph knows them.

    ``id`` is the person's id in the graph (whatever account they came in by), ``posts`` the
    ``(unit id, role)`` pairs they hold, in assignment order; ``known`` is false for someone the
    graph does not hold (a resident). ``actor`` is the Actor derived from all this.
    """

    id: str
    posts: tuple[Held, ...]
    actor: Actor
    known: bool = True
    attributes: Mapping[str, object] = attrs.field(factory=dict, eq=False, repr=False)

    @property
    def units(self) -> frozenset[str]:
        """Every unit the person holds a post in."""
        return frozenset(unit for unit, _ in self.posts)

    def holds(self, role: str, unit: str) -> bool:
        """True if the person holds ``role`` in ``unit``."""
        return (unit, role) in self.posts


class Directory:
    """Resolves actors against one org graph, remembering answers while the graph is unchanged.

    An answer is kept until the person's record changes (giving someone a post replaces their
    record) or the number of units or people changes; the account index is rebuilt when the
    number of people changes.
    """

    def __init__(self, org: OrgGraph) -> None:
        self.org = org
        self._known: dict[str, tuple[Person, int, Principal]] = {}
        self._accounts: dict[str, str] = {}
        self._accounts_size = -1

    def _account_owner(self, account: str) -> str | None:
        people = self.org.people
        if len(people) != self._accounts_size:
            index: dict[str, str] = {}
            for person in people.values():
                others = person.attributes.get(ACCOUNTS)
                if isinstance(others, list | tuple):
                    for other in others:
                        if isinstance(other, str) and other not in people:
                            index.setdefault(other, person.id)
            self._accounts = index
            self._accounts_size = len(people)
        return self._accounts.get(account)

    def resolve(self, actor: Actor | str) -> Principal:
        """The principal behind ``actor`` (an Actor or a bare id); its claimed roles are ignored.

        :raises InvalidRequestError: the id is empty, or is a unit's id (units act through the
            people holding their posts).
        """
        org = self.org
        people = org.people
        if type(actor) is Actor:
            # The engine re-asks with the Actor it derived: answer from the memo at once.
            found = self._known.get(actor.id)
            if (
                found is not None
                and found[2].actor is actor
                and people.get(actor.id) is found[0]
                and found[1] == len(org)
            ):
                return found[2]
        claimed = actor if isinstance(actor, Actor) else Actor(str(actor))
        if not claimed.id:
            raise InvalidRequestError("an actor needs an id")
        person = people.get(claimed.id)
        if person is None:
            if claimed.id in org:
                raise InvalidRequestError(
                    f"{claimed.id!r} is a unit of the org graph, not a person: a unit acts "
                    "through the people holding its posts"
                )
            owner = self._account_owner(claimed.id)
            if owner is None:
                return Principal(
                    claimed.id,
                    (),
                    Actor(claimed.id, home_unit=claimed.home_unit, name=claimed.name),
                    known=False,
                )
            person = people[owner]
        size = len(org)
        found = self._known.get(person.id)
        if found is not None and found[0] is person and found[1] == size:
            return found[2]
        posts = tuple((post.unit.id, post.role) for post in org.posts_of(person.id))
        principal = Principal(
            person.id,
            posts,
            Actor(person.id, roles=person.roles, home_unit=person.home_unit, name=person.name),
            attributes=person.attributes,
        )
        self._known[person.id] = (person, size, principal)
        return principal


def home_of(org: OrgGraph, actor: Actor) -> str | None:
    """Where ``actor`` lives: the graph's record of the person when the graph lists them, else
    the home unit the actor gives; None when neither says, or the unit is not in the graph.

    What residents' guards (群众评议 by the residents of the place) read. For a person the graph
    lists, their record decides and a different home the caller gives is ignored: a post holder
    who lives elsewhere cannot become a resident of the place by saying so. Only a resident the
    graph does not list (most residents are not in it) is taken at their word; that claim
    authorizes no post, it only says where the resident lives.
    """
    try:
        home = org.person(actor.id).home_unit
    except UnknownUnitError:
        home = actor.home_unit
    return home if home is not None and home in org else None


def lives_in(org: OrgGraph, actor: Actor, unit_id: str) -> bool:
    """True if ``actor`` lives in ``unit_id`` or in a unit below it (see :func:`home_of`)."""
    home = home_of(org, actor)
    return home is not None and unit_id in {unit.id for unit in org.chain(home)}


__all__ = ["ACCOUNTS", "Directory", "Held", "Principal", "home_of", "lives_in"]
