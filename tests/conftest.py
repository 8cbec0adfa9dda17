"""Shared fixtures for govflow's own suite: a frozen clock, the cast of the closed loop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from govflow import Actor, Engine, ManualClock

START = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def engine(clock: ManualClock) -> Engine:
    """An engine with only the built-ins: hermetic whatever else is installed."""
    return Engine(clock=clock, autoload=False)


class Cast:
    """The people of the closed loop: a resident reports, the centre files and dispatches,
    a grid worker handles, an inspector verifies."""

    resident = Actor("resident-wang", name="王阿姨")
    neighbour = Actor("resident-li", name="李师傅")
    operator = Actor("op-1", roles={"operator"}, name="受理员")
    dispatcher = Actor("disp-1", roles={"dispatcher"}, name="派遣员")
    worker = Actor("grid-7", roles={"grid_worker"}, name="网格员")
    inspector = Actor("insp-1", roles={"inspector"}, name="核查员")


@pytest.fixture
def cast() -> type[Cast]:
    return Cast
