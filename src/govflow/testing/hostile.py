"""Hypothesis strategies for what the engine must accept and what it must refuse.

Needs hypothesis (a dev extra of govflow)::

    from hypothesis import given
    from govflow.testing.hostile import json_data, log_text, hostile_json, hostile_values

``log_text()`` and ``json_data()`` generate only what the audit log takes (every store must
give it back unchanged); ``hostile_values()`` and ``hostile_json()`` generate what the engine
must refuse with a typed error, naming the argument, and without storing anything.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from govflow.validate import DEFAULT_LIMITS, MAX_TEXT_LENGTH

_MAX_SAFE = 2**53 - 1

#: Characters the log takes: any Unicode scalar value but NUL.
_CHARACTERS = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])


def log_text(*, min_size: int = 1, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text the audit log takes: no NUL, no lone surrogate, within the length limit."""
    return st.text(_CHARACTERS, min_size=min_size, max_size=min(max_size, MAX_TEXT_LENGTH))


def json_values(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """JSON values the log takes: safe integers, finite floats, log text, lists, mappings."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-_MAX_SAFE, _MAX_SAFE)
        | st.floats(allow_nan=False, allow_infinity=False)
        | log_text(min_size=0),
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(log_text(min_size=0, max_size=6), children, max_size=3)
        ),
        max_leaves=max_leaves,
    )


def json_data(max_size: int = 4) -> st.SearchStrategy[dict[str, Any]]:
    """A payload or an issue's data the log takes."""
    return st.dictionaries(log_text(min_size=0, max_size=8), json_values(), max_size=max_size)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


#: Text the engine refuses wherever it expects an id, a name or a key.
BAD_TEXT = (
    "",
    "a\x00b",
    "lone \ud800 surrogate",
    "x" * (MAX_TEXT_LENGTH + 1),
)


def hostile_values() -> st.SearchStrategy[Any]:
    """Values that are not text: what an id, a trigger or a location must never be."""
    return (
        st.integers()
        | st.floats()
        | st.booleans()
        | st.none()
        | st.binary(max_size=4)
        | st.lists(st.text(max_size=3), max_size=2)
        | st.sampled_from(BAD_TEXT)
    )


def hostile_json() -> st.SearchStrategy[Any]:
    """Payloads the engine refuses: not mappings, non-text keys, values JSON cannot hold,
    integers beyond ±(2**53 - 1), lone surrogates, nesting past the limit, too much data.
    (NUL is not among them: inside JSON data it is escaped, and every store keeps it.)"""
    too_deep = {"deep": _nested(DEFAULT_LIMITS.max_depth + 1)}
    return st.one_of(
        st.sampled_from([0, False, [], "text", 1.5, ["a"], (), b"x"]),
        st.builds(lambda k: {k: 1}, st.integers() | st.none() | st.tuples(st.text())),
        st.builds(
            lambda v: {"x": v},
            st.sampled_from(
                [
                    float("nan"),
                    float("inf"),
                    2**53,
                    -(2**63),
                    "\udfff",
                    {1, 2},
                    object(),
                    b"bytes",
                ]
            ),
        ),
        st.just(too_deep),
        st.just({"big": "x" * (DEFAULT_LIMITS.max_bytes + 1)}),
    )


__all__ = ["BAD_TEXT", "hostile_json", "hostile_values", "json_data", "json_values", "log_text"]
