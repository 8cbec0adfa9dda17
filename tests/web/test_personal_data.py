"""No personal field -- name, phone, email, device id, account -- leaves through any view.

A resident reports through Open311 with every personal field the spec lets a POST carry, and
staff open an issue whose data names the resident; then every public answer of both APIs, in
both Open311 formats, is searched for any of those values.
"""

from __future__ import annotations

from typing import Any

from govflow.interop.open311 import Open311, Service, ServiceType, parse_json
from govflow.web import SignedTokens

PERSONAL = {
    "first_name": "Xiaoming",
    "last_name": "Zhang-Unique",
    "email": "zhang.unique@example.org",
    "phone": "13800138000",
    "device_id": "device-0x5EC2E7",
    "account_id": "acct-778899",
}


def test_no_public_response_carries_a_personal_field(
    govflow_web: Any, govflow_engine: Any, govflow_tokens: SignedTokens
) -> None:
    engine = govflow_engine()
    front = Open311(
        [
            Service("LAMP", "Street lamp out", "closed-loop"),
            Service("BULK", "Bulk pick-up", "closed-loop", category="bulk", type=ServiceType.BATCH),
        ]
    )
    server = govflow_web(engine, open311=front)
    key = govflow_tokens.issue("resident-1")
    with server.client() as public:
        answers = [
            public.post(
                f"/open311/v2/requests.{fmt}",
                data={"api_key": key, "service_code": code, "address_string": "1 Lane", **PERSONAL},
            )
            for fmt in ("json", "xml")
            for code in ("LAMP", "BULK")
        ]
    tokens = [parse_json(a.content)[0]["token"] for a in answers[1:2]]
    with server.client(govflow_tokens.issue("op", ["operator"])) as staff:
        opened = staff.post(
            "/issues",
            json={
                "workflow": "closed-loop",
                "data": {
                    "description": "lamp",
                    "contact": {"phone": PERSONAL["phone"]},
                    **PERSONAL,
                },
            },
        )
        assert opened.status_code == 201
        answers.append(opened)
        ids = [issue.id for issue in engine.issues()]
        for issue_id in ids:
            fire = staff.post(
                f"/issues/{issue_id}/fire",
                json={
                    "trigger": "file",
                    "payload": {"note": "called back", "phone": PERSONAL["phone"]},
                },
            )
            assert fire.status_code == 200, fire.text
            answers.append(fire)
            answers += [staff.get(f"/issues/{issue_id}{p}") for p in ("", "/history", "/triggers")]
        answers += [staff.get("/figures"), staff.get("/workflows"), staff.get("/openapi.json")]
    with server.client() as public:
        for fmt in ("json", "xml"):
            answers.append(public.get(f"/open311/v2/requests.{fmt}"))
            answers.append(public.get(f"/open311/v2/services.{fmt}"))
            answers.append(public.get(f"/open311/v2/services/LAMP.{fmt}"))
            answers += [public.get(f"/open311/v2/requests/{i}.{fmt}") for i in ids]
            answers += [public.get(f"/open311/v2/tokens/{t}.{fmt}") for t in tokens]
    assert len(ids) == 5
    assert all(a.status_code in (200, 201) for a in answers), [
        a.text for a in answers if a.status_code >= 300
    ]
    for answer in answers:
        for value in PERSONAL.values():
            assert value not in answer.text, (answer.request.url, value)
    # kept in the record all the same, for the deployment's own tools
    assert engine.get(ids[0]).data["contact"]["email"] == PERSONAL["email"]
