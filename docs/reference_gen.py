"""Write docs/reference.md: the reference the docs site renders with mkdocstrings.

    python docs/reference_gen.py          # rewrite docs/reference.md (make reference)
    python docs/reference_gen.py --check  # exit 1 if docs/reference.md is stale

Every public module of govflow (no part of its name starting with ``_``) with an ``__all__`` gets
a section; every name in its ``__all__`` a ``::: module.name`` directive, which mkdocstrings
turns into the signature, the docstring and, for a class, every public method (every
``Engine`` method among them). A name exported by several modules is documented where it is
exported first (``govflow`` before its submodules) and listed as such elsewhere. Then every
hook of ``govflow.hookspecs`` and every command of the ``govflow`` command line (from the Typer
application itself: its help, arguments and options). The test suite fails when this page and
the code disagree, so a new public name or command cannot go undocumented.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent / "reference.md"
#: Documented on their own: the command line (as commands, below) and the hook specs.
SKIPPED = ("govflow.cli", "govflow.hookspecs", "govflow.builtin")


def _glossing() -> Any:
    """docs/glossing.py, which glosses the Chinese terms the docstrings copied here use."""
    if str(TARGET.parent) not in sys.path:  # loaded by a test, not run from docs/
        sys.path.insert(0, str(TARGET.parent))
    return importlib.import_module("glossing")


def public_modules() -> list[str]:
    """``govflow`` and every public submodule with an ``__all__``, ``govflow`` first."""
    import govflow  # noqa: PLC0415

    names = ["govflow"]
    for info in pkgutil.walk_packages(govflow.__path__, "govflow."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts) or info.name.startswith(SKIPPED):
            continue
        module = importlib.import_module(info.name)
        if getattr(module, "__all__", None):
            names.append(info.name)
    return [names[0], *sorted(names[1:])]


#: A Sphinx role in a docstring (``:class:`~govflow.Engine```): mkdocstrings renders those in
#: what it documents, this page's own text shows them as code (``Engine``).
ROLE = re.compile(r":(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")


def _plain_roles(text: str) -> str:
    return ROLE.sub(lambda m: f"`{m[2].rsplit('.', 1)[-1] if m[1] else m[2]}`", text)


def _first_paragraph(obj: object) -> str:
    paragraph = (inspect.getdoc(obj) or "").split("\n\n", 1)[0].replace("\n", " ")
    return _plain_roles(paragraph)


def _modules_section() -> list[str]:
    lines: list[str] = []
    documented: dict[int, str] = {}
    for name in public_modules():
        module = importlib.import_module(name)
        lines += [f"## `{name}`", "", _first_paragraph(module), ""]
        also: list[str] = []
        for exported in sorted(n for n in module.__all__ if not n.startswith("__")):
            obj = getattr(module, exported)
            shareable = inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj)
            if shareable and id(obj) in documented:
                also.append(f"`{exported}` (see `{documented[id(obj)]}`)")
                continue
            if shareable:
                documented[id(obj)] = f"{name}.{exported}"
            if inspect.ismodule(obj):
                lines += [f"### `{name}.{exported}`", "", f"The module `{obj.__name__}`.", ""]
                continue
            lines += [f"::: {name}.{exported}", ""]
        if also:
            lines += ["Also exported here: " + ", ".join(also) + ".", ""]
    return lines


def _hooks_section() -> list[str]:
    from govflow import hookspecs  # noqa: PLC0415

    lines = [
        "## Hooks (`govflow.hookspecs`)",
        "",
        _first_paragraph(hookspecs),
        "",
    ]
    for name in sorted(n for n in dir(hookspecs) if n.startswith("govflow_")):
        lines += [f"::: govflow.hookspecs.{name}", ""]
    return lines


def _default(value: Any) -> str:
    if value is None or value == () or value is False:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(getattr(value, "value", value))


def _commands_section() -> list[str]:
    import typer  # noqa: PLC0415

    from govflow.cli import build_app  # noqa: PLC0415

    group = typer.main.get_command(build_app())
    context = typer.Context(group, info_name="govflow")
    lines = [
        "## The `govflow` command",
        "",
        "Every command of the command line, with its arguments and options (the same as",
        "`govflow COMMAND --help`). Global options: `--debug` (the traceback of a failure),",
        "`--version`. How to use them: [the how-to](howto/cli.md).",
        "",
    ]
    for name in group.list_commands(context):  # type: ignore[attr-defined]
        command = group.get_command(context, name)  # type: ignore[attr-defined]
        help_text = _plain_roles(inspect.cleandoc(command.help or ""))
        lines += [f"### `govflow {name}`", "", help_text, ""]
        lines += ["| parameter | help | default |", "| --- | --- | --- |"]
        for param in command.params:
            if param.name == "help":
                continue
            shown = (
                " / ".join(f"`{o}`" for o in param.opts)
                if param.opts[0].startswith("-")
                else f"`{param.name.upper()}`"
            )
            text = (getattr(param, "help", None) or "").replace("|", "\\|")
            lines.append(f"| {shown} | {text} | {_default(param.default)} |")
        lines.append("")
    return lines


def render() -> str:
    """The reference page, as text."""
    parts = [
        "# Reference",
        "",
        "Generated from the code by `docs/reference_gen.py` (`make reference`) and rendered by",
        "mkdocstrings; the test suite fails when this page and the code disagree. For how the",
        "pieces fit, read the [concepts](explanation/concepts.md); to get going, the",
        "[tutorial](tutorial.md). Chinese terms are glossed where they first appear, as in the",
        "[glossary](glossary.md).",
        "",
        *_modules_section(),
        *_hooks_section(),
        *_commands_section(),
    ]
    text: str = _glossing().gloss("\n".join(parts).rstrip() + "\n")
    return text


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is stale: run python docs/reference_gen.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
