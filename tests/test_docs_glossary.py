"""Every Chinese term on a docs page is glossed where it first appears, consistently with the
glossary (docs/glossary.md).

A reader who does not read Chinese meets 办结率 on a page and learns on the spot that it is the
completion rate, whichever page they land on. The rule is in docs/glossing.py; here it holds
for README.md and every page of docs/ but the glossary itself, and a term used on two pages or
more must be in the glossary, so it means one thing everywhere.
"""

from __future__ import annotations

import importlib
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_glossing() -> ModuleType:
    if str(ROOT / "docs") not in sys.path:  # docs/glossing.py is a script's module, not govflow's
        sys.path.insert(0, str(ROOT / "docs"))
    return importlib.import_module("glossing")


glossing = _load_glossing()
PAGES = sorted(
    path
    for path in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    if path != glossing.GLOSSARY
)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_chinese_term_is_glossed_where_it_first_appears(path: Path) -> None:
    found = glossing.problems(path.read_text(encoding="utf-8"), glossing.glossary())
    name = path.relative_to(ROOT)
    assert [f"{name}:{seen.line}: {seen.term} {what}" for seen, what in found] == []


def test_a_term_used_on_several_pages_is_in_the_glossary() -> None:
    terms = glossing.glossary()
    pages: dict[str, set[str]] = defaultdict(set)
    for path in PAGES:
        for seen in glossing.first_appearances(path.read_text(encoding="utf-8"), terms):
            pages[seen.term].add(str(path.relative_to(ROOT)))
    shared = {term: sorted(where) for term, where in pages.items() if len(where) > 1}
    assert {term: where for term, where in shared.items() if term not in terms} == {}


def test_the_glossary_is_on_the_site_and_linked_from_the_landing_page() -> None:
    assert len(glossing.glossary()) > 50
    assert "(glossary.md)" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")


# The rule itself, on small pages: a check that cannot fail guards nothing.
TERMS = {"办结率": "completion rate", "满意率": "satisfaction rate / satisfaction"}
CASES = [
    ("The completion rate (办结率) rises.", []),
    ("办结率 (completion rate) rises; 办结率 again needs nothing.", []),
    ("**办结率** (completion rates, per street).", []),
    ("`办结率` (completion rate) names the figure.", []),
    ("Satisfaction (满意率) is an alternative the glossary allows.", []),
    ("办结率 rises.", ["办结率 is not"]),
    ("办结率 (satisfaction) rises.", ["办结率 is glossed"]),
    ("The completion rate (办结率, 满意率).", ["满意率 is not"]),
    ("Completion\n\n(办结率) is a paragraph away.", ["办结率 is not"]),
    ("- A walk.\n- (散步) is another list item.", ["散步 is not"]),
    ("| A walk | (散步) is another cell |", ["散步 is not"]),
    ("```python\nprint('办结率')\n```\n", []),
    ('`title="3号楼路灯不亮"` is data.', []),
    ('`"办结率"` is a term.', ["办结率 is not"]),
    ("A walk (散步) first.", []),
    ("散步 first.", ["散步 is not"]),
]


@pytest.mark.parametrize(("page", "expected"), CASES)
def test_the_rule(page: str, expected: list[str]) -> None:
    found = glossing.problems(page, TERMS)
    assert [f"{seen.term} {what.split()[1]}" for seen, what in found] == [
        e.replace(" is ", " ") for e in expected
    ]


def test_gloss_inserts_the_glossary_english_where_it_is_missing() -> None:
    page = "Figures: **办结率** and `满意率`; 办结率 again.\n\n```\n满意率\n```\n散步."
    glossed = glossing.gloss(page, TERMS)
    assert glossed.startswith(
        "Figures: **办结率** (completion rate) and `满意率` (satisfaction rate); 办结率 again."
    )
    assert "```\n满意率\n```\n散步." in glossed  # code untouched, a stranger left to a person
    assert [what for _, what in glossing.problems(glossed, TERMS)] == [
        "is not glossed at its first appearance"
    ]
