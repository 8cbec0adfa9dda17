"""``govflow simulate``: a season of a real district, every installed method, a report."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from govflow.cli._output import fail, output, percent, table
from govflow.cli.records import figures_table


def _start(value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d")  # noqa: DTZ007  (a date, made UTC below)
    except ValueError:
        fail(f"--start {value!r} is not a date (YYYY-MM-DD)")
    return day.replace(tzinfo=UTC)


def simulate_command(
    ctx: typer.Context,
    *,
    district: Annotated[
        str, typer.Option(help="the district's 6-digit division code (340303: 蚌山区)")
    ] = "340303",
    divisions: Annotated[
        Path | None,
        typer.Option(
            metavar="FOLDER",
            help="the whole official division table (its five CSV files), for a district "
            "beyond the five shipped",
        ),
    ] = None,
    issues: Annotated[int, typer.Option(min=1, help="issues raised over the season")] = 1200,
    days: Annotated[int, typer.Option(min=1, help="the season's length in days")] = 91,
    start: Annotated[str, typer.Option(help="the first day, YYYY-MM-DD")] = "2024-03-04",
    seed: Annotated[int, typer.Option(help="the same seed, the same record")] = 2024,
    database: Annotated[
        Path,
        typer.Option(
            "--database", "-d", help="the SQLite file the record is written to (must be new)"
        ),
    ] = Path("govflow-season.db"),
    report: Annotated[Path, typer.Option(help="the HTML report to write")] = Path(
        "govflow-report.html"
    ),
    replace: Annotated[
        bool, typer.Option("--replace", help="replace the database and report if they exist")
    ] = False,
    top: Annotated[int, typer.Option(min=1, help="communities to show in the ranking")] = 10,
) -> None:
    """Simulate a season of a district's issues and report on it.

    Builds the district from the official division table with synthetic people, posts,
    councils and paired departments; every installed method takes its share of the issues;
    the record goes to a SQLite file. Prints the figures per street and the community ranking,
    and writes a self-contained HTML report (charts, diagrams, the slowest issues, the audit).
    """
    from govflow.engine import Engine  # noqa: PLC0415  (heavy imports)
    from govflow.report import render_html, season_report  # noqa: PLC0415
    from govflow.season import district as build_district  # noqa: PLC0415
    from govflow.season import run_season, save_season  # noqa: PLC0415
    from govflow.store.sql import SQLStore  # noqa: PLC0415

    out = output(ctx)
    first_day = _start(start)
    for path in (database, report):
        if path.exists() and not replace:
            fail(f"{path} exists already (pass --replace to overwrite it)")
        if path.is_dir():
            fail(f"{path} is a folder")
        if not path.parent.is_dir():  # found out now, not after the season has run
            fail(f"cannot write {path}: no folder {path.parent}")
    if divisions is not None and not divisions.is_dir():
        fail(f"--divisions {divisions}: not a folder")
    org = build_district(district, seed=seed, divisions=divisions)
    root = org.unit(district[:6] + "000000")
    # Said before the bar starts: where there is no terminal to draw a bar in (a CI log), this
    # line is what shows the run has begun and where its record goes.
    out.note(
        f"Simulating {issues} issues over {days} days in {root.name} ({district}), seed {seed}; "
        f"the record goes to {database}, the report to {report}."
    )
    for stale in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    with Progress(
        TextColumn("[bold]{task.description}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("issues"),
        TimeElapsedColumn(),
        console=out.err,
        transient=True,
        disable=not out.err.is_terminal,  # a log gets the line above, not a blank line
    ) as progress:
        task = progress.add_task("simulating", total=issues)
        engine, result = run_season(
            org=org,
            district_code=district,
            issues=issues,
            days=days,
            seed=seed,
            start=first_day,
            progress=lambda done, _: progress.update(task, completed=done),
        )
        progress.update(task, description="saving the record")
        with SQLStore(f"sqlite:///{database}") as store:
            save_season(engine, store)
            progress.update(task, description="reporting from the saved record")
            # The report reads the record back from the file: what it shows is what was saved.
            saved = Engine(org=org, store=store, clock=engine.clock)
            season = season_report(saved, result)
    report.write_text(render_html(season), encoding="utf-8")
    total = season.total
    out.print(f"[bold]{season.title}[/bold]  {season.span}")
    out.print(
        f"{total.received} issues ("
        + ", ".join(f"{name} {count}" for name, count in season.opened.items())
        + f"), {season.moves} moves ({season.deadline_moves} by the deadline clock)"
    )
    out.print(
        f"办结率 completion {percent(total.completion_rate)}   on time "
        f"{percent(total.on_time_rate)}   满意率 satisfaction {percent(total.satisfaction_rate)}"
    )
    out.print(figures_table("Streets (街道)", list(season.streets)))
    ranked = list(season.ranking)
    out.print(
        figures_table(
            f"Communities ranked (top {min(top, len(ranked))} of {len(ranked)})", ranked[:top]
        )
    )
    if season.failures:
        out.print(f"[red]{len(season.failures)} audit logs do not verify[/red]")
    else:
        out.print(
            f"Audit: {season.verified_events} events of {season.verified_issues} issues "
            "verified, every hash chain intact."
        )
    out.print(
        table(None, ["written", "path"], [["record (SQLite)", database], ["report (HTML)", report]])
    )
    if season.failures:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``simulate`` to ``app``."""
    app.command("simulate")(simulate_command)


__all__ = ["register", "simulate_command"]
