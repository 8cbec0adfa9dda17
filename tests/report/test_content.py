"""What the season report holds, read from the page itself (the browser test checks it draws):
every part the district reads, self-contained, and an audit failure shown, not hidden."""

from __future__ import annotations

import re
import sqlite3
from html import unescape
from pathlib import Path

import pytest

from govflow.engine import Engine
from govflow.report import BEIJING, SeasonReport, render_html, season_report
from govflow.season import SeasonResult, run_season, save_season
from govflow.store import SQLStore


@pytest.fixture(scope="module")
def season() -> tuple[Engine, SeasonResult]:
    return run_season(issues=200, days=21, seed=7)


@pytest.fixture(scope="module")
def report(season: tuple[Engine, SeasonResult]) -> SeasonReport:
    return season_report(*season)


@pytest.fixture(scope="module")
def page(report: SeasonReport) -> str:
    return render_html(report)


def sections(page: str) -> dict[str, str]:
    found = re.findall(r"<section><h2>(.*?)</h2>(.*?)</section>", page, re.S)
    return {unescape(title): body for title, body in found}


def test_the_page_needs_nothing_from_anywhere(page: str) -> None:
    assert "<script" not in page
    assert "<link" not in page
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # markers point inside the page, nowhere else
    addresses = set(re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page))
    assert addresses == set()
    assert set(re.findall(r"https?://[^\"'\s<>]+", page)) <= {"http://www.w3.org/2000/svg"}


def test_every_part_is_there(page: str, report: SeasonReport) -> None:
    parts = sections(page)
    assert list(parts)[:2] == ["The season", "Over time"]
    assert {"Streets (街道)", "The slowest issues", "Workflows", "Audit verification"} <= set(parts)
    assert any(title.startswith("Communities ranked") for title in parts)
    cards = parts["The season"]
    for label in ("issues", "moves", "办结率 completion", "on time", "满意率 satisfaction"):
        assert label in cards
    assert f"<b>{report.total.received}</b>" in cards


def test_the_charts_over_time_show_every_day(
    page: str, report: SeasonReport, season: tuple[Engine, SeasonResult]
) -> None:
    _, result = season
    over_time = sections(page)["Over time"]
    titles = re.findall(r"<title>(.*?)</title>", over_time)
    assert titles == [
        "Arrivals and completions per day",
        "Backlog: issues open at the end of each day",
        "办结率 completion so far, and the on-time rate of what was completed",
    ]
    # Issues arrive over 21 days; the season runs on until the last of them can be settled.
    assert len(report.days) == (result.end - result.start).days >= 21
    assert sum(d.arrivals for d in report.days) == 200
    last = report.days[-1]
    assert last.backlog == 200 - sum(d.completed for d in report.days)
    assert last.completion_rate == pytest.approx(sum(d.completed for d in report.days) / 200)
    assert over_time.count("<polyline") == 5  # arrived, completed, open, 办结率, on time


def test_the_ranking_lists_ranked_communities_in_order(page: str, report: SeasonReport) -> None:
    (ranked,) = [body for title, body in sections(page).items() if title.startswith("Communities")]
    names = [unescape(n) for n in re.findall(r"<tr><td[^>]*>\d+</td><td>(.*?)</td>", ranked)]
    assert names == [f.group for f in report.ranking[:15]]


def test_the_slowest_issues_come_with_their_whole_history(
    page: str, report: SeasonReport, season: tuple[Engine, SeasonResult]
) -> None:
    engine, _ = season
    slowest = sections(page)["The slowest issues"]
    histories = re.findall(r"<details><summary>(.*?)</summary>(.*?)</details>", slowest, re.S)
    assert len(histories) == len(report.slowest) == 5
    days = [s.days for s in report.slowest]
    assert days == sorted(days, reverse=True)
    for (summary, table), slow in zip(histories, report.slowest, strict=True):
        assert summary.startswith(f"{slow.issue.id} · {slow.issue.workflow}")
        events = engine.history(slow.issue.id)
        assert table.count("<tr>") == len(events) + 1  # a header and a row per move
        first = (events[0].at + BEIJING).strftime("%Y-%m-%d %H:%M")
        assert first in table  # in Beijing time, as every date the page shows
    assert "at (Beijing time)" in slowest


def test_the_figures_plugins_contribute_are_shown(page: str, report: SeasonReport) -> None:
    by_category = report.plugin_metrics["one-group-one-council.by_category"]
    assert isinstance(by_category, dict)
    shown = sections(page)["The methods' own figures"]
    assert "<h3>one-group-one-council.by_category</h3>" in shown
    for category, count in by_category.items():
        assert f'<tr><td>{category}</td><td class="n">{count}</td></tr>' in shown


def test_a_diagram_per_workflow_played(page: str, report: SeasonReport) -> None:
    workflows = sections(page)["Workflows"]
    assert workflows.count('class="diagram"') == len(report.workflows) == len(report.opened)
    for workflow in report.workflows:
        assert f"({workflow.name} v{workflow.version})" in workflows


def test_an_edited_log_is_reported_as_such(
    season: tuple[Engine, SeasonResult], tmp_path: Path
) -> None:
    engine, result = season
    path = tmp_path / "season.db"
    with SQLStore(f"sqlite:///{path}") as store:
        save_season(engine, store)
    victim = next(iter(engine.issues())).id
    with sqlite3.connect(path) as db:  # an edit behind govflow's back
        db.execute("UPDATE govflow_events SET actor = 'x' WHERE issue_id = ? AND sequence = 1",
                   (victim,))  # fmt: skip
    with SQLStore(f"sqlite:///{path}", create=False) as store:
        saved = Engine(org=result.org, store=store, clock=engine.clock)
        audit = sections(render_html(season_report(saved, result)))["Audit verification"]
    assert "Logs that do not verify" in audit
    assert f"{victim}: " in unescape(audit)
