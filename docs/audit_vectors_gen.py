"""Regenerate the test vectors of docs/audit-format.md (run it when Event gains a field).

python docs/audit_vectors_gen.py
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType

from govflow.audit import GENESIS, canonical_object, canonical_text, seal
from govflow.audit.merkle import merkle_root
from govflow.records import Event, PluginRef

DOC = Path(__file__).with_name("audit-format.md")
BEIJING = timezone(timedelta(hours=8))


def vectors() -> dict[str, object]:
    data = {"描述": "3号楼路灯不亮 🌙", "楼层": 3, "面积": 2.0, "比例": 1.5e-7}
    opened = seal(
        Event(
            "10001", 0, "open", None, "collected", "resident-王",
            datetime(2024, 3, 1, 9, 0, tzinfo=BEIJING),
            datetime(2024, 3, 1, 11, 0, tzinfo=BEIJING),
            MappingProxyType({}),
            MappingProxyType({
                "category": "市政设施", "data": MappingProxyType(data),
                "location": "宝兴社区/第7网格", "reporter": "resident-王",
                "workflow": "closed-loop", "workflow_version": 1,
            }),
            PluginRef("govflow.closed_loop", "0.1.0"),
            MappingProxyType({"due_at": "govflow.deadlines 0.1.0"}),
            GENESIS,
        )
    )  # fmt: skip
    dispatched = seal(
        Event(
            "10001", 1, "dispatch", "filed", "handling", "disp-1",
            datetime(2024, 3, 1, 9, 30, 0, 250000, tzinfo=BEIJING),
            datetime(2024, 3, 4, 9, 30, 0, 250000, tzinfo=BEIJING),
            MappingProxyType({"assignees": ["grid-7"], "note": 'line\nbreak "quoted" \x01'}),
            MappingProxyType({"assignees": ("grid-7",)}),
            None,
            MappingProxyType(
                {"assignees": "govflow.routing 0.1.0", "due_at": "govflow.deadlines 0.1.0"}
            ),
            opened.hash,
        )
    )  # fmt: skip
    other = seal(
        Event(
            "10002", 0, "open", None, "collected", "r", datetime(2024, 3, 1, 1, 0, tzinfo=UTC),
            None, MappingProxyType({}),
            MappingProxyType({
                "category": None, "data": MappingProxyType({"\ue000": 1, "😀": 2}),
                "location": None,
                "reporter": "r", "workflow": "closed-loop", "workflow_version": 1,
            }),
            None, MappingProxyType({}), GENESIS, hash_algorithm="sm3",
        )
    )  # fmt: skip
    events = (opened, dispatched, other)
    return {
        "events": [
            {"object": canonical_object(e), "canonical": canonical_text(e), "hash": e.hash}
            for e in events
        ],
        "merkle_root": merkle_root([e.hash for e in events]),
    }


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = json.dumps(vectors(), ensure_ascii=False, indent=2)
    updated = re.sub(
        r"(<!-- test vectors -->\n```json\n).*?(^```)",
        lambda m: m.group(1) + block + "\n" + m.group(2),
        text,
        flags=re.DOTALL | re.MULTILINE,
    )
    DOC.write_text(updated, encoding="utf-8")


if __name__ == "__main__":
    main()
