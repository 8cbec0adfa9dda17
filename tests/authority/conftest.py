"""A small district for authority's tests: posts in units, a party committee leading a
community, a police station, and a resident or two."""

from __future__ import annotations

import pytest

from govflow import Engine, ManualClock, OrgGraph
from govflow.testing.authority import staff
from govflow.testing.org import build_org

from ..conftest import START


@pytest.fixture
def org() -> OrgGraph:
    graph = build_org(
        {
            "district:d1 蚌山区": {
                "street:s1 天桥街道": {
                    "community:c1 喻义巷社区": {"grid:g1 一网格": {}, "grid:g2 二网格": {}},
                    "community:c2 向阳社区": {"grid:g3 三网格": {}},
                },
                "department:police 天桥派出所": {},
            }
        }
    )
    party = graph.add_unit("c1/party", "community_party_committee", "喻义巷社区党委")
    graph.add_edge("leads", party.id, "c1")
    staff(graph, "op", ("s1", "operator", "dispatcher"), name="受理员")
    staff(graph, "insp", ("s1", "inspector"), name="核查员")
    staff(graph, "w1", ("g1", "grid_worker"), name="一网格网格员")
    staff(graph, "w3", ("g3", "grid_worker"), name="三网格网格员")
    staff(graph, "zhao", ("c1/party", "secretary"), name="赵书记")
    staff(graph, "officer-li", ("police", "officer"), accounts=["li-app"], name="李警官")
    staff(graph, "officer-sun", ("police", "officer"), name="孙警官")
    staff(graph, "clerk-c2", ("c2", "operator"), name="向阳社区受理员")
    return graph


@pytest.fixture
def district(org: OrgGraph) -> Engine:
    return Engine(org=org, clock=ManualClock(START), autoload=False)
