"""The plugin guide's code runs: every ```python block of docs/howto/writing-plugins.md, in order,
in one namespace, as a reader following the guide would."""

from __future__ import annotations

from pathlib import Path

import pytest

from govflow.testing.docs import python_blocks, run_markdown

GUIDE = Path(__file__).parents[1] / "docs" / "howto" / "writing-plugins.md"


def test_the_guide_has_code() -> None:
    assert len(python_blocks(GUIDE)) >= 8


def test_every_python_block_of_the_guide_runs_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GOVFLOW_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    monkeypatch.delenv("GOVFLOW_DISABLED_PLUGINS", raising=False)
    run_markdown(GUIDE)
    printed = capsys.readouterr().out
    # the refusals the guide shows were raised and printed, naming what went wrong
    assert "may not fire 'judge'" in printed
    assert "plugin 'typo'" in printed
    assert "plugin 'building-talk'" in printed
