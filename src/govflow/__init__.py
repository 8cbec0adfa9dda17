"""govflow: workflows for party-building-led grassroots governance (党建引领基层治理).

Encode a local method once -- its states, moves, roles, deadlines and deliberations -- and run
it on one engine that routes through a real organization and keeps a tamper-evident record.
"""

from govflow import authority, errors, gates, ledgers, links, obligations
from govflow._version import __version__
from govflow.access import AccessList
from govflow.audit import replay, verify_events
from govflow.builtin.closed_loop import CLOSED_LOOP
from govflow.clock import Clock, ManualClock, SystemClock
from govflow.engine import Engine
from govflow.escalation import escalate
from govflow.gates import (
    MAJORITY_OF_ATTENDEES,
    MAJORITY_OF_MEMBERS,
    STOP,
    Gate,
    GateSequence,
    MergeRule,
    PassRule,
    Publication,
)
from govflow.hookspecs import hookimpl
from govflow.ledgers import Entry, Ledgers, LedgerSpec
from govflow.obligations import Obligation, check_obligations
from govflow.org import OrgGraph, OrgSchema, Person, Unit
from govflow.records import SYSTEM_CLOCK, Actor, Event, Issue, PluginRef
from govflow.store import MemoryStore, Store
from govflow.workflow import (
    Body,
    Branch,
    Channel,
    Guard,
    Join,
    Link,
    MoveContext,
    Opening,
    Privacy,
    Relation,
    Scope,
    State,
    StateKind,
    Transition,
    Update,
    Workflow,
    workflow_from_dict,
    workflow_from_toml,
)
from govflow.workflow.check import CheckReport, Problem, check
from govflow.workflow.diagram import workflow_to_dot, workflow_to_mermaid

__all__ = [
    "CLOSED_LOOP",
    "MAJORITY_OF_ATTENDEES",
    "MAJORITY_OF_MEMBERS",
    "STOP",
    "SYSTEM_CLOCK",
    "AccessList",
    "Actor",
    "Body",
    "Branch",
    "Channel",
    "CheckReport",
    "Clock",
    "Engine",
    "Entry",
    "Event",
    "Gate",
    "GateSequence",
    "Guard",
    "Issue",
    "Join",
    "LedgerSpec",
    "Ledgers",
    "Link",
    "ManualClock",
    "MemoryStore",
    "MergeRule",
    "MoveContext",
    "Obligation",
    "Opening",
    "OrgGraph",
    "OrgSchema",
    "PassRule",
    "Person",
    "PluginRef",
    "Privacy",
    "Problem",
    "Publication",
    "Relation",
    "Scope",
    "State",
    "StateKind",
    "Store",
    "SystemClock",
    "Transition",
    "Unit",
    "Update",
    "Workflow",
    "__version__",
    "authority",
    "check",
    "check_obligations",
    "errors",
    "escalate",
    "gates",
    "hookimpl",
    "ledgers",
    "links",
    "obligations",
    "replay",
    "verify_events",
    "workflow_from_dict",
    "workflow_from_toml",
    "workflow_to_dot",
    "workflow_to_mermaid",
]
