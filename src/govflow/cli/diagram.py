"""``govflow diagram``: a registered workflow as a Mermaid state diagram or a DOT graph."""

from __future__ import annotations

from typing import Annotated

import typer

from govflow.cli._options import JsonOption, NoAutoloadOption, engine_on
from govflow.cli._output import fail, output
from govflow.errors import UnknownWorkflowError


def diagram_command(
    ctx: typer.Context,
    *,
    workflow: Annotated[str, typer.Argument(help="a workflow name, e.g. closed-loop")],
    version: Annotated[
        int | None, typer.Option(help="the workflow's version (default: the latest)", min=1)
    ] = None,
    as_json: JsonOption = False,
    no_autoload: NoAutoloadOption = False,
    dot: Annotated[
        bool, typer.Option("--dot", help="draw Graphviz DOT instead of Mermaid")
    ] = False,
) -> None:
    """Print a registered workflow as a Mermaid state diagram (or, with --dot, DOT): joins,
    guarded destinations, links and moves across levels included."""
    from govflow.workflow.diagram import workflow_to_dot, workflow_to_mermaid  # noqa: PLC0415

    out = output(ctx)
    engine = engine_on(autoload=not no_autoload)
    try:
        found = engine.workflow(workflow, version)
    except UnknownWorkflowError as err:
        fail(f"{err}; registered: {', '.join(sorted(engine.workflows))}")
    drawing = workflow_to_dot(found) if dot else workflow_to_mermaid(found)
    if as_json:
        out.json(
            {
                "workflow": found.name,
                "version": found.version,
                "plugin": engine.workflow_plugin(found.name, found.version),
                "dot" if dot else "mermaid": drawing,
            }
        )
    else:
        out.text(drawing)


def register(app: typer.Typer) -> None:
    """Add ``diagram`` to ``app``."""
    app.command("diagram")(diagram_command)


__all__ = ["diagram_command", "register"]
