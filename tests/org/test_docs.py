"""docs/org.md is executable: its python blocks run in order in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "org.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_the_guide_has_code() -> None:
    assert len(blocks()) >= 8


def test_every_python_block_of_the_org_guide_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "docs_org"}
    for number, block in enumerate(blocks(), start=1):
        code = compile(block, f"{DOC.name}, python block {number}", "exec")
        exec(code, namespace)
    out = capsys.readouterr().out
    assert "喻义巷社区居民委员会" in out
    assert "230203002006007" in out
