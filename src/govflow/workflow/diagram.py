"""Draw a workflow as a Mermaid state diagram, for READMEs and docs.

The output is deterministic (states and moves in declaration order), so a test can check that a
README's diagram is the one the code would draw today.
"""

from __future__ import annotations

from govflow.workflow.spec import Workflow


def _node(name: str) -> str:
    # Mermaid state ids may not contain '-' or spaces; labels carry the human name.
    return name.replace("-", "_").replace(" ", "_")


def _text(text: str) -> str:
    return text.replace(":", "：").replace('"', "'")


def workflow_to_mermaid(workflow: Workflow) -> str:
    """The ``stateDiagram-v2`` source of ``workflow``: one node per state (labelled with its
    Chinese label when it has one), one arrow per move, timeout moves marked with ⏱."""
    lines = ["stateDiagram-v2", f"    [*] --> {_node(workflow.initial)}"]
    for state in workflow.states:
        label = _text(state.label or state.name)
        lines.append(f'    state "{label}" as {_node(state.name)}')
    for move in workflow.transitions:
        text = _text(move.label or move.trigger)
        if move.on_timeout:
            text = f"⏱ {text}"
        lines.extend(f"    {_node(s)} --> {_node(move.destination)}: {text}" for s in move.sources)
    lines.extend(f"    {_node(s.name)} --> [*]" for s in workflow.states if s.terminal)
    return "\n".join(lines) + "\n"


__all__ = ["workflow_to_mermaid"]
