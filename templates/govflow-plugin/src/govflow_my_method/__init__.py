"""My locality's method (我们的工作法), as a govflow plugin: a template to copy.

A resident raises a matter (居民说事); the community's two committees (两委) take it up and hand
it to a handler; the handler reports back (反馈); the resident judges the result (评议). A
matter nobody judges in three days closes unrated; a matter left in handling past its time
limit goes under supervision (督办).
"""

from __future__ import annotations

from collections.abc import Mapping

from govflow import (
    Guard,
    MoveContext,
    Relation,
    State,
    StateKind,
    Transition,
    Workflow,
    hookimpl,
)

__version__ = "0.1.0"
#: The name this plugin registers under, whether found by entry point or passed explicitly.
govflow_name = "my-method"

#: The roles this method's moves name.
COMMITTEES = "two_committees"
HANDLER = "handler"


def rated(context: MoveContext) -> bool:
    """The resident's judgement is one of the three the seeds count (满意/基本满意/不满意)."""
    return context.payload.get("satisfaction") in (
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
    )


MY_METHOD = Workflow(
    "my-method",
    label="我们的工作法 my method",
    initial="raised",
    states=[
        State("raised", "居民说事", StateKind.OPEN, time_limit="1d"),
        State("handling", "办理", StateKind.PROCESSING, time_limit="3d"),
        State("supervised", "督办", StateKind.PROCESSING, time_limit="2d"),
        State("reported", "反馈", StateKind.FEEDBACK, time_limit="3d"),
        State("closed", "办结", StateKind.CLOSED),
    ],
    transitions=[
        Transition(
            "take_up", "raised", "handling", roles={COMMITTEES}, assigns=True, label="两委受理"
        ),
        Transition("overdue", "handling", "supervised", on_timeout=True, label="逾期督办"),
        Transition("report", "handling", "reported", requires={Relation.ASSIGNEE}, label="反馈"),
        Transition(
            "report_late",
            "supervised",
            "reported",
            requires={Relation.ASSIGNEE},
            label="督办后反馈",
        ),
        Transition("escalate_again", "supervised", "supervised", on_timeout=True, label="再次督办"),
        Transition(
            "judge",
            "reported",
            "closed",
            requires={Relation.REPORTER},
            evaluation=True,
            guards="my-method:rated",
            label="居民评议",
        ),
        Transition("close_unrated", "reported", "closed", on_timeout=True, label="逾期未评"),
    ],
)


@hookimpl
def govflow_workflows() -> list[Workflow]:
    """The method's workflow."""
    return [MY_METHOD]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    """The guards the workflow names."""
    return {"my-method:rated": rated}


__all__ = ["COMMITTEES", "HANDLER", "MY_METHOD", "govflow_guards", "govflow_workflows", "rated"]
