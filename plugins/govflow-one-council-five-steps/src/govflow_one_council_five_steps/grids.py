"""三类网格 and 网格赋码: three kinds of grid, each with its code (seed 004).

Seed 004: "科学划分三类网格。统筹考虑辖区居民数量、服务半径、治理难度等情况,优化调整网格设置,
建立网格动态调整机制,严格实施网格赋码编号管理。" and "制定3类网格员职责清单". The seed does not
name the three kinds; this plugin's defaults are the residential grid (小区网格), the
commercial-district grid (商圈网格, the seed's "探索商圈治理") and the unit grid (单位网格: schools,
hospitals, enterprises). A grid added with :func:`add_grid` gets the next free code below its
community's (the 15-digit grid layout: the community's 12 digits and a 3-digit grid number), and
its kind as the attribute ``grid_type``.
"""

from __future__ import annotations

from govflow import OrgGraph, Unit
from govflow.org.codes import BEIJING_GRID_15, DIVISION_12, derive

#: The three kinds of grid (三类网格), by the value of the attribute ``grid_type``.
GRID_TYPES = {"residential": "小区网格", "commercial": "商圈网格", "unit": "单位网格"}


def add_grid(org: OrgGraph, grid_id: str, name: str, *, community: str, grid_type: str) -> Unit:
    """Add a grid of ``grid_type`` to ``community``, coded (网格赋码) with the next free grid
    number below the community's code."""
    if grid_type not in GRID_TYPES:
        raise ValueError(f"grid type {grid_type!r} is not one of {sorted(GRID_TYPES)}")
    parent = org.unit(community)
    if parent.kind != "community":
        raise ValueError(f"{community!r} is not a community")
    code = None
    if parent.code is not None:
        number = 1
        while True:  # the next free grid number below the community's code
            code = derive(parent.code, DIVISION_12, BEIJING_GRID_15, "grid", number)
            if org.find_code(code) is None:
                break
            number += 1
    attributes = {"grid_type": grid_type}
    return org.add_unit(grid_id, "grid", name, parent=community, code=code, attributes=attributes)


def grid_gaps(org: OrgGraph, *, under: str | None = None) -> list[tuple[Unit, str]]:
    """Every grid (under ``under``) without a code or without one of the three types, and why."""
    gaps: list[tuple[Unit, str]] = []
    for grid in org.units(kind="grid", under=under):
        if grid.code is None:
            gaps.append((grid, "no code (网格赋码)"))
        if grid.attributes.get("grid_type") not in GRID_TYPES:
            gaps.append((grid, "no grid type (三类网格)"))
    return gaps


__all__ = ["GRID_TYPES", "add_grid", "grid_gaps"]
