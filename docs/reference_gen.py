"""Write docs/reference.md from the public API: every name in each public module's ``__all__``,
with its signature and the first paragraph of its docstring.

    python docs/reference_gen.py          # rewrite docs/reference.md
    python docs/reference_gen.py --check  # exit 1 if docs/reference.md is stale

The test suite runs the check, so the reference cannot drift from the code.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path

MODULES = (
    "govflow",
    "govflow.workflow",
    "govflow.store",
    "govflow.org",
    "govflow.gates",
    "govflow.metrics",
    "govflow.escalation",
    "govflow.testing",
    "govflow.testing.docs",
    "govflow.errors",
    "govflow.web",
    "govflow.interop.open311",
    "govflow.worker",
)
TARGET = Path(__file__).resolve().parent / "reference.md"


def _summary(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.split("\n\n", 1)[0].replace("\n", " ")


class _Shown:
    """A default value shown by a stable text: a set's repr changes order from run to run."""

    def __init__(self, value: object) -> None:
        if isinstance(value, frozenset | set):
            self.text = "{" + ", ".join(sorted(map(repr, value))) + "}" if value else "frozenset()"
        elif value is None or isinstance(value, bool | int | float | str | tuple):
            self.text = repr(value)
        else:
            self.text = f"<{type(value).__name__}>"

    def __repr__(self) -> str:
        return self.text


def _signature(name: str, obj: object) -> str:
    try:
        signature = inspect.signature(obj)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return name
    parameters = [
        p if p.default is inspect.Parameter.empty else p.replace(default=_Shown(p.default))
        for p in signature.parameters.values()
    ]
    return f"{name}{signature.replace(parameters=parameters)}"


def _entry(module: str, name: str) -> str:
    obj = getattr(importlib.import_module(module), name)
    if inspect.ismodule(obj):
        kind = "module"
    elif inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
    elif callable(obj):
        kind = "function"
    else:
        kind = "constant"
    if kind == "constant":  # an instance's docstring is its class's: name the class instead
        return "\n".join([f"### `{module}.{name}`", "", f"*constant*: `{type(obj).__name__}`", ""])
    lines = [f"### `{module}.{name}`", "", f"*{kind}*", ""]
    if kind != "module":
        lines += ["```text", _signature(name, obj), "```", ""]
    summary = _summary(obj)
    if summary:
        lines += [summary, ""]
    return "\n".join(lines)


def render() -> str:
    """The reference page, as text."""
    parts = [
        "# Reference",
        "",
        "Generated from the code by `docs/reference_gen.py`; the test suite fails when this page",
        "and the code disagree. For how the pieces fit, read the",
        "[concepts](explanation/concepts.md); to get going, the [tutorial](tutorial.md).",
        "",
    ]
    for module in MODULES:
        names = sorted(importlib.import_module(module).__all__)
        doc = inspect.getdoc(importlib.import_module(module)) or ""
        parts += [f"## `{module}`", "", doc.split("\n\n", 1)[0].replace("\n", " "), ""]
        parts += [_entry(module, name) for name in names if not name.startswith("__")]
    return "\n".join(parts).rstrip() + "\n"


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
