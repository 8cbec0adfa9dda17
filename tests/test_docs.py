"""Every ```python block in README.md and docs/ runs, in order, one namespace per file.

Docs that are executed cannot rot: an example that stops working fails the suite. A few
documents have a runner of their own, which also checks what their examples print; this one
runs all the others.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from govflow import hookspecs
from govflow.testing.docs import python_blocks, run_markdown

ROOT = Path(__file__).resolve().parent.parent
#: Documents run by a dedicated test, and which.
DEDICATED = {
    "docs/howto/org.md": "tests/org/test_docs.py",
    "docs/howto/writing-plugins.md": "tests/test_docs_plugins.py",
    "docs/howto/testing.md": "tests/testing/test_docs.py",  # its examples are pytest tests
}
DOCUMENTS = sorted(
    path
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    if python_blocks(path) and str(path.relative_to(ROOT)) not in DEDICATED
)


def test_there_are_executable_docs() -> None:
    assert ROOT / "README.md" in DOCUMENTS


def test_every_dedicated_runner_exists() -> None:
    for document, runner in DEDICATED.items():
        assert (ROOT / document).exists(), document
        assert Path(document).name in (ROOT / runner).read_text(encoding="utf-8"), runner


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_document_examples_run(
    document: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Examples may write files (a SQLite database, an export): keep them out of the tree.
    monkeypatch.chdir(tmp_path)
    run_markdown(document)


def test_the_reference_matches_the_code() -> None:
    spec = importlib.util.spec_from_file_location(
        "reference_gen", ROOT / "docs" / "reference_gen.py"
    )
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    expected = generator.render()
    actual = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/reference.md is stale: run python docs/reference_gen.py"


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_in_the_docs_resolves() -> None:
    documents = [
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *ROOT.glob("plugins/*/README.md"),
    ]
    broken = [
        f"{document.relative_to(ROOT)} -> {target}"
        for document in documents
        for target in LINK.findall(document.read_text(encoding="utf-8"))
        if "://" not in target and not (document.parent / target).exists()
    ]
    assert broken == []


def test_every_hook_has_an_example() -> None:
    hooks = [getattr(hookspecs, n) for n in dir(hookspecs) if n.startswith("govflow_")]
    assert hooks
    missing = [hook.__name__ for hook in hooks if "Example::" not in (hook.__doc__ or "")]
    assert missing == []


def test_the_reference_shows_no_raw_roles() -> None:
    """The text the generator copies (module summaries, command help) is Markdown, where a
    Sphinx role would show as written."""
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    assert re.findall(r":[a-z]+:`[^`]*`", text) == []
