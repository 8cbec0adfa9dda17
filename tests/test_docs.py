"""Every ```python block in README.md and docs/ runs, in order, one namespace per file.

Docs that are executed cannot rot: an example that stops working fails the suite. A block
that must not run (a shell session, a sketch) is fenced as something other than ``python``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
DOCUMENTS = sorted(
    path
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    if path.exists() and BLOCK.search(path.read_text(encoding="utf-8"))
)


def test_there_are_executable_docs() -> None:
    assert ROOT / "README.md" in DOCUMENTS


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_document_examples_run(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Examples may write files (a SQLite database, an export): keep them out of the tree.
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"docs_{document.stem}"}
    text = document.read_text(encoding="utf-8")
    for number, match in enumerate(BLOCK.finditer(text), start=1):
        line = text.count("\n", 0, match.start()) + 2
        code = compile(match.group(1), f"{document.name}:{line} (block {number})", "exec")
        exec(code, namespace)  # running our own documentation is the point
