"""The season report as one self-contained HTML page (styles inline, SVG inline, no script)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from govflow.report import BEIJING  # defined before govflow.report imports this module
from govflow.report._svg import bar_chart, line_chart, state_diagram

if TYPE_CHECKING:
    from govflow.metrics import Figures
    from govflow.report import SeasonReport, SlowIssue

_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 0;
       color: #1d2733; background: #f6f7f9; }
header { background: #b71c1c; color: white; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
main { padding: 8px 32px 40px; max-width: 1100px; }
section { background: white; border-radius: 8px; padding: 16px 20px; margin: 16px 0;
          box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
h2 { font-size: 18px; margin: 4px 0 12px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fafafa; border: 1px solid #e3e3e3; border-radius: 6px; padding: 10px 14px;
        min-width: 140px; }
.card b { display: block; font-size: 22px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eee; text-align: left; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.chart-title { font-size: 14px; font-weight: 600; fill: #1d2733; }
.axis { font-size: 11px; fill: #555; }
.label { font-size: 13px; fill: #1d2733; }
.grid { stroke: #e5e5e5; }
.state-label { font-size: 13px; fill: #1d2733; }
.state-name { font-size: 10px; fill: #666; font-family: monospace; }
.move-label { font-size: 10px; fill: #444; font-family: monospace; }
.ok { color: #1b5e20; } .bad { color: #b71c1c; }
svg.diagram, svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; }
"""


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: int = 0) -> str:
    """A table; the last ``numeric`` columns are right-aligned."""
    first = len(headers) - numeric
    head = "".join(
        f'<th class="n">{escape(h)}</th>' if i >= first else f"<th>{escape(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{escape(str(c))}</td>' if i >= first else f"<td>{escape(str(c))}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures_rows(figures: Iterable[Figures]) -> list[list[object]]:
    return [
        [
            rank,
            f.group,
            f.received,
            f.completed,
            _percent(f.completion_rate),
            _percent(f.on_time_rate),
            _percent(f.satisfaction_rate),
        ]
        for rank, f in enumerate(figures, start=1)
    ]


_FIGURE_HEADERS = ("#", "unit", "issues", "completed", "办结率", "on time", "满意率")


def _plugin_metric(name: str, value: object) -> str:
    """One figure a plugin contributes: a mapping as a table, anything else as its text."""
    if isinstance(value, Mapping):
        shown = _table(["", "value"], [[k, v] for k, v in value.items()], numeric=1)
    else:
        shown = f"<p>{escape(str(value))}</p>"
    return f"<h3>{escape(name)}</h3>{shown}"


def _slow(slow: SlowIssue) -> str:
    issue = slow.issue
    rows = [
        [
            e.sequence,
            (e.at + BEIJING).strftime("%Y-%m-%d %H:%M"),
            e.trigger,
            f"{e.source or '∅'} → {e.destination}",
            e.actor,
        ]
        for e in slow.events
    ]
    status = "completed" if slow.finished else f"still open, in {slow.issue.state}"
    return (
        f"<details><summary>{escape(issue.id)} · {escape(issue.workflow)} · "
        f"{escape(issue.category or '-')} · {slow.days:.1f} days ({status})</summary>"
        + _table(["#", "at (Beijing time)", "move", "from → to", "actor"], rows)
        + "</details>"
    )


def render_html(report: SeasonReport, *, top: int = 15) -> str:
    """The report as a self-contained HTML page."""
    total = report.total
    labels = [d.date for d in report.days]
    cards = [
        ("issues", str(total.received)),
        ("moves", str(report.moves)),
        ("by the deadline clock", str(report.deadline_moves)),
        ("办结率 completion", _percent(total.completion_rate)),
        ("on time", _percent(total.on_time_rate)),
        ("满意率 satisfaction", _percent(total.satisfaction_rate)),
    ]
    methods = ", ".join(f"{name}: {count}" for name, count in report.opened.items())
    audit_ok = not report.failures
    audit = (
        f'<p class="ok">Every issue\'s hash-chained audit log verified: '
        f"{report.verified_issues} issues, {report.verified_events} events, each replaying to "
        "the stored issue.</p>"
        if audit_ok
        else '<p class="bad">Logs that do not verify:</p><ul>'
        + "".join(f"<li>{escape(f)}</li>" for f in report.failures)
        + "</ul>"
    )
    sections = [
        '<section><h2>The season</h2><div class="cards">'
        + "".join(f'<div class="card">{escape(k)}<b>{escape(v)}</b></div>' for k, v in cards)
        + f"</div><p>Issues by method: {escape(methods)}.</p></section>",
        "<section><h2>Over time</h2>"
        + line_chart(
            "Arrivals and completions per day",
            labels,
            {
                "arrived": [d.arrivals for d in report.days],
                "completed": [d.completed for d in report.days],
            },
        )
        + line_chart(
            "Backlog: issues open at the end of each day",
            labels,
            {"open": [d.backlog for d in report.days]},
        )
        + line_chart(
            "办结率 completion so far, and the on-time rate of what was completed",
            labels,
            {
                "办结率 completed": [d.completion_rate for d in report.days],
                "on time": [d.on_time_rate for d in report.days],
            },
            y_max=1.0,
            y_format=lambda v: f"{v:.0%}",
        )
        + "</section>",
        "<section><h2>Streets (街道)</h2>"
        + bar_chart(
            "办结率 completion by street", [(f.group, f.completion_rate) for f in report.streets]
        )
        + _table(_FIGURE_HEADERS, _figures_rows(report.streets), numeric=5)
        + "</section>",
        f"<section><h2>Communities ranked (top {min(top, len(report.ranking))} of "
        f"{len(report.ranking)})</h2>"
        + _table(_FIGURE_HEADERS, _figures_rows(report.ranking[:top]), numeric=5)
        + "</section>",
        *(
            [
                "<section><h2>The methods' own figures</h2>"
                + "".join(_plugin_metric(name, v) for name, v in report.plugin_metrics.items())
                + "</section>"
            ]
            if report.plugin_metrics
            else []
        ),
        "<section><h2>The slowest issues</h2>"
        + "".join(_slow(s) for s in report.slowest)
        + "</section>",
        "<section><h2>Workflows</h2>"
        + "".join(
            f"<h3>{escape(w.label or w.name)} <small>({escape(w.name)} v{w.version})</small>"
            f"</h3>{state_diagram(w)}"
            for w in report.workflows
        )
        + "</section>",
        f"<section><h2>Audit verification</h2>{audit}</section>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.title)}</title><style>{_STYLE}</style></head><body>"
        f"<header><h1>{escape(report.title)}</h1><div>{escape(report.span)} · generated "
        "by govflow from the record</div></header>"
        f"<main>{''.join(sections)}</main></body></html>\n"
    )


__all__ = ["render_html"]
