"""Run the Python examples of a Markdown document, so that documentation cannot rot.

Every fenced block opened with ```` ```python ```` runs, in order, in one namespace, as a
reader following the document would run them. Fence a block as anything else (``pycon``,
``text``, ``sh``) to keep it out. Plugin authors can point this at their README::

    from govflow.testing.docs import run_markdown

    def test_readme_examples_run():
        run_markdown("README.md")
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def python_blocks(path: str | Path) -> list[tuple[int, str]]:
    """Each ```python block of the document with the line its code starts on."""
    text = Path(path).read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in BLOCK.finditer(text)]


def run_markdown(path: str | Path, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the document's python blocks in order; return the namespace they ran in.

    A failing block raises its own exception, with a traceback naming the document, the line
    and the block's number.
    """
    source = Path(path)
    scope = namespace if namespace is not None else {"__name__": f"docs_{source.stem}"}
    for number, (line, code) in enumerate(python_blocks(source), start=1):
        compiled = compile(code, f"{source.name}:{line} (block {number})", "exec")
        exec(compiled, scope)  # noqa: S102  (running the document's own examples is the point)
    return scope


__all__ = ["BLOCK", "python_blocks", "run_markdown"]
