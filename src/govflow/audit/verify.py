"""Verifying a whole store: every issue's chain, the store-wide log, and a checkpoint.

:func:`verify_store` streams the store (constant memory whatever its size) and names every
problem it finds as a :class:`Finding` -- an issue and an event where it can -- instead of
stopping at the first. What each check catches:

* each issue's chain (:func:`govflow.audit.verify_events`): an edited event, an inserted or
  deleted one, an issue row that replay does not give, a row that cannot be read, a
  deadline index (``due_key``) that disagrees with the hashed ``due_at``;
* the store-wide log (:mod:`govflow.audit.merkle`): an event whose hash is not the one logged
  when it was committed (re-hashed), a logged event that is gone (deleted, rolled back), an
  event that was never logged (appended behind govflow's back);
* a checkpoint (:mod:`govflow.audit.checkpoint`): whatever was rewritten, re-hashed, removed,
  reordered or inserted among the entries it covers, even if the log table was rewritten to
  match; a store shorter than the checkpoint (truncated, rolled back); events dated before the
  checkpoint that it does not cover (forged, backdated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

import attrs

from govflow.audit.chain import verify_events
from govflow.audit.checkpoint import CheckpointFile
from govflow.audit.merkle import MerkleRoot
from govflow.errors import GovflowError, IntegrityError, UnknownIssueError
from govflow.store.base import IssueScan, LogEntry, Store

#: What replaying a hostile log can raise besides IntegrityError: named, never escaping.
_REPLAY_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError)


@attrs.frozen
class Finding:
    """One problem: where (an issue, an event of it) and what."""

    issue_id: str | None
    sequence: int | None
    problem: str

    def __str__(self) -> str:
        where = "the store" if self.issue_id is None else f"issue {self.issue_id!r}"
        if self.issue_id is not None and self.sequence is not None:
            where += f", event {self.sequence}"
        return f"{where}: {self.problem}"


@attrs.define
class StoreReport:
    """What :func:`verify_store` checked and found."""

    issues: int = 0
    events: int = 0
    log_entries: int = 0
    #: The Merkle root of the whole log as it stands.
    root: str = ""
    #: Entries covered by the checkpoint checked against (0: none given).
    anchored: int = 0
    findings: list[Finding] = attrs.Factory(list)

    @property
    def ok(self) -> bool:
        """True if nothing was found."""
        return not self.findings


def _check_issue(scan: IssueScan) -> Iterator[Finding]:
    for record in scan.corrupt:
        yield Finding(record.issue_id, record.sequence, record.problem)
    if scan.corrupt:
        return  # the chain has holes where the unreadable rows were: they are the finding
    if not scan.events:
        yield Finding(scan.issue_id, None, "the issue has no events")
        return
    if scan.issue is None:
        last = scan.events[-1].sequence
        if scan.row_version is None:
            problem = "the issue row is gone (deleted) but its events remain"
        else:
            problem = (
                f"the issue row says version {scan.row_version} but the log ends at event "
                f"{last}: events were deleted or the row was edited"
            )
        yield Finding(scan.issue_id, last, problem)
    try:
        verify_events(scan.events, scan.issue, hashes=scan.hashes)
    except IntegrityError as err:
        yield Finding(err.issue_id, err.sequence, err.problem)
    except _REPLAY_ERRORS as err:
        yield Finding(scan.issue_id, None, f"replay fails: {type(err).__name__}: {err}")


def _check_entry(rank: int, entry: LogEntry) -> Finding | None:
    if entry.event_hash is None:
        return Finding(
            entry.issue_id,
            entry.sequence,
            f"log entry {rank} names this event, which is gone (deleted or rolled back)",
        )
    if entry.event_hash != entry.hash:
        return Finding(
            entry.issue_id,
            entry.sequence,
            f"the event's hash is not the one log entry {rank} recorded: it was rewritten and "
            "re-hashed",
        )
    return None


class _Anchor:
    """Compares the store's log with a checkpoint's entries, entry by entry."""

    def __init__(self, store: Store, checkpoint: CheckpointFile) -> None:
        self.store = store
        self.checkpoint = checkpoint.checkpoint
        self.expected = checkpoint.entries()
        self.tree = MerkleRoot(self.checkpoint.algorithm)
        self.diverged = False
        self.issued_at = _parse(self.checkpoint.issued_at)

    def _gone(self, issue_id: str) -> bool:
        try:
            self.store.get(issue_id)
        except UnknownIssueError:
            return True
        except GovflowError:
            return False
        return False

    def _divergence(self, rank: int, want: tuple[str, int, str], entry: LogEntry) -> Finding:
        issue_id, sequence, _ = want
        if (entry.issue_id, entry.sequence) == (issue_id, sequence):
            return Finding(
                issue_id,
                sequence,
                f"differs from the checkpoint (entry {rank}): rewritten after it was anchored",
            )
        if self._gone(issue_id):
            return Finding(
                issue_id, sequence, f"the issue was deleted (the checkpoint anchors it at {rank})"
            )
        return Finding(
            issue_id,
            sequence,
            f"the checkpoint anchors this event at entry {rank}, but the store's log has event "
            f"{entry.sequence} of issue {entry.issue_id!r} there: entries were removed, "
            "inserted or reordered",
        )

    def see(self, rank: int, entry: LogEntry) -> Finding | None:
        """Check one entry of the store's log against the checkpoint."""
        if rank >= self.checkpoint.tree_size:
            return self._unanchored(entry)
        self.tree.append(entry.hash)
        want = next(self.expected, None)
        found: Finding | None = None
        if (
            want is not None
            and not self.diverged
            and want
            != (
                entry.issue_id,
                entry.sequence,
                entry.hash,
            )
        ):
            self.diverged = True
            found = self._divergence(rank, want, entry)
        if self.tree.size == self.checkpoint.tree_size and self.tree.root() != self.checkpoint.root:
            self.diverged = True
            found = found or Finding(
                None,
                None,
                f"the first {self.tree.size} log entries no longer give the checkpoint's root",
            )
        return found

    def _unanchored(self, entry: LogEntry) -> Finding | None:
        if self.issued_at is None or entry.at is None:
            return None
        at = _parse(entry.at)
        if at is not None and at < self.issued_at:
            return Finding(
                entry.issue_id,
                entry.sequence,
                f"dated {entry.at}, before the checkpoint of {self.checkpoint.issued_at}, but "
                "not anchored by it: forged or backdated",
            )
        return None

    def finish(self, size: int) -> Iterator[Finding]:
        """What is left once the store's log ran out."""
        if size < self.checkpoint.tree_size:
            missing = next(self.expected, None) if not self.diverged else None
            issue_id, sequence = (None, None) if missing is None else missing[:2]
            yield Finding(
                issue_id,
                sequence,
                f"the log has {size} entries but the checkpoint anchors "
                f"{self.checkpoint.tree_size}: it was truncated or rolled back",
            )


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def verify_store(
    store: Store,
    checkpoint: CheckpointFile | None = None,
    *,
    public_key: str | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> StoreReport:
    """Check the whole store; with ``checkpoint``, against it too.

    :param public_key: the key the checkpoint must be signed by (hex): pin the one you trust.
    :param on_finding: called with each finding as it is found (a command prints them).
    :return: the report; ``report.ok`` if nothing was found. Nothing is raised for a problem
        in the store: every one is a finding.
    """
    report = StoreReport()

    def found(finding: Finding | None) -> None:
        if finding is None:
            return
        report.findings.append(finding)
        if on_finding is not None:
            on_finding(finding)

    anchor: _Anchor | None = None
    if checkpoint is not None:
        try:
            checkpoint.checkpoint.check_signature(public_key)
        except IntegrityError as err:
            found(Finding(None, None, f"{checkpoint.path}: {err.problem}"))
        anchor = _Anchor(store, checkpoint)
        report.anchored = checkpoint.checkpoint.tree_size

    for scan in store.scan():
        report.issues += 1
        report.events += len(scan.events)
        for finding in _check_issue(scan):
            found(finding)

    tree = MerkleRoot()
    append = tree.append
    for rank, entry in enumerate(store.log()):
        append(entry.hash)
        if entry.event_hash != entry.hash:  # gone (None) or re-hashed: named by _check_entry
            found(_check_entry(rank, entry))
        if anchor is not None:
            found(anchor.see(rank, entry))
    report.log_entries = tree.size
    report.root = tree.root()
    if anchor is not None:
        for finding in anchor.finish(tree.size):
            found(finding)

    for issue_id, sequence in store.unlogged():
        found(
            Finding(
                issue_id,
                sequence,
                "the event is not in the store-wide log: it was appended behind govflow's back",
            )
        )
    return report


__all__ = ["Finding", "StoreReport", "verify_store"]
