"""Charts and workflow diagrams as inline SVG, drawn in Python: the report needs no script,
no font and no network to show them."""

from __future__ import annotations

import math
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from html import escape

from govflow.workflow.spec import StateKind, Workflow

#: Line colours, in series order (colour-blind safe: Okabe-Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")

_KIND_FILL = {
    StateKind.OPEN: "#e8f1fb",
    StateKind.PROCESSING: "#fff4e0",
    StateKind.DELIBERATION: "#f3e8fb",
    StateKind.FEEDBACK: "#e6f6ef",
    StateKind.CLOSED: "#d9f2d9",
    StateKind.CANCELLED: "#eeeeee",
}


def text_width(text: str, size: float) -> float:
    """Roughly how wide ``text`` is at font ``size``: a Chinese character is twice a letter."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.55 for c in text)


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    exponent = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * exponent:
            return step * exponent
    return 10.0 * exponent


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    y_max: float | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    width: int = 720,
    height: int = 260,
) -> str:
    """A line chart of ``series`` (name → one value per x label; None: no point)."""
    left, right, top, bottom = 56, 16, 34, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for points in series.values() for v in points if v is not None]
    ceiling = y_max if y_max is not None else _nice_max(max(values, default=1.0))
    count = max(len(x_labels), 2)

    def x(i: int) -> float:
        return left + plot_w * i / (count - 1)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / ceiling)

    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        ),
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="20" class="chart-title">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = ceiling * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'class="grid"/><text x="{left - 6}" y="{y(value) + 4:.1f}" class="axis" '
            f'text-anchor="end">{escape(y_format(value))}</text>'
        )
    step = max(1, len(x_labels) // 8)
    parts.extend(
        f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" class="axis" '
        f'text-anchor="middle">{escape(x_labels[i])}</text>'
        for i in range(0, len(x_labels), step)
    )
    for number, (name, points) in enumerate(series.items()):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for i, point in enumerate(points):
            if point is None:
                runs.append([])
            else:
                runs[-1].append(f"{x(i):.1f},{y(min(point, ceiling)):.1f}")
        parts.extend(
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
            f'stroke-width="2" class="series"/>'
            for run in runs
            if run
        )
        legend_x = left + number * 170
        parts.append(
            f'<rect x="{legend_x}" y="{height - 16}" width="12" height="4" fill="{colour}"/>'
            f'<text x="{legend_x + 16}" y="{height - 11}" class="axis">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    title: str,
    bars: Sequence[tuple[str, float | None]],
    *,
    value_format: Callable[[float], str] = lambda v: f"{v:.1%}",
    maximum: float = 1.0,
    width: int = 720,
) -> str:
    """Horizontal bars, one per (label, value), values from 0 to ``maximum``."""
    label_w = max((text_width(label, 13) for label, _ in bars), default=40) + 16
    row, top = 24, 34
    height = top + row * len(bars) + 10
    plot_w = width - label_w - 70
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        ),
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="20" class="chart-title">{escape(title)}</text>',
    ]
    for i, (label, value) in enumerate(bars):
        y = top + i * row
        shown = 0.0 if value is None else max(0.0, min(value, maximum)) / maximum
        parts.append(
            f'<text x="{label_w - 8:.0f}" y="{y + 15}" class="label" text-anchor="end">'
            f"{escape(label)}</text>"
            f'<rect x="{label_w:.0f}" y="{y + 3}" width="{plot_w * shown:.1f}" height="16" '
            f'fill="{PALETTE[0]}" class="bar"/>'
            f'<text x="{label_w + plot_w * shown + 6:.1f}" y="{y + 15}" class="axis">'
            f"{'-' if value is None else escape(value_format(value))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _layers(workflow: Workflow) -> dict[str, int]:
    """Each state's column: its distance from the initial state (unreachable ones last)."""
    depth = {workflow.initial: 0}
    queue = deque([workflow.initial])
    while queue:
        state = queue.popleft()
        for move in workflow.outgoing(state):
            if move.destination not in depth:
                depth[move.destination] = depth[state] + 1
                queue.append(move.destination)
    last = max(depth.values(), default=0) + 1
    return {s.name: depth.get(s.name, last) for s in workflow.states}


def state_diagram(workflow: Workflow) -> str:
    """The workflow as a state diagram: states in columns by distance from the initial state,
    coloured by kind; forward moves as arrows, moves back as arcs below, ⏱ for the clock's."""
    layers = _layers(workflow)
    columns: dict[int, list[str]] = {}
    for state in workflow.states:
        columns.setdefault(layers[state.name], []).append(state.name)
    labels = {s.name: s.label or s.name for s in workflow.states}
    box_w = max(text_width(label, 13) for label in labels.values()) + 24
    box_h, gap_x, gap_y, margin = 40, 70, 44, 24
    rows = max(len(names) for names in columns.values())
    width = margin * 2 + len(columns) * box_w + (len(columns) - 1) * gap_x
    height = margin * 2 + rows * box_h + (rows - 1) * gap_y + 80
    place: dict[str, tuple[float, float]] = {}
    for column, names in sorted(columns.items()):
        for row, name in enumerate(names):
            place[name] = (margin + column * (box_w + gap_x), margin + 20 + row * (box_h + gap_y))
    kinds = {s.name: s.kind for s in workflow.states}
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="diagram" role="img" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">'
        ),
        f"<title>{escape(workflow.label or workflow.name)}</title>",
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
            'fill="#555"/></marker></defs>'
        ),
    ]
    for number, move in enumerate(workflow.transitions):
        name = ("⏱ " if move.on_timeout else "") + move.trigger
        for source in move.sources:
            sx, sy = place[source]
            dx, dy = place[move.destination]
            dash = ' stroke-dasharray="4 3"' if move.on_timeout else ""
            if source == move.destination:
                cx = sx + box_w / 2
                path = (
                    f"M{cx - 12:.1f},{sy} C{cx - 30:.1f},{sy - 34} {cx + 30:.1f},{sy - 34} "
                    f"{cx + 12:.1f},{sy}"
                )
                label_at = (cx, sy - 30)
            elif layers[move.destination] > layers[source]:
                x1, y1 = sx + box_w, sy + box_h / 2
                x2, y2 = dx, dy + box_h / 2
                path = (
                    f"M{x1:.1f},{y1:.1f} C{x1 + 30:.1f},{y1:.1f} {x2 - 30:.1f},{y2:.1f} "
                    f"{x2:.1f},{y2:.1f}"
                )
                label_at = ((x1 + x2) / 2, (y1 + y2) / 2 - 5)
            else:
                x1, y1 = sx + box_w / 2, sy + box_h
                x2, y2 = dx + box_w / 2, dy + box_h
                low = max(y1, y2) + 30 + 8 * (number % 4)
                path = (
                    f"M{x1:.1f},{y1:.1f} C{x1:.1f},{low:.1f} {x2:.1f},{low:.1f} {x2:.1f},{y2:.1f}"
                )
                label_at = ((x1 + x2) / 2, low - 4)
            parts.append(
                f'<path d="{path}" fill="none" stroke="#555" stroke-width="1.3"{dash} '
                f'marker-end="url(#arrow)" class="move"><title>{escape(move.label or name)}'
                f"</title></path>"
                f'<text x="{label_at[0]:.1f}" y="{label_at[1]:.1f}" class="move-label" '
                f'text-anchor="middle">{escape(name)}</text>'
            )
    for name, (x, y) in place.items():
        kind = kinds[name]
        stroke = "#222" if name == workflow.initial else "#777"
        parts.append(
            f'<g class="state"><rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" '
            f'height="{box_h}" rx="8" fill="{_KIND_FILL.get(kind, "#fff")}" stroke="{stroke}"'
            f'/><text x="{x + box_w / 2:.1f}" y="{y + 17:.1f}" text-anchor="middle" '
            f'class="state-label">{escape(labels[name])}</text><text x="{x + box_w / 2:.1f}" '
            f'y="{y + 32:.1f}" text-anchor="middle" class="state-name">{escape(name)}'
            f"</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


__all__ = ["PALETTE", "bar_chart", "line_chart", "state_diagram", "text_width"]
