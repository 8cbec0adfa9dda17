"""Who is calling: authentication turns a request into a person, the engine decides the rest.

An *authenticator* is any callable ``authenticate(request) -> Identity | None``: None means the
request carries no credentials (anonymous), and :class:`AuthenticationError` means it carries
bad ones. :class:`SignedTokens` is the one govflow ships: bearer tokens signed with a secret
(HMAC through ``itsdangerous``), issued by the deployment to its staff and its apps.

Authorization is not decided here. :func:`resolve_actor` is the single place where an
authenticated person becomes what the engine is told is acting: with an org graph, the person's
id, which the engine resolves into the posts the graph gives them (claims in the token are
ignored: who may act is derived, never asserted); without one, an Actor with the roles the
token's issuer put in it, as scripts and tests pass ``Actor(id, roles=...)`` to the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

import attrs
import itsdangerous
from starlette.requests import Request

from govflow.errors import GovflowError
from govflow.records import Actor


class AuthenticationError(GovflowError):
    """The request's credentials are malformed, forged or expired (HTTP 401)."""


@attrs.frozen
class Identity:
    """An authenticated caller: a person id and the roles the credential's issuer vouched for."""

    person_id: str
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)


#: Turns a request into the caller's identity (None: anonymous).
Authenticator = Callable[[Request], Identity | None]


def no_authentication(_request: Request) -> Identity | None:
    """An authenticator for which every caller is anonymous."""
    return None


@attrs.frozen
class SignedTokens:
    """Bearer tokens signed with ``secret``: ``Authorization: Bearer <token>``.

    A token carries a person id and, for deployments without an org graph, roles; it is valid
    for ``max_age`` after it was issued. ``issue`` makes one; the instance itself is the
    authenticator.
    """

    secret: str = attrs.field(repr=False)
    max_age: timedelta = timedelta(days=30)
    salt: str = "govflow.web.token"

    def _serializer(self) -> itsdangerous.URLSafeTimedSerializer:
        return itsdangerous.URLSafeTimedSerializer(self.secret, salt=self.salt)

    def issue(self, person_id: str, roles: Iterable[str] = ()) -> str:
        """A token for ``person_id`` (holding ``roles`` where no org graph decides)."""
        if not person_id:
            raise AuthenticationError("a token needs a person id")
        return self._serializer().dumps({"sub": person_id, "roles": sorted(roles)})

    def verify(self, token: str) -> Identity:
        """The identity ``token`` was issued for; :class:`AuthenticationError` if it was not
        issued with this secret, was altered, or has expired."""
        try:
            claims: Any = self._serializer().loads(token, max_age=int(self.max_age.total_seconds()))
        except itsdangerous.SignatureExpired:
            raise AuthenticationError("the token has expired") from None
        except itsdangerous.BadData:
            raise AuthenticationError("the token is not valid") from None
        if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
            raise AuthenticationError("the token names no person")
        roles = claims.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise AuthenticationError("the token's roles are not a list of names")
        return Identity(claims["sub"], frozenset(roles))

    def __call__(self, request: Request) -> Identity | None:
        header = request.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError("use 'Authorization: Bearer <token>'")
        return self.verify(token.strip())


def resolve_actor(org: Any, identity: Identity) -> Actor | str:
    """Who the engine is told is acting, for an authenticated person.

    With an org graph, the person's id alone: the engine resolves it into the person's posts
    (:mod:`govflow.authority`), and whatever roles the token names count for nothing. Without
    one, an :class:`~govflow.Actor` holding the roles the token vouches for, as scripts and
    tests pass ``Actor(id, roles=...)``. Pass your own to :func:`~govflow.web.create_app`
    (``resolve=``) to decide otherwise.
    """
    if org is None:
        return Actor(identity.person_id, roles=identity.roles)
    return identity.person_id


__all__ = [
    "AuthenticationError",
    "Authenticator",
    "Identity",
    "SignedTokens",
    "no_authentication",
    "resolve_actor",
]
