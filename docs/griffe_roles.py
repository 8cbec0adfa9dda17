"""A griffe extension for the docs site: Sphinx roles in docstrings become code.

govflow's docstrings name other objects the Sphinx way (``:class:`~govflow.Issue```); the site's
Markdown has no such roles, so without this they would show raw. ``~`` keeps the last part of
the name, as Sphinx does.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`(~?)([^`]+)`")


def _code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


#: ``:raises A, B: text`` (several exceptions in one field), which griffe's parser refuses.
RAISES_SEVERAL = re.compile(r":raises ([\w.]+)((?:,\s*[\w.]+)+):")


def _several(match: re.Match[str]) -> str:
    others = " ".join(match.group(2).split())
    return f":raises {match.group(1)}: (or{others.removeprefix(',')})"


class SphinxRoles(griffe.Extension):
    """Rewrite every docstring's Sphinx roles as inline code."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:  # noqa: ARG002  (griffe's)
        if obj.docstring is not None:
            text = ROLE.sub(_code, obj.docstring.value)
            text = RAISES_SEVERAL.sub(_several, text)
            # reST's literal-block marker ("Example::"); the indented block after it is
            # already a Markdown code block.
            obj.docstring.value = re.sub(r"::\n\n", ":\n\n", text)


ATTRS_DECORATORS = ("attrs.frozen", "attrs.define", "attrs.mutable", "attr.s", "attr.frozen")


class AttrsInit(griffe.Extension):
    """Give attrs classes the ``__init__`` attrs generates, so that their docstrings'
    ``:param ...:`` fields match parameters (griffe knows dataclasses, not attrs)."""

    def on_class_members(self, *, cls: griffe.Class, **kwargs: Any) -> None:  # noqa: ARG002
        decorated = any(
            str(getattr(d.value, "canonical_path", d.value)).split("(")[0] in ATTRS_DECORATORS
            for d in cls.decorators
        )
        if not decorated or "__init__" in cls.members:
            return
        parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
        for member in cls.members.values():
            if member.is_alias or not member.is_attribute or member.annotation is None:
                continue
            if str(member.annotation).startswith("ClassVar"):
                continue
            value = str(member.value) if member.value is not None else None
            if value is not None and "init=False" in value.replace(" ", ""):
                continue
            parameters.append(
                griffe.Parameter(
                    member.name,
                    annotation=member.annotation,
                    kind=griffe.ParameterKind.positional_or_keyword,
                    default=member.value,
                )
            )
        cls.set_member(
            "__init__",
            griffe.Function(
                "__init__",
                lineno=0,
                endlineno=0,
                parent=cls,
                parameters=griffe.Parameters(*parameters),
                returns="None",
            ),
        )
