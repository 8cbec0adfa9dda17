"""``check``, ``diagram`` and ``plugins``: what is installed and what it looks like, as tables
for people and JSON (or SARIF) for programs."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from govflow import CLOSED_LOOP, Engine, workflow_to_mermaid
from govflow.cli.records import figures_table
from govflow.metrics import Figures
from tests.cli.conftest import Runner

BROKEN = """
name = "broken"
initial = "collected"
[[states]]
name = "collected"
[[states]]
name = "closed"
kind = "closed"
[[states]]
name = "orphan"
[[transitions]]
trigger = "close"
source = "collected"
dest = "closed"
roles = ["operator"]
"""


def test_plugins_lists_builtins_with_versions_hooks_and_workflows(govflow: Runner) -> None:
    run = govflow("plugins", "--no-autoload", "--json")
    assert run.status == 0
    rows = {row["name"]: row for row in run.json()}
    assert set(rows) == {"govflow.closed_loop", "govflow.deadlines", "govflow.routing"}
    assert rows["govflow.closed_loop"]["version"] == "0.1.0"
    assert rows["govflow.closed_loop"]["workflows"] == ["closed-loop v1"]
    assert rows["govflow.deadlines"]["hooks"] == ["govflow_deadline"]
    assert rows["govflow.routing"]["workflows"] == []


def test_plugins_table_shows_the_installed_methods(govflow: Runner) -> None:
    run = govflow("plugins")
    assert run.status == 0
    assert "four-deliberations" in run.out
    assert "six-things v1" in run.out
    assert "govflow_classify" in run.out  # one-group-one-council routes its five categories


def test_diagram_prints_a_registered_workflow_as_mermaid(govflow: Runner) -> None:
    run = govflow("diagram", "closed-loop", "--no-autoload")
    assert run.status == 0
    assert run.out == workflow_to_mermaid(CLOSED_LOOP)


def test_diagram_as_json_names_the_plugin(govflow: Runner) -> None:
    data = govflow("diagram", "six-things", "--json").json()
    assert data["workflow"] == "six-things"
    assert data["plugin"] == "six-things"
    assert data["mermaid"].startswith("stateDiagram-v2")


def test_diagram_of_an_unknown_workflow_names_the_known_ones(govflow: Runner) -> None:
    run = govflow("diagram", "nope", "--no-autoload")
    assert (run.status, run.out) == (2, "")
    assert run.err.startswith("govflow diagram: no workflow 'nope'")
    assert "registered: closed-loop" in run.err


def test_diagram_refuses_a_version_below_one(govflow: Runner) -> None:
    run = govflow("diagram", "closed-loop", "--version", "0")
    assert run.status == 2
    assert "--version" in run.err


def test_check_every_registered_workflow(govflow: Runner) -> None:
    run = govflow("check")
    assert run.status == 0
    assert "closed-loop v1: ok" in run.out
    installed = len(Engine().workflows)  # the built-ins and every installed method plugin
    assert f"{installed} workflow(s) checked, 0 with problems" in run.out


def test_check_a_broken_file_reports_its_problems_and_exits_1(
    govflow: Runner, tmp_path: Path
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    run = govflow("check", str(path), "--json")
    assert run.status == 1
    (report,) = run.json()
    assert report["workflow"] == "broken"
    assert report["source"] == str(path)
    assert report["ok"] is False
    assert "reachable" in {p["rule"] for p in report["problems"]}  # the orphan state


def test_check_as_sarif(govflow: Runner, tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    run = govflow("check", str(path), "closed-loop", "--format", "sarif")
    assert run.status == 1
    log = run.json()
    assert log["version"] == "2.1.0"
    (sarif_run,) = log["runs"]
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    results = sarif_run["results"]
    assert results
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == str(path)  # the closed loop has no problem to report


def test_check_bad_arguments_are_one_line(govflow: Runner, tmp_path: Path) -> None:
    unknown = govflow("check", "nope")
    assert unknown.status == 2
    assert unknown.err.startswith("govflow check: no workflow or file 'nope'")
    missing = govflow("check", str(tmp_path / "missing.toml"))
    assert missing.status == 2
    assert missing.err.startswith("govflow check: cannot read")
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{", encoding="utf-8")
    assert govflow("check", str(garbled)).status == 2
    bad_format = govflow("check", "--format", "xml")
    assert bad_format.status == 2
    assert "xml" in bad_format.err


def test_tables_align_chinese_names() -> None:
    console = Console(width=120, file=None, record=True)
    ranked = [
        Figures("幸福社区居民委员会", 10, 0, 9, 8, 5, 5),
        Figures("Gate 7 community", 3, 0, 1, 1, 0, 0),
    ]
    with console.capture() as captured:
        console.print(figures_table("ranked", ranked))
    lines = [line for line in captured.get().splitlines() if line.strip()][1:]
    assert len({cell_len(line) for line in lines}) == 1
