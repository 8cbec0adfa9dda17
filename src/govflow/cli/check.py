"""``govflow check``: verify workflows statically, as text, JSON or SARIF."""

from __future__ import annotations

import enum
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import attrs
import typer
from rich.markup import escape

from govflow.cli._options import JsonOption, NoAutoloadOption, engine_on
from govflow.cli._output import fail, output
from govflow.errors import GovflowError, UnknownWorkflowError
from govflow.workflow.check import CheckReport, check, plugin_checks

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


class Format(enum.StrEnum):
    """How ``govflow check`` prints its reports."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def load_data(path: Path) -> dict[str, Any]:
    """A workflow's plain data from a ``.toml`` or ``.json`` file."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import tomllib  # noqa: PLC0415  (only this branch needs it)

            data = tomllib.loads(text)
    except (OSError, ValueError) as err:
        fail(f"cannot read {path}: {err}")
    if not isinstance(data, dict):
        fail(f"cannot read {path}: a workflow file holds one table")
    return data


def report_data(report: CheckReport, artifact: str) -> dict[str, Any]:
    """One report as JSON data: the workflow, where it came from, the rules, the problems."""
    return {
        "workflow": report.workflow,
        "version": report.version,
        "source": artifact,
        "ok": report.ok,
        "rules": list(report.rules),
        "problems": [
            {
                "rule": p.rule,
                "message": p.message,
                "path": [attrs.asdict(step) for step in p.path],
            }
            for p in report.problems
        ],
    }


def sarif(reports: Sequence[tuple[CheckReport, str]], version: str) -> dict[str, Any]:
    """Reports as a SARIF 2.1.0 log, which code-scanning tools (GitHub's among them) read.

    Each problem is a result of level ``error`` at its artifact (the workflow file, or
    ``workflow:NAME`` for a registered one), its counterexample path in the message."""
    rules = sorted(
        {rule for report, _ in reports for rule in report.rules}
        | {p.rule for report, _ in reports for p in report.problems}
    )
    results = []
    for report, artifact in reports:
        for problem in report.problems:
            text = problem.message
            if problem.path:
                text += f" (path: {problem.format_path()})"
            results.append(
                {
                    "ruleId": problem.rule,
                    "ruleIndex": rules.index(problem.rule),
                    "level": "error",
                    "message": {"text": text},
                    "locations": [
                        {
                            "physicalLocation": {"artifactLocation": {"uri": artifact}},
                            "logicalLocations": [{"name": report.workflow, "kind": "workflow"}],
                        }
                    ],
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "govflow",
                        "version": version,
                        "informationUri": "https://github.com/govflow/govflow",
                        "rules": [{"id": rule} for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }


def check_command(
    ctx: typer.Context,
    *,
    targets: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[TARGET]...",
            help="registered workflow names or .toml/.json files (default: every registered)",
            show_default=False,
        ),
    ] = None,
    roles: Annotated[
        str | None,
        typer.Option(
            metavar="A,B,...",
            help="the roles the org schema declares; transitions naming others are problems",
        ),
    ] = None,
    output_format: Annotated[
        Format, typer.Option("--format", "-f", help="text for people, json or sarif for tools")
    ] = Format.TEXT,
    as_json: JsonOption = False,
    no_autoload: NoAutoloadOption = False,
    org: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="an org graph (JSON: units, people, links): also prove every role a workflow "
            "needs is held in scope at every unit, and that evaluators are not the routed workers",
        ),
    ] = None,
) -> int:
    """Verify workflows statically: reachability, the closed loop, separation of duties...

    With ``--org``, also role coverage per unit and separation of duties per person on that
    organization (govflow.authority.coverage). Exits 1 if any workflow has a problem.
    """
    from govflow import __version__  # noqa: PLC0415  (govflow imports heavier modules)

    out = output(ctx)
    declared = None if roles is None else frozenset(r.strip() for r in roles.split(",") if r)
    engine = engine_on(autoload=not no_autoload)
    extra = plugin_checks(engine)
    if org is not None:
        from govflow.authority.coverage import authority_checks, load_org  # noqa: PLC0415

        try:
            graph = load_org(org, engine.plugins.org_schema())
        except GovflowError as err:
            fail(f"cannot load the org {org}: {err}")
        extra = [*extra, *authority_checks(graph)]
    reports: list[tuple[CheckReport, str]] = []
    for target in targets or sorted(engine.workflows):
        path = Path(target)
        if path.suffix.lower() in (".toml", ".json") or path.is_file():
            reports.append((check(load_data(path), declared, checks=extra), str(path)))
            continue
        try:
            workflow = engine.workflow(target)
        except UnknownWorkflowError:
            known = ", ".join(sorted(engine.workflows)) or "none"
            fail(f"no workflow or file {target!r} (registered: {known})")
        reports.append((check(workflow, declared, checks=extra), f"workflow:{target}"))
    failed = sum(not report.ok for report, _ in reports)
    if as_json:
        output_format = Format.JSON
    if output_format is Format.JSON:
        out.json([report_data(report, artifact) for report, artifact in reports])
    elif output_format is Format.SARIF:
        out.json(sarif(reports, __version__))
    else:
        for report, _ in reports:
            style = "green" if report.ok else "red"
            out.print(f"[{style}]{escape(report.format())}[/{style}]")
        out.print(f"{len(reports)} workflow(s) checked, {failed} with problems")
    return 1 if failed else 0


def register(app: typer.Typer) -> None:
    """Add ``check`` to ``app``."""
    app.command("check")(check_command)


__all__ = ["Format", "check_command", "load_data", "register", "report_data", "sarif"]
