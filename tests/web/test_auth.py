"""Signed tokens: issued for a person, refused when forged, altered or expired; and who the
engine is told acts, with and without an org graph."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import itsdangerous
import pytest

from govflow import Actor
from govflow.web import AuthenticationError, Identity, SignedTokens, resolve_actor


def test_a_token_names_its_person_and_roles() -> None:
    tokens = SignedTokens("k")
    identity = tokens.verify(tokens.issue("op-1", ["operator", "dispatcher"]))
    assert identity == Identity("op-1", frozenset({"operator", "dispatcher"}))


def test_forged_altered_and_expired_tokens_are_refused() -> None:
    tokens = SignedTokens("k")
    good = tokens.issue("op-1")
    with pytest.raises(AuthenticationError, match="not valid"):
        SignedTokens("other").verify(good)
    with pytest.raises(AuthenticationError, match="not valid"):
        tokens.verify(good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1])
    expired = SignedTokens("k", max_age=timedelta(seconds=-1))
    with pytest.raises(AuthenticationError, match="expired"):
        expired.verify(good)
    with pytest.raises(AuthenticationError, match="person id"):
        tokens.issue("")


def test_a_token_signed_with_the_key_but_not_naming_a_person_is_refused() -> None:
    serializer = itsdangerous.URLSafeTimedSerializer("k", salt="govflow.web.token")
    for claims in ({"roles": []}, {"sub": 7}, {"sub": "a", "roles": "admin"}, ["sub"]):
        with pytest.raises(AuthenticationError):
            SignedTokens("k").verify(serializer.dumps(claims))


def test_without_an_org_graph_the_tokens_roles_make_the_actor(org_factory: Any) -> None:
    assert resolve_actor(None, Identity("op-1", frozenset({"operator"}))) == Actor(
        "op-1", roles={"operator"}
    )
    org = org_factory({"street:s1": {}}, people={"op-1": ("s1", "operator")})
    # with one, the engine is handed the person's id and derives the rest from the graph
    assert resolve_actor(org, Identity("op-1", frozenset({"dispatcher"}))) == "op-1"
