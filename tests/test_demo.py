"""``govflow demo``: the real 蚌山区, a simulated month, the seeds' figures, a verified log."""

from __future__ import annotations

import io
from pathlib import Path

from govflow.cli import main
from govflow.demo import run_demo
from govflow.store import SQLStore


def test_the_demo_reports_ranked_communities_and_a_verified_log(tmp_path: Path) -> None:
    out = io.StringIO()
    database = tmp_path / "demo.sqlite3"
    argv = ["demo", "--issues", "40", "--days", "3", "--seed", "3", "--database", str(database)]
    assert main(argv, stdout=out) == 0
    text = out.getvalue()
    assert f"The record is in {database} (SQLite)." in text
    with SQLStore(f"sqlite:///{database}") as store:
        assert len(store) == 40  # the record outlives the command
    assert text.startswith("蚌山区 (Bengbu)")
    assert "40 issues opened" in text
    assert "办结率 completion" in text
    assert "every hash chain intact" in text


def test_the_demo_is_reproducible_and_located_in_real_communities() -> None:
    first = run_demo(issues=40, days=3, seed=5)
    assert first == run_demo(issues=40, days=3, seed=5)
    names = {figures.group for figures in first.report.groups}
    assert names, "issues are grouped by community"
    assert all(name.endswith(("居民委员会", "居委会")) for name in names)  # residents committees
    assert first.events_verified == first.simulation.moves + first.simulation.opened
    # the district's staff hold their posts in the graph: people, not only the clock, move issues
    sim = first.simulation
    assert sim.moves - sim.deadline_moves > sim.opened
