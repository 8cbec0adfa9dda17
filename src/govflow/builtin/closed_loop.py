"""The closed loop every seed method shares (收集—交办—处理—反馈—评价).

It follows the national digital urban-management flow (数字化城市管理: 信息收集 → 案卷建立 →
任务派遣 → 任务处理 → 处理反馈 → 核查结案 → 综合评价), ending, as the seeds insist, with the
resident judging the result (群众评议). Overdue handling is put under supervision (督办); a
resident who does not rate within three days leaves the issue closed unrated.

With an org graph (see :mod:`govflow.authority`), the centre's posts (``operator``,
``dispatcher``, ``inspector``) count where their unit's jurisdiction covers the issue's
location; an issue dispatched to a unit (a 派出所, a department) is finished by anyone holding
a post there, for the unit; the inspector may not belong to a unit that handled the issue
(``handling_unit``); a hotline operator or a grid worker on patrol opens issues on behalf of
the residents who called or whom they met, who stay the reporters.
"""

from __future__ import annotations

from collections.abc import Mapping

from govflow.hookspecs import hookimpl
from govflow.workflow.machine import Guard, MoveContext
from govflow.workflow.spec import Relation, State, StateKind, Transition, Workflow

#: Satisfaction answers a resident may give (满意 / 基本满意 / 不满意).
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

CLOSED_LOOP = Workflow(
    name="closed-loop",
    label="闭环处置 closed loop",
    initial="collected",
    states=[
        State("collected", "信息收集 collected", StateKind.OPEN, time_limit="2h"),
        State("filed", "案卷建立 filed", StateKind.OPEN, time_limit="1h"),
        State("handling", "任务处理 handling", StateKind.PROCESSING, time_limit="3d"),
        State("supervised", "督办 supervised", StateKind.PROCESSING, time_limit="1d"),
        State("fed_back", "处理反馈 fed back", StateKind.FEEDBACK, time_limit="1d"),
        State("evaluating", "群众评议 evaluating", StateKind.FEEDBACK, time_limit="3d"),
        State("closed", "结案 closed", StateKind.CLOSED),
        State("cancelled", "不予立案 cancelled", StateKind.CANCELLED),
    ],
    transitions=[
        Transition("file", "collected", "filed", roles={"operator"}, label="立案"),
        Transition(
            "cancel",
            "collected",
            "cancelled",
            roles={"operator"},
            guards="reason_given",
            label="不予立案",
        ),
        Transition(
            "dispatch",
            "filed",
            "handling",
            roles={"dispatcher"},
            assigns=True,
            assign_role="grid_worker",
            label="派遣",
        ),
        Transition(
            "finish",
            ("handling", "supervised"),
            "fed_back",
            requires={Relation.ASSIGNEE},
            label="处理完毕并反馈",
        ),
        Transition("supervise", "handling", "supervised", on_timeout=True, label="超时督办"),
        Transition(
            "verify",
            "fed_back",
            "evaluating",
            roles={"inspector"},
            evaluation=True,
            conflicts={"handling_unit"},
            label="核查通过",
        ),
        Transition(
            "rework",
            "fed_back",
            "handling",
            roles={"inspector"},
            evaluation=True,
            conflicts={"handling_unit"},
            guards="reason_given",
            label="核查不通过, 返工",
        ),
        Transition(
            "evaluate",
            "evaluating",
            "closed",
            requires={Relation.REPORTER},
            evaluation=True,
            guards="satisfaction_given",
            label="群众评价",
        ),
        Transition(
            "close_unrated", "evaluating", "closed", on_timeout=True, label="逾期未评, 结案"
        ),
    ],
)


def satisfaction_given(context: MoveContext) -> bool:
    """The payload carries a ``satisfaction`` of satisfied, basically_satisfied or dissatisfied."""
    return context.payload.get("satisfaction") in SATISFACTION


def reason_given(context: MoveContext) -> bool:
    """The payload carries a non-empty ``reason`` (why it is refused or sent back)."""
    reason = context.payload.get("reason")
    return isinstance(reason, str) and bool(reason.strip())


@hookimpl
def govflow_workflows() -> list[Workflow]:
    return [CLOSED_LOOP]


@hookimpl
def govflow_guards() -> Mapping[str, Guard]:
    return {"satisfaction_given": satisfaction_given, "reason_given": reason_given}
