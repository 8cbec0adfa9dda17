"""A resident reports through Open311; staff, whose roles come from their posts in the org
graph, take the issue around the closed loop over the native API; Open311 shows it routed to
the grid and then closed."""

from __future__ import annotations

from typing import Any

import httpx

from govflow.interop.open311 import Open311, Service, parse_json
from govflow.web import SignedTokens

ORG = {"street:s1 宝兴街道": {"community:c1 宝兴社区": {"grid:g7 宝兴社区第7网格": {}}}}
PEOPLE = {
    "gw": ("g7", "grid_worker"),
    "op": ("c1", "operator"),
    "disp": ("c1", "dispatcher"),
    "insp": ("s1", "inspector"),
}


def test_open311_report_closed_loop_by_posts_and_back(
    govflow_web: Any, govflow_engine: Any, org_factory: Any, govflow_tokens: SignedTokens
) -> None:
    engine = govflow_engine(org=org_factory(ORG, people=PEOPLE))
    front = Open311([Service("LAMP", "路灯不亮", "closed-loop", category="市政设施")])
    server = govflow_web(engine, open311=front)
    public = server.client()
    posted = public.post(
        "/open311/v2/requests.json",
        data={
            "api_key": govflow_tokens.issue("resident"),
            "service_code": "LAMP",
            "address_id": "g7",
            "description": "路灯不亮",
        },
    )
    request_id = parse_json(posted.content)[0]["service_request_id"]
    issue = engine.get(request_id)
    assert issue.location == "g7"
    assert issue.category == "市政设施"

    def staff(person: str, claimed: tuple[str, ...] = ()) -> httpx.Client:
        return server.client(govflow_tokens.issue(person, claimed))

    # a token's claimed roles count for nothing where the org graph decides
    impostor = staff("resident", ("dispatcher",))
    assert impostor.post(f"/issues/{request_id}/fire", json={"trigger": "file"}).status_code == 403

    def fire(person: str, trigger: str, **body: Any) -> None:
        with staff(person) as client:
            answer = client.post(f"/issues/{request_id}/fire", json={"trigger": trigger, **body})
        assert answer.status_code == 200, answer.text

    fire("op", "file")
    fire("disp", "dispatch")  # routed by the org graph to the grid's worker
    assert engine.get(request_id).assignees == ("gw",)
    seen = parse_json(public.get(f"/open311/v2/requests/{request_id}.json").content)[0]
    assert seen["status"] == "open"
    assert seen["agency_responsible"] == "宝兴社区第7网格"
    assert seen["expected_datetime"] == engine.get(request_id).due_at.isoformat().replace(
        "+00:00", "Z"
    )
    fire("gw", "finish")
    fire("insp", "verify")
    fire("resident", "evaluate", payload={"satisfaction": "basically_satisfied"})
    done = parse_json(public.get(f"/open311/v2/requests/{request_id}.json").content)[0]
    assert done["status"] == "closed"
    assert done["expected_datetime"] is not None  # the deadline it was closed against
    closed = parse_json(
        public.get("/open311/v2/requests.json", params={"status": "closed"}).content
    )
    assert [r["service_request_id"] for r in closed] == [request_id]
    impostor.close()
    public.close()
