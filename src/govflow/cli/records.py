"""Commands over a record in a database: ``history``, ``metrics``, ``tick``.

Each takes ``--database URL`` (or ``GOVFLOW_DATABASE``) naming an existing govflow store and
builds an engine with the installed plugins on it, so every workflow the record uses is known.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govflow.cli._options import DatabaseOption, JsonOption, engine_on, open_store
from govflow.cli._output import fail, output, percent, table

if TYPE_CHECKING:
    from govflow.metrics import Figures
    from govflow.records import Event, Issue


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M")


def _summary(event: Event) -> str:
    shown = {**event.payload}
    return ", ".join(f"{key}={value}" for key, value in shown.items())


def history_command(
    ctx: typer.Context,
    issue: Annotated[str, typer.Argument(help="the issue's id")],
    database: DatabaseOption = "govflow.db",
    as_json: JsonOption = False,
) -> int:
    """Show an issue's audit log, oldest move first, and whether its hash chain verifies.

    Exits 1 if the log does not verify.
    """
    from govflow.errors import IntegrityError  # noqa: PLC0415

    out = output(ctx)
    with open_store(database) as store:
        engine = engine_on(store)
        current = engine.get(issue)
        events = engine.history(issue)
        try:
            engine.verify(issue)
            problem = None
        except IntegrityError as err:
            problem = str(err)
    if as_json:
        out.json(
            {"issue": current, "events": events, "verified": problem is None, "problem": problem}
        )
        return 0 if problem is None else 1
    out.print(
        f"[bold]{current.id}[/bold]  {current.workflow} v{current.workflow_version}  "
        f"state [bold]{current.state}[/bold]  category {current.category or '-'}  "
        f"location {current.location or '-'}"
    )
    out.print(
        table(
            None,
            ["#", "at (UTC)", "move", "from → to", "actor", "due (UTC)", "payload"],
            (
                [
                    e.sequence,
                    _when(e.at),
                    e.trigger,
                    f"{e.source or '∅'} → {e.destination}",
                    e.actor,
                    _when(e.due_at),
                    _summary(e) or None,
                ]
                for e in events
            ),
            numeric=["#"],
        )
    )
    if problem is None:
        out.print(f"[green]{len(events)} events, hash chain intact[/green]")
        return 0
    out.print(f"[red]the log does not verify: {problem}[/red]")
    return 1


class GroupBy(enum.StrEnum):
    """What ``govflow metrics`` groups issues by."""

    LOCATION = "location"
    CATEGORY = "category"
    WORKFLOW = "workflow"


def _group(by: GroupBy) -> Any:
    def group(issue: Issue) -> str | None:
        if by is GroupBy.WORKFLOW:
            return issue.workflow
        return issue.category if by is GroupBy.CATEGORY else issue.location

    return group


def figures_data(figures: Figures) -> dict[str, Any]:
    """One group's figures and rates as JSON data."""
    return {
        "group": figures.group,
        "received": figures.received,
        "cancelled": figures.cancelled,
        "completed": figures.completed,
        "completed_on_time": figures.completed_on_time,
        "ratings": figures.ratings,
        "satisfied": figures.satisfied,
        "completion_rate": figures.completion_rate,
        "on_time_rate": figures.on_time_rate,
        "satisfaction_rate": figures.satisfaction_rate,
    }


def figures_table(title: str, ranked: list[Figures]) -> Any:
    """Ranked figures as a table: 办结率, on time, 满意率 as the seeds publish them."""
    return table(
        title,
        ["rank", "group", "issues", "办结率 completed", "on time", "满意率 satisfied"],
        (
            [
                rank,
                f.group,
                f.received,
                percent(f.completion_rate),
                percent(f.on_time_rate),
                percent(f.satisfaction_rate),
            ]
            for rank, f in enumerate(ranked, start=1)
        ),
        numeric=["rank", "issues", "办结率 completed", "on time", "满意率 satisfied"],
    )


def metrics_command(
    ctx: typer.Context,
    database: DatabaseOption = "govflow.db",
    by: Annotated[GroupBy, typer.Option(help="group issues by this field")] = GroupBy.LOCATION,
    top: Annotated[int, typer.Option(min=1, help="show this many groups")] = 20,
    as_json: JsonOption = False,
) -> None:
    """Compute the accountability figures (办结率, on-time, 满意率) and rank the groups."""
    from govflow.metrics import accountability  # noqa: PLC0415

    out = output(ctx)
    with open_store(database) as store:
        engine = engine_on(store)
        if by is GroupBy.LOCATION:  # counted by the database itself
            report = accountability(engine, source="sql")
        else:
            report = accountability(engine, group_by=_group(by))
    ranked = report.ranking()
    if as_json:
        out.json(
            {
                "total": figures_data(report.total),
                "by": by.value,
                "ranking": [figures_data(f) for f in ranked],
                "plugin_metrics": dict(report.plugin_metrics),
            }
        )
        return
    total = report.total
    out.print(
        f"{total.received} issues: 办结率 completion {percent(total.completion_rate)}, "
        f"on time {percent(total.on_time_rate)}, "
        f"满意率 satisfaction {percent(total.satisfaction_rate)}"
    )
    out.print(
        figures_table(f"by {by.value} (top {min(top, len(ranked))} of {len(ranked)})", ranked[:top])
    )
    if report.plugin_metrics:
        out.print(
            table(
                "the methods' own figures (govflow_metrics)",
                ["metric", "value"],
                [[name, _shown(value)] for name, value in report.plugin_metrics.items()],
            )
        )


def _shown(value: object) -> str:
    """A plugin's figure in a table cell: a mapping as ``key value`` pairs, one a line."""
    if isinstance(value, Mapping):
        return "\n".join(f"{key} {item}" for key, item in value.items())
    return str(value)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--now {value!r} is not an ISO 8601 time (e.g. 2024-03-01T09:00+08:00)")
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def tick_command(
    ctx: typer.Context,
    database: DatabaseOption = "govflow.db",
    now: Annotated[
        str | None,
        typer.Option(metavar="TIME", help="ISO 8601 time to tick at (default: now; naive = UTC)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Fire the deadline moves that are due: every overdue issue's timeout transition."""
    out = output(ctx)
    when = _parse_now(now)
    with open_store(database) as store:
        fired = engine_on(store).tick(when)
    if as_json:
        out.json(fired)
        return
    out.print(
        table(
            f"{len(fired)} deadline move(s)",
            ["issue", "move", "from → to", "at (UTC)", "overdue since (UTC)"],
            (
                [
                    e.issue_id,
                    e.trigger,
                    f"{e.source} → {e.destination}",
                    _when(e.at),
                    e.payload.get("overdue_since"),
                ]
                for e in fired
            ),
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``history``, ``metrics`` and ``tick`` to ``app``."""
    app.command("history")(history_command)
    app.command("metrics")(metrics_command)
    app.command("tick")(tick_command)


__all__ = [
    "GroupBy",
    "figures_data",
    "figures_table",
    "history_command",
    "metrics_command",
    "register",
    "tick_command",
]
