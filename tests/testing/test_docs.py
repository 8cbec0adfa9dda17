"""docs/howto/testing.md is executed: its python blocks, in order, form one pytest module."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govflow.testing.docs import python_blocks

pytest_plugins = ["pytester"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "howto" / "testing.md"


def blocks() -> list[str]:
    return [code for _, code in python_blocks(DOC)]


def test_the_page_has_python_blocks_and_tests() -> None:
    found = blocks()
    assert len(found) >= 10
    assert sum(block.count("\ndef test_") + block.startswith("def test_") for block in found) >= 5


def test_every_python_block_runs_in_order(pytester: pytest.Pytester) -> None:
    # Module-level code runs at import, block after block; the test functions the blocks define
    # then run with the real fixtures, as they would in a user's suite.
    source = "\n\n".join(f"# --- block {i}\n{block}" for i, block in enumerate(blocks()))
    pytester.makepyfile(test_doc=source)
    result = pytester.runpytest("-p", "no:cacheprovider")
    defined = len(re.findall(r"^def test_", source, re.MULTILINE))
    result.assert_outcomes(passed=defined)
