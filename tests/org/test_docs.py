"""docs/howto/org.md is executable: its python blocks run in order in one namespace."""

from __future__ import annotations

from pathlib import Path

import pytest

from govflow.testing.docs import python_blocks, run_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "howto" / "org.md"


def test_the_guide_has_code() -> None:
    assert len(python_blocks(DOC)) >= 8


def test_every_python_block_of_the_org_guide_runs(capsys: pytest.CaptureFixture[str]) -> None:
    run_markdown(DOC)
    out = capsys.readouterr().out
    assert "喻义巷社区居民委员会" in out
    assert "230203002006007" in out
