"""Default deadlines: a state's time limit counted in plain elapsed time from entering it.

Registered ``trylast`` so that a calendar plugin (working days, holidays) answers first.
"""

from __future__ import annotations

from datetime import datetime

from govflow.hookspecs import hookimpl
from govflow.workflow.spec import State


@hookimpl(trylast=True)
def govflow_deadline(state: State, entered_at: datetime) -> datetime | None:
    return None if state.time_limit is None else entered_at + state.time_limit
