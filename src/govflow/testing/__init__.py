"""Testing govflow workflows: the pytest plugin's pieces, usable without pytest too.

The pytest plugin itself is :mod:`govflow.testing.pytest_plugin` (loaded automatically through
the ``pytest11`` entry point); it provides the fixtures ``govflow_engine``, ``fake_clock``,
``hook_recorder``, ``fixed_calendar`` and ``org_factory`` and the ``--govflow-coverage``
option. Calendar and clock helpers are in :mod:`govflow.testing.calendar`. Hypothesis
strategies live in :mod:`govflow.testing.strategies` (they need hypothesis installed).
"""

from govflow.season import play as play_story
from govflow.testing.calendar import (
    advance_working_days,
    advance_working_hours,
    fixed_calendar,
    overall_due,
    past,
)
from govflow.testing.coverage import CoverageCollector, RecordingEngine, WorkflowCoverage
from govflow.testing.ledgers import record_on_days, tamper
from govflow.testing.org import build_org, parse_org
from govflow.testing.recorder import HookCall, HookRecorder
from govflow.testing.scenario import Scenario, format_history

__all__ = [
    "CoverageCollector",
    "HookCall",
    "HookRecorder",
    "RecordingEngine",
    "Scenario",
    "WorkflowCoverage",
    "advance_working_days",
    "advance_working_hours",
    "build_org",
    "fixed_calendar",
    "format_history",
    "overall_due",
    "parse_org",
    "past",
    "play_story",
    "record_on_days",
    "tamper",
]
