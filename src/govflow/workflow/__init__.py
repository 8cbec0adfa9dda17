"""Workflow specs, their loading from data, and their compilation onto state machines."""

from govflow.workflow.diagram import workflow_to_dot, workflow_to_mermaid
from govflow.workflow.durations import format_duration, parse_duration
from govflow.workflow.joins import Branch, Join, Link, Update
from govflow.workflow.load import workflow_from_dict, workflow_from_toml, workflow_to_dict
from govflow.workflow.machine import Guard, MoveContext
from govflow.workflow.spec import (
    Body,
    Channel,
    Opening,
    Privacy,
    Relation,
    Scope,
    State,
    StateKind,
    Transition,
    Workflow,
)

__all__ = [
    "Body",
    "Branch",
    "Channel",
    "Guard",
    "Join",
    "Link",
    "MoveContext",
    "Opening",
    "Privacy",
    "Relation",
    "Scope",
    "State",
    "StateKind",
    "Transition",
    "Update",
    "Workflow",
    "format_duration",
    "parse_duration",
    "workflow_from_dict",
    "workflow_from_toml",
    "workflow_to_dict",
    "workflow_to_dot",
    "workflow_to_mermaid",
]
