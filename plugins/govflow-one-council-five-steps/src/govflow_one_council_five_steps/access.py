"""事项准入: only the items on a unit's 权责清单 may be pushed down to it (seed 004).

Seed 004: "逐级建立街道、社区、网格权责事项清单,实行事项准入制度。" Each street, community and
grid may have its list of the matters (事项) it takes on from above; the engine refuses, with
:class:`~govflow.errors.AccessRefusedError` naming the list, any move that pushes an issue of
another category down into it -- a relocation down, the assignees a move picks, the parties
of a join, a child issue's location -- and a push to a grid passes its community's list too.

The lists are data the district publishes: give them to :class:`DutyLists` and register it
with the engine (``Engine(plugins=[DutyLists({...})])``); govflow reads them through
``govflow_access_lists`` when the engine is built. The workflow ``push-down`` is the push
itself: the street holds a piece of work and hands it down to a community or grid, which
carries it out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from govflow import AccessList, State, StateKind, Transition, Workflow, hookimpl

#: The rule every refusal names (the lists' common title; the seed's words).
RULE = "权责事项清单 (事项准入)"

#: Who pushes work down (the street's post) and who carries it out (the secretary of the party
#: unit leading the community or grid it lands in).
PUSHER = "street_secretary"
CARRIER = "secretary"

PUSH_DOWN = Workflow(
    "push-down",
    label="事项准入 work pushed down from the street",
    initial="held",
    states=[
        State("held", "街道交办 held by the street", StateKind.OPEN, time_limit="3d"),
        State(
            "handling",
            "社区承办 the unit below carries it out",
            StateKind.PROCESSING,
            time_limit="15d",
        ),
        State(
            "checking", "街道验收 the street checks the result", StateKind.FEEDBACK, time_limit="3d"
        ),
        State("closed", "办结 closed", StateKind.CLOSED),
    ],
    transitions=[
        Transition(
            "push_down",
            "held",
            "handling",
            roles={PUSHER},
            relocate="down",
            label="交办下级 (须在其权责事项清单内)",
        ),
        Transition("remind", "held", "held", on_timeout=True, label="逾期未交办, 提醒"),
        Transition(
            "finish",
            "handling",
            "checking",
            roles={CARRIER},
            guards="push-down:result",
            label="办结, 报街道验收",
        ),
        Transition("urge", "handling", "handling", on_timeout=True, label="逾期, 督办"),
        Transition(
            "accept",
            "checking",
            "closed",
            roles={PUSHER},
            requires={"not_handler"},  # whoever carried it out does not check it
            label="验收通过",
        ),
        Transition(
            "send_back",
            "checking",
            "handling",
            roles={PUSHER},
            requires={"not_handler"},
            guards="push-down:reason",
            label="验收不合格, 退回",
        ),
        Transition(
            "accept_unchecked", "checking", "closed", on_timeout=True, label="逾期未验收, 结案"
        ),
    ],
)


class DutyLists:
    """The 权责事项清单 of streets, communities and grids, as a plugin to register with an
    engine: ``lists`` maps each unit id to the items (issue categories) it takes on."""

    govflow_name = "one-council-five-steps.duty-lists"

    def __init__(self, lists: Mapping[str, Iterable[str]], *, rule: str = RULE) -> None:
        self.lists = tuple(AccessList(unit, items, rule=rule) for unit, items in lists.items())

    @hookimpl
    def govflow_access_lists(self) -> tuple[AccessList, ...]:
        return self.lists


__all__ = ["CARRIER", "PUSHER", "PUSH_DOWN", "RULE", "DutyLists"]
