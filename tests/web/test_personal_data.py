"""No personal field -- name, phone, email, device id, account -- leaves through a public view.

Residents report through Open311 with every personal field the spec lets a POST carry; a
hotline operator opens an issue on behalf of a caller, with the caller's details under
``personal``, and moves it with a payload naming a phone number. Then every public answer of
Open311, in both formats, and every answer the native API gives staff who are neither the
reporter nor entitled to personal data, is searched for any of those values. The reporter, and
only the reporter, gets their own details back: the engine, not the web layer, decides.
"""

from __future__ import annotations

from typing import Any

from govflow.audit.personal import is_sealed
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
    operator = server.client(govflow_tokens.issue("op", ["operator"]))
    opened = operator.post(
        "/issues",
        json={
            "workflow": "closed-loop",
            "reporter": "caller-9",
            "channel": "hotline",
            "data": {"description": "lamp", "personal": PERSONAL, "phone": PERSONAL["phone"]},
        },
    )
    assert opened.status_code == 201, opened.text
    answers.append(opened)
    ids = [issue.id for issue in engine.store.issues()]
    for issue_id in ids:
        fire = operator.post(
            f"/issues/{issue_id}/fire",
            json={
                "trigger": "file",
                "payload": {"note": "called back", "phone": PERSONAL["phone"]},
            },
        )
        assert fire.status_code == 200, fire.text
        answers.append(fire)
        answers += [operator.get(f"/issues/{issue_id}{p}") for p in ("", "/history", "/triggers")]
    answers += [operator.get("/figures"), operator.get("/workflows"), operator.get("/openapi.json")]
    with server.client() as public:
        for fmt in ("json", "xml"):
            answers.append(public.get(f"/open311/v2/requests.{fmt}"))
            answers.append(public.get(f"/open311/v2/services.{fmt}"))
            answers.append(public.get(f"/open311/v2/services/LAMP.{fmt}"))
            answers += [public.get(f"/open311/v2/requests/{i}.{fmt}") for i in ids]
            answers += [public.get(f"/open311/v2/tokens/{t}.{fmt}") for t in tokens]
    assert len(ids) == 5
    bad = [a.text for a in answers if a.status_code >= 300]
    assert bad == []
    for answer in answers:
        for value in PERSONAL.values():
            assert value not in answer.text, (answer.request.url, value)
    # kept in the record (sealed under the caller's key: see govflow.audit.personal), and
    # shown to the one it belongs to
    caller_issue = opened.json()["id"]
    assert is_sealed(engine.store.get(caller_issue).data["personal"])
    assert engine.get(caller_issue, reader="caller-9").data["personal"] == PERSONAL
    with server.client(govflow_tokens.issue("caller-9")) as caller:
        own = caller.get(f"/issues/{caller_issue}").json()
    assert own["data"]["personal"] == PERSONAL
    operator.close()
