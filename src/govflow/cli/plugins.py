"""``govflow plugins``: the plugins an engine loads, their versions, hooks and workflows."""

from __future__ import annotations

from typing import Any

import typer

from govflow.cli._options import JsonOption, NoAutoloadOption, engine_on
from govflow.cli._output import output, table


def plugins_command(
    ctx: typer.Context, as_json: JsonOption = False, no_autoload: NoAutoloadOption = False
) -> None:
    """List the plugins an engine loads: versions, the hooks each implements, workflows."""
    out = output(ctx)
    engine = engine_on(autoload=not no_autoload)
    contributed: dict[str, list[str]] = {}
    for workflow in engine.workflows.values():
        plugin = engine.workflow_plugin(workflow.name)
        contributed.setdefault(plugin, []).append(f"{workflow.name} v{workflow.version}")
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "version": engine.plugins.ref(name).version,
            "hooks": engine.plugins.hooks(name),
            "workflows": contributed.get(name, []),
        }
        for name in engine.plugins.names()
    ]
    if as_json:
        out.json(rows)
        return
    out.print(
        table(
            f"{len(rows)} plugins",
            ["plugin", "version", "hooks", "workflows"],
            (
                [
                    row["name"],
                    row["version"],
                    "\n".join(row["hooks"]) or None,
                    ", ".join(row["workflows"]) or None,
                ]
                for row in rows
            ),
        )
    )


def register(app: typer.Typer) -> None:
    """Add ``plugins`` to ``app``."""
    app.command("plugins")(plugins_command)


__all__ = ["plugins_command", "register"]
