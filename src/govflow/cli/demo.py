"""``govflow demo``: a month of 蚌山区's closed loop, simulated, with the seeds' figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from govflow.cli._output import fail, output, percent
from govflow.cli.records import figures_table


def demo_command(
    ctx: typer.Context,
    *,
    issues: Annotated[int, typer.Option(min=1, help="issues to simulate")] = 600,
    days: Annotated[int, typer.Option(min=1, help="simulated days")] = 30,
    seed: Annotated[int, typer.Option(help="the same seed, the same log")] = 2024,
    database: Annotated[
        Path,
        typer.Option(
            "--database", "-d", help="SQLite file to keep the record in (replaced if it exists)"
        ),
    ] = Path("govflow-demo.db"),
    top: Annotated[int, typer.Option(min=1, help="communities to show")] = 10,
) -> None:
    """Simulate a month of 蚌山区 (Bengbu)'s closed loop and report on it.

    Loads 蚌山区 from the shipped division table, simulates residents' issues through the
    closed loop, prints the accountability figures and verifies every issue's audit log.
    """
    from govflow.demo import MIN_SAMPLE, run_demo  # noqa: PLC0415  (loads the district's data)
    from govflow.store.sql import SQLStore  # noqa: PLC0415  (imports SQLAlchemy)

    out = output(ctx)
    if database.is_dir():
        fail(f"{database} is a folder; give the path of a SQLite file")
    for stale in (database, *(Path(f"{database}{end}") for end in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    with (
        out.err.status(f"simulating {issues} issues over {days} days in 蚌山区..."),
        SQLStore(f"sqlite:///{database}") as store,
    ):
        result = run_demo(store, issues=issues, days=days, seed=seed)
    sim, total = result.simulation, result.report.total
    out.print("[bold]蚌山区 (Bengbu) — closed loop, simulated[/bold]")
    out.print(
        f"{sim.opened} issues opened, {sim.moves} moves ({sim.deadline_moves} by the deadline "
        "clock)"
    )
    out.print(
        f"办结率 completion {percent(total.completion_rate)}   on time "
        f"{percent(total.on_time_rate)}   满意率 satisfaction {percent(total.satisfaction_rate)}"
    )
    ranking = result.report.rank(min_sample=MIN_SAMPLE)
    by_group = {figures.group: figures for figures in result.report.groups}
    ranked = [by_group[group] for group in ranking.order()]
    out.print(
        figures_table(
            f"Communities ranked by 综合得分 (top {min(top, len(ranked))} of {len(ranked)} with "
            f"at least {MIN_SAMPLE} issues; {len(ranking.too_small)} with fewer, not ranked)",
            ranked[:top],
        )
    )
    out.print(f"Audit log: {result.events_verified} events verified, every hash chain intact.")
    out.print(f"The record is in {database} (SQLite).")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_command)


__all__ = ["demo_command", "register"]
