"""``govflow plugins`` and ``govflow diagram``: what is installed, what a workflow looks like."""

from __future__ import annotations

import io

from govflow import CLOSED_LOOP, Engine, workflow_to_mermaid
from govflow.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err), out.getvalue(), err.getvalue()


def test_plugins_lists_builtins_with_versions_and_workflows() -> None:
    status, out, _ = run("plugins", "--no-autoload")
    assert status == 0
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {"govflow.closed_loop", "govflow.deadlines", "govflow.routing"}
    assert "0.1.0" in lines["govflow.closed_loop"]
    assert "workflows: closed-loop v1" in lines["govflow.closed_loop"]
    assert lines["govflow.routing"].endswith("workflows: -")


def test_plugins_lists_installed_methods_found_through_the_entry_point() -> None:
    _, out, _ = run("plugins")
    assert "four-deliberations" in out
    assert "workflows: six-things v1" in out


def test_diagram_prints_a_registered_workflow_as_mermaid() -> None:
    status, out, _ = run("diagram", "closed-loop", "--no-autoload")
    assert status == 0
    assert out == workflow_to_mermaid(CLOSED_LOOP)


def test_diagram_of_an_unknown_workflow_names_the_known_ones() -> None:
    status, out, err = run("diagram", "nope", "--no-autoload")
    assert (status, out) == (2, "")
    assert "no workflow 'nope'" in err
    assert "registered: closed-loop" in err


def test_the_engine_says_which_plugin_contributed_a_workflow() -> None:
    engine = Engine(autoload=False, workflows=[])
    assert engine.workflow_plugin("closed-loop") == "govflow.closed_loop"
