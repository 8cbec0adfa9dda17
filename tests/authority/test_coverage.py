"""The checker knows authority (issue 9, item 8): ``govflow check --org FILE`` proves every
role a workflow needs is held in scope at every unit, and that the person who does the work is
not the only one who could judge it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from govflow import CLOSED_LOOP, OrgGraph
from govflow.authority import authority_problems
from govflow.cli import main
from govflow.testing.authority import staff


def test_a_unit_nobody_covers_is_named(org: OrgGraph) -> None:
    problems = authority_problems(CLOSED_LOOP, org)
    # the district and its police station lie outside the street's staff's jurisdiction
    moves = ["file", "cancel", "dispatch", "verify", "rework"]
    assert [p.message.split("'")[1] for p in problems] == moves
    assert all(p.rule == "role-coverage" for p in problems)
    assert all("2 unit(s): d1, police" in p.message for p in problems)
    staff(org, "district-op", ("d1", "operator", "dispatcher", "inspector"))
    assert authority_problems(CLOSED_LOOP, org) == []


def test_the_routed_worker_may_not_be_the_only_judge(org: OrgGraph) -> None:
    staff(org, "district-op", ("d1", "operator", "dispatcher"))
    staff(org, "d1-worker", ("d1", "grid_worker", "inspector"))
    org.remove_unit("police")
    # the street's inspector covers s1 and below; at d1 only the routed grid worker inspects
    verify, rework = authority_problems(CLOSED_LOOP, org)
    assert verify.rule == rework.rule == "separation-by-person"
    assert "transition 'verify'" in verify.message
    assert verify.message.endswith("routed to: d1")


def _org_file(tmp_path: Path, *, covered: bool) -> Path:
    people = [{"id": "op", "name": "受理员"}, {"id": "insp", "name": "核查员"}]
    links = [
        {"kind": "member_of", "source": "op", "target": "s1", "roles": ["operator", "dispatcher"]},
    ]
    if covered:
        links.append(
            {"kind": "member_of", "source": "insp", "target": "s1", "roles": ["inspector"]}
        )
    data = {
        "units": [
            {"id": "s1", "kind": "street", "name": "天桥街道"},
            {"id": "c1", "kind": "community", "name": "喻义巷社区", "parent": "s1"},
        ],
        "people": people,
        "links": links,
    }
    path = tmp_path / "org.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _check(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["check", "--no-autoload", *argv], stdout=out, stderr=err)
    return status, out.getvalue() + err.getvalue()


def test_govflow_check_with_an_org_file(tmp_path: Path) -> None:
    status, text = _check("closed-loop", "--org", str(_org_file(tmp_path, covered=False)))
    assert status == 1
    assert "role-coverage" in text
    assert "['inspector']" in text
    status, text = _check("closed-loop", "--org", str(_org_file(tmp_path, covered=True)))
    assert status == 0, text


def test_govflow_check_says_when_the_org_cannot_be_read(tmp_path: Path) -> None:
    status, text = _check("closed-loop", "--org", str(tmp_path / "missing.json"))
    assert status == 2
    assert "cannot load the org" in text
