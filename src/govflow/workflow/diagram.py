"""Draw a workflow as a Mermaid state diagram or a Graphviz DOT graph, for READMEs and docs.

The output is deterministic (states and moves in declaration order), so a test can check that a
README's diagram is the one the code would draw today.

Joint work is drawn as well: a join state carries its rule and its parties' limit (``⫴ all ·
2d each``) and its report move the rule that ends it; each guarded destination of a trigger
is its own arrow, labelled with its condition and bound; a move that opens child issues
points (dotted) at the child workflow it opens; a move across levels is marked ⇧ or ⇩.
"""

from __future__ import annotations

from govflow.workflow.durations import format_duration
from govflow.workflow.joins import Join
from govflow.workflow.spec import State, Transition, Workflow


def _node(name: str) -> str:
    # Mermaid state ids may not contain '-' or spaces; labels carry the human name.
    return name.replace("-", "_").replace(" ", "_")


def _text(text: str) -> str:
    return text.replace(":", "：").replace('"', "'")


def _join_text(join: Join) -> str:
    limit = "" if join.party_limit is None else f" · {format_duration(join.party_limit)} each"
    return f"⫴ parallel parties, join {join.describe()}{limit}"


def _move_text(move: Transition) -> str:
    text = move.label or move.trigger
    if move.on_timeout:
        text = f"⏱ {text}"
    if move.relocate == "up":
        text = f"⇧ {text}"
    elif move.relocate == "down":
        text = f"⇩ {text}"
    if move.max_times is not None:
        text += f" ≤{move.max_times}×"
    if move.awaits is not None:
        text += f" ⧗ awaits {move.awaits}"
    if move.updates:
        text += " {" + "; ".join(u.describe() for u in move.updates) + "}"
    return text


def _arrows(workflow: Workflow) -> list[tuple[str, str, str, bool]]:
    """Every arrow to draw: (source, destination, label, on_timeout)."""
    out: list[tuple[str, str, str, bool]] = []
    for move in workflow.transitions:
        text = _move_text(move)
        for source in move.sources:
            out.extend(
                (source, b.destination, f"{text} [{b.describe()}]", False) for b in move.branches
            )
            if move.reports:
                join = workflow.state(source).join
                rule = join.describe() if join is not None else "?"
                out.append((source, move.destination, f"{text} [join {rule}]", False))
            else:
                tail = " [otherwise]" if move.branches else ""
                out.append((source, move.destination, text + tail, move.on_timeout))
    return out


def _children(workflow: Workflow) -> list[tuple[str, str, str]]:
    """Every child a move opens: (source state, child workflow, label)."""
    return [
        (source, link.workflow, f"{move.label or move.trigger} ⇒ {link.label or link.name}")
        for move in workflow.transitions
        for link in move.opens
        for source in move.sources
    ]


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
    Chinese label when it has one), one arrow per move (and per guarded destination), timeout
    moves marked with ⏱, join states with a note of their rule, child workflows as notes.

    With ``limits``, each state's label also shows its time limit and its limit table
    (``承办 ⏱ 3wd, urgent 8wh``) and a note gives the 办结时限 and the trigger the clock fires
    when it passes.
    """
    lines = ["stateDiagram-v2", f"    [*] --> {_node(workflow.initial)}"]
    for state in workflow.states:
        label = _text((state.label or state.name) + (_limits(state) if limits else ""))
        lines.append(f'    state "{label}" as {_node(state.name)}')
    lines.extend(
        f"    note right of {_node(state.name)}: {_text(_join_text(state.join))}"
        for state in workflow.states
        if state.join is not None
    )
    lines.extend(
        f"    {_node(source)} --> {_node(dest)}: {_text(text)}"
        for source, dest, text, _ in _arrows(workflow)
    )
    lines.extend(
        f"    note left of {_node(source)}: opens {_text(child)} ({_text(text)})"
        for source, child, text in _children(workflow)
    )
    lines.extend(f"    {_node(s.name)} --> [*]" for s in workflow.states if s.terminal)
    overall = workflow.deadlines.overall
    if limits and overall is not None:
        then = workflow.deadlines.on_overdue
        passed = "" if then is None else f", then {_text(then)}"
        lines.append(
            f"    note right of {_node(workflow.initial)}: 办结时限 {format_duration(overall)}"
            + passed
        )
    return "\n".join(lines) + "\n"


def _dot(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def workflow_to_dot(workflow: Workflow) -> str:
    """The Graphviz ``digraph`` of ``workflow``: states as rounded boxes (terminal ones
    doubled, join states as stacked boxes labelled with their rule), moves as arrows (timeout
    moves dashed), and each child workflow a move opens as a folder reached by a dotted arrow."""
    lines = [
        f"digraph {_dot(workflow.name)} {{",
        "    rankdir=LR;",
        '    node [shape=box, style=rounded, fontname="sans-serif"];',
        '    edge [fontname="sans-serif"];',
        '    "__start__" [shape=point, label=""];',
        f'    "__start__" -> {_dot(workflow.initial)};',
    ]
    for state in workflow.states:
        label = state.label or state.name
        attrs = [f"label={_dot(label)}"]
        if state.join is not None:
            attrs = [f"label={_dot(label + chr(10) + _join_text(state.join))}", "shape=box3d"]
        if state.terminal:
            attrs.append("peripheries=2")
        lines.append(f"    {_dot(state.name)} [{', '.join(attrs)}];")
    for source, dest, text, timeout in _arrows(workflow):
        style = ", style=dashed" if timeout else ""
        lines.append(f"    {_dot(source)} -> {_dot(dest)} [label={_dot(text)}{style}];")
    for source, child, text in _children(workflow):
        node = _dot(f"workflow:{child}")
        lines.append(f"    {node} [shape=folder, label={_dot('⇒ ' + child)}];")
        lines.append(f"    {_dot(source)} -> {node} [label={_dot(text)}, style=dotted];")
    lines.append("}")
    return "\n".join(lines) + "\n"


__all__ = ["workflow_to_dot", "workflow_to_mermaid"]
