"""Draw a workflow as a Mermaid state diagram, for READMEs and docs.

The output is deterministic (states and moves in declaration order), so a test can check that a
README's diagram is the one the code would draw today.
"""

from __future__ import annotations

from govflow.workflow.durations import format_duration
from govflow.workflow.spec import State, Workflow


def _node(name: str) -> str:
    # Mermaid state ids may not contain '-' or spaces; labels carry the human name.
    return name.replace("-", "_").replace(" ", "_")


def _text(text: str) -> str:
    return text.replace(":", "：").replace('"', "'")


def _limits(state: State) -> str:
    if state.time_limit is None:
        return ""
    rows = [format_duration(state.time_limit)]
    for row in state.limits:
        who = " ".join(part for part in (row.category, row.urgency) if part)
        rows.append(f"{who} {format_duration(row.limit)}")
    return " ⏱ " + ", ".join(rows)


def workflow_to_mermaid(workflow: Workflow, *, limits: bool = False) -> str:
    """The ``stateDiagram-v2`` source of ``workflow``: one node per state (labelled with its
    Chinese label when it has one), one arrow per move, timeout moves marked with ⏱.

    With ``limits``, each state's label also shows its time limit and its limit table
    (``承办 ⏱ 3wd, urgent 8wh``) and a note gives the 办结时限.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {_node(workflow.initial)}"]
    for state in workflow.states:
        label = _text((state.label or state.name) + (_limits(state) if limits else ""))
        lines.append(f'    state "{label}" as {_node(state.name)}')
    for move in workflow.transitions:
        text = _text(move.label or move.trigger)
        if move.on_timeout:
            text = f"⏱ {text}"
        lines.extend(f"    {_node(s)} --> {_node(move.destination)}: {text}" for s in move.sources)
    lines.extend(f"    {_node(s.name)} --> [*]" for s in workflow.states if s.terminal)
    overall = workflow.deadlines.overall
    if limits and overall is not None:
        lines.append(
            f"    note right of {_node(workflow.initial)}: 办结时限 {format_duration(overall)}"
        )
    return "\n".join(lines) + "\n"


__all__ = ["workflow_to_mermaid"]
