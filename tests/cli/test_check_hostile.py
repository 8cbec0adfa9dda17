"""``govflow check`` on hostile files: one line on standard error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from govflow import Engine
from govflow.workflow.load import workflow_to_dict
from tests.cli.conftest import Runner

BASE = workflow_to_dict(Engine(autoload=False).workflow("closed-loop"))


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


BAD_FILES = {
    "not-json.json": "{not json",
    "a-list.json": "[1, 2]",
    "bad-toml.toml": "name = ",
    "states-none.json": json.dumps({**BASE, "states": None}),
    "list-dest.json": json.dumps(
        {**BASE, "transitions": [{**BASE["transitions"][0], "dest": ["a"]}]}
    ),
    "deep.json": json.dumps({**BASE, "label": _nested(900)}),
    "huge-limit.toml": 'name = "x"\ninitial = "a"\ntransitions = []\n'
    '[[states]]\nname = "a"\nkind = "open"\ntime_limit = "99999999999d"\n',
    "evaluation-no.json": json.dumps(
        {**BASE, "transitions": [{**BASE["transitions"][-1], "evaluation": "no"}]}
    ),
    "empty.toml": "",
    "binary.json": "\x00\x01\x02",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_govflow_check_never_prints_a_traceback(govflow: Runner, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(BAD_FILES[name], encoding="utf-8")
    run = govflow("check", "--no-autoload", str(path))
    assert run.status in {1, 2}
    assert "Traceback" not in run.err + run.out
    assert run.err.strip() or "problems" in run.out
