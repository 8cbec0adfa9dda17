"""Authority from the organization: who may act, where, and for whom.

With an org graph, who may do what is derived from posts (role × unit) in the graph, never from
what a caller claims:

* :mod:`~govflow.authority.identity` resolves a person id (or one of the person's accounts) to
  a :class:`Principal`: their posts, units and attributes;
* :mod:`~govflow.authority.scope` says where a post counts for an issue (the transition's
  :class:`~govflow.workflow.spec.Scope`: the issue's location and the units whose jurisdiction
  covers it, an assigned unit, a unit a plugin names, anywhere);
* :mod:`~govflow.authority.conflicts` holds separation of duties by person and the declarable
  conflict-of-interest rules;
* :mod:`~govflow.authority.bodies` resolves deliberating bodies at the issue's location and
  freezes them into the log;
* :mod:`~govflow.authority.privacy` scopes reads and redacts personal data (PIPL);
* :mod:`~govflow.authority.coverage` proves statically that an org can staff a workflow;
* :func:`lives_in` says whether a resident lives in a unit (residents' guards);
* :func:`who_may` lists the people the engine would let make a move (simulations, tests);
* :class:`Authority` is what the engine calls.

Without an org graph, an explicit ``Actor(id, roles=...)`` keeps working as it always did.
"""

from govflow.authority.bodies import BodyResolver, unit_composition
from govflow.authority.candidates import who_may
from govflow.authority.conflicts import ConflictContext, ConflictRule, handling_units
from govflow.authority.coverage import authority_checks, authority_problems
from govflow.authority.identity import ACCOUNTS, Directory, Principal, home_of, lives_in
from govflow.authority.policy import Authority
from govflow.authority.privacy import redact_event, redact_issue
from govflow.authority.scope import covers, jurisdiction

__all__ = [
    "ACCOUNTS",
    "Authority",
    "BodyResolver",
    "ConflictContext",
    "ConflictRule",
    "Directory",
    "Principal",
    "authority_checks",
    "authority_problems",
    "covers",
    "handling_units",
    "home_of",
    "jurisdiction",
    "lives_in",
    "redact_event",
    "redact_issue",
    "unit_composition",
    "who_may",
]
