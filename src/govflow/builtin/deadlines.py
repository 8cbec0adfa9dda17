"""Default deadlines: a state's limit for the issue (its table row, else its ``time_limit``),
counted by the engine's business calendar (working days, holidays, office hours).

Registered ``trylast`` so that a plugin answering ``govflow_deadline`` itself is asked first;
most plugins change the limit tables (``govflow_limit_tables``) instead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from govflow.hookspecs import hookimpl
from govflow.workflow.durations import Duration


@hookimpl(trylast=True)
def govflow_deadline(
    entered_at: datetime,
    limit: Duration | None,
    due_time: Callable[[Duration, datetime], datetime],
) -> datetime | None:
    return None if limit is None else due_time(limit, entered_at)
