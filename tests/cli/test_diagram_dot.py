"""``govflow diagram --dot``: the Graphviz form of a registered workflow."""

from __future__ import annotations

from govflow import CLOSED_LOOP, workflow_to_dot
from tests.cli.conftest import Runner


def test_diagram_draws_dot(govflow: Runner) -> None:
    run = govflow("diagram", "closed-loop", "--no-autoload", "--dot")
    assert run.status == 0, run.err
    assert run.out == workflow_to_dot(CLOSED_LOOP)


def test_diagram_as_json_carries_the_dot(govflow: Runner) -> None:
    data = govflow("diagram", "closed-loop", "--no-autoload", "--dot", "--json").json()
    assert data["dot"].startswith('digraph "closed-loop" {')
