"""Chinese terms on a docs page, and whether each is glossed where it first appears.

The rule (tests/test_docs_glossary.py holds every page to it), over the prose of a page —
fenced code is code, and an inline code span counts only when it is a glossary term by itself
(`` `办结率` `` does, `` `title="3号楼路灯不亮"` `` is data):

- the first appearance of each Chinese term is glossed: ``term (English …)`` or
  ``English (term …)``;
- a term of docs/glossary.md is glossed with the glossary's English (or one of its
  alternatives, separated by `` / ``), in either number.

``gloss(text)`` inserts the glossary's English after every first appearance that lacks it; the
reference generator runs it over the docstrings it copies, which other people write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parent / "glossary.md"

HAN = r"\u3400-\u4dbf\u4e00-\u9fff"
#: A term: Chinese characters, with digits, a middle dot, an enumeration comma or a hyphen
#: inside (``8分钟服务圈``, ``收集-交办-处理-反馈``).
TERM = re.compile(rf"[0-9]*[{HAN}](?:[{HAN}0-9·、\-]*[{HAN}])?")
FENCE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
MARKUP = "*_\"'`“”‘’「」"
LATIN = re.compile(r"[A-Za-z]")
#: After a term: closing markup, then a parenthesis whose text is English.
GLOSS_AFTER = re.compile(rf"[{re.escape(MARKUP)}]*\s*\(([^()]*)\)")


def glossary(path: Path = GLOSSARY) -> dict[str, str]:
    """The glossary's table rows: Chinese term → English."""
    terms: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and TERM.fullmatch(cells[0]):
            if cells[0] in terms:
                msg = f"{cells[0]} is in the glossary twice"
                raise ValueError(msg)
            terms[cells[0]] = cells[1]
    return terms


def prose(text: str, terms: dict[str, str]) -> str:
    """The page as a reader meets its words, offsets unchanged: code blocks blanked, code
    spans blanked unless they name a glossary term."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group())

    def span(match: re.Match[str]) -> str:
        inner = match.group(1).strip(MARKUP + " ")
        return match.group() if inner in terms else "`" + "x" * len(match.group(1)) + "`"

    return CODE_SPAN.sub(span, FENCE.sub(blank, text))


def normal(text: str) -> str:
    return " ".join(text.translate(str.maketrans("", "", MARKUP)).lower().split())


@dataclass(frozen=True)
class Appearance:
    """A term's first appearance on a page."""

    term: str
    start: int
    end: int
    line: int
    english: str | None  # the gloss, None when there is none


#: Where the English before a term's parenthesis can start.
_BOUNDARIES = ("(", ")", "\n\n", "|", "\n- ", "\n* ", "\n#")


def _english_before(body: str, start: int) -> str | None:
    """The English a term at ``start`` glosses, when the term opens a parenthesis: the text
    from the start of its paragraph, list item, table cell or the previous parenthesis to that
    parenthesis."""
    paren = len(body[:start].rstrip(MARKUP + " \t"))
    if not body[:paren].endswith("("):
        return None
    opening = paren - 1
    found = (body.rfind(c, 0, opening) for c in _BOUNDARIES)
    begin = max((i + len(c) for i, c in zip(found, _BOUNDARIES, strict=True) if i >= 0), default=0)
    english = body[begin:opening]
    return english if LATIN.search(english) else None


def first_appearances(text: str, terms: dict[str, str]) -> list[Appearance]:
    seen: set[str] = set()
    found: list[Appearance] = []
    body = prose(text, terms)
    for match in TERM.finditer(body):
        term = match.group()
        if term in seen:
            continue
        seen.add(term)
        after = GLOSS_AFTER.match(body, match.end())
        english = None
        if after and LATIN.search(after.group(1)) and not TERM.match(after.group(1).strip()):
            english = after.group(1)
        else:
            english = _english_before(body, match.start())
        line = body.count("\n", 0, match.start()) + 1
        found.append(Appearance(term, match.start(), match.end(), line, english))
    return found


def matches(english: str, wanted: str) -> bool:
    """``english`` glosses with ``wanted`` (or one of its `` / `` alternatives): it starts
    (term first) or ends (English first) with it, in either number."""
    got = normal(english)
    for want in (normal(w) for w in wanted.split(" / ")):
        forms = {want, want + "s", want + "es", want.removesuffix("y") + "ies"}
        if any(got.startswith(form) or got.endswith(form) for form in forms):
            return True
    return False


def problems(text: str, terms: dict[str, str]) -> list[tuple[Appearance, str]]:
    """Each first appearance that breaks the rule, with what is wrong."""
    found: list[tuple[Appearance, str]] = []
    for seen in first_appearances(text, terms):
        if seen.english is None:
            found.append((seen, "is not glossed at its first appearance"))
        elif seen.term in terms and not matches(seen.english, terms[seen.term]):
            wanted = terms[seen.term]
            found.append(
                (seen, f"is glossed {seen.english.strip()!r}, the glossary says {wanted!r}")
            )
    return found


def gloss(text: str, terms: dict[str, str] | None = None) -> str:
    """``text`` with the glossary's English after each glossary term's first appearance that
    lacks it (a term outside the glossary is left for a person to gloss)."""
    terms = glossary() if terms is None else terms
    for seen, _ in reversed(problems(text, terms)):
        if seen.term in terms:
            end = seen.end
            while end < len(text) and text[end] in MARKUP:
                end += 1
            english = terms[seen.term].split(" / ")[0]
            text = f"{text[:end]} ({english}){text[end:]}"
    return text
