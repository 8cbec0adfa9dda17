"""govflow's pytest plugin (entry point ``pytest11``): fixtures, none autouse, and coverage.

Fixtures:

``fake_clock``
    a :class:`~govflow.ManualClock` starting at 2024-01-01 09:00 UTC (a Monday); time moves
    only when the test says ``fake_clock.advance(hours=...)``.
``govflow_engine``
    a factory ``govflow_engine(*plugins, org=None, workflows=(), guards=None, store=None,
    autoload=False, clock=None, calendar=None)`` returning a
    :class:`~govflow.testing.RecordingEngine` (an :class:`~govflow.Engine`) on ``fake_clock``
    unless ``clock`` is given. Installed plugins are not loaded unless ``autoload=True``, so
    tests are hermetic.
``hook_recorder``
    a fresh :class:`~govflow.testing.HookRecorder`; pass it to ``govflow_engine``.
``fixed_calendar``
    a factory of business calendars on a fixed holiday table
    (:func:`govflow.testing.calendar.fixed_calendar`): deadlines that do not depend on the
    installed ``chinese-calendar``'s years.
``org_factory``
    builds a small org graph from a compact literal (see :func:`govflow.testing.org.build_org`).
``audit_checkpoint``
    ``audit_checkpoint(store)`` signs the store's log as it stands with a key made for the test
    and returns the checkpoint file read back (:class:`govflow.audit.checkpoint.CheckpointFile`)
    -- what an auditor keeps outside the database; ``audit_checkpoint.public_key`` is the key
    to pin. Needs ``cryptography`` (``govflow[sign]``).
``govflow_web``
    a factory ``govflow_web(engine, **create_app_options)`` serving
    :func:`govflow.web.create_app` on a real uvicorn server on 127.0.0.1 (an ephemeral port)
    for the rest of the test; it returns a :class:`~govflow.testing.web.LiveServer` whose
    ``client(token)`` is an httpx client. Tokens are signed by ``govflow_tokens`` (a
    :class:`~govflow.web.SignedTokens`) unless ``authenticate`` is given. Needs the ``web``
    extra.

Options: ``--govflow-coverage`` reports, per workflow, the transitions and refusal paths the
session exercised through engines built by ``govflow_engine``;
``--govflow-coverage-fail-under=PCT`` makes the run fail when the total is below ``PCT``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Protocol

import pytest

from govflow.calendar import BusinessCalendar
from govflow.clock import Clock, ManualClock
from govflow.store import Store
from govflow.testing.calendar import fixed_calendar
from govflow.testing.coverage import CoverageCollector, RecordingEngine
from govflow.testing.org import build_org
from govflow.testing.recorder import HookRecorder
from govflow.workflow.machine import Guard
from govflow.workflow.spec import Workflow

#: Where ``fake_clock`` starts: a Monday morning.
FAKE_CLOCK_START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)

_COLLECTOR = pytest.StashKey[CoverageCollector]()
_FAILED = pytest.StashKey[bool]()


class EngineFactory(Protocol):
    """The signature of the ``govflow_engine`` fixture."""

    def __call__(
        self,
        *plugins: object,
        org: Any = None,
        workflows: Iterable[Workflow] = (),
        guards: Mapping[str, Guard] | None = None,
        store: Store | None = None,
        autoload: bool = False,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> RecordingEngine: ...


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("govflow", "govflow workflow coverage")
    group.addoption(
        "--govflow-coverage",
        action="store_true",
        default=False,
        help="report which workflow transitions and refusal paths the tests exercised",
    )
    group.addoption(
        "--govflow-coverage-fail-under",
        type=float,
        default=None,
        metavar="PCT",
        help="fail the run if total workflow coverage is below PCT (implies --govflow-coverage)",
    )


def pytest_configure(config: pytest.Config) -> None:
    wanted = config.getoption("--govflow-coverage", default=False) or (
        config.getoption("--govflow-coverage-fail-under", default=None) is not None
    )
    if wanted:
        config.stash[_COLLECTOR] = CoverageCollector()


@pytest.fixture
def fake_clock() -> ManualClock:
    """A clock that moves only when told: ``fake_clock.advance(hours=72)``."""
    return ManualClock(FAKE_CLOCK_START)


@pytest.fixture
def hook_recorder() -> HookRecorder:
    """Records every hook call of the engine it is passed to: ``govflow_engine(hook_recorder)``."""
    return HookRecorder()


@pytest.fixture
def govflow_engine(request: pytest.FixtureRequest, fake_clock: ManualClock) -> EngineFactory:
    """A factory of engines on ``fake_clock``, without installed plugins unless asked."""
    collector = request.config.stash.get(_COLLECTOR, None)

    def build(
        *plugins: object,
        org: Any = None,
        workflows: Iterable[Workflow] = (),
        guards: Mapping[str, Guard] | None = None,
        store: Store | None = None,
        autoload: bool = False,
        clock: Clock | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> RecordingEngine:
        return RecordingEngine(
            org,
            plugins,
            store,
            clock if clock is not None else fake_clock,
            autoload=autoload,
            workflows=workflows,
            guards=guards,
            coverage=collector,
            calendar=calendar,
        )

    return build


class CheckpointMaker:
    """Signs a store's log into a checkpoint file under the test's tmp_path."""

    def __init__(self, directory: Any, clock: ManualClock) -> None:
        from govflow.audit.checkpoint import generate_signing_key, public_key_of  # noqa: PLC0415

        self._directory = directory
        self._clock = clock
        self._key = generate_signing_key()
        #: The public key checkpoints are signed with (pin it when verifying).
        self.public_key = public_key_of(self._key)
        self._made = 0

    def __call__(self, store: Any) -> Any:
        from govflow.audit.checkpoint import make_checkpoint, read_checkpoint  # noqa: PLC0415

        self._made += 1
        path = self._directory / f"checkpoint-{self._made}.jsonl"
        make_checkpoint(store, self._key, path, issued_at=self._clock.now(), label="test")
        return read_checkpoint(path)


@pytest.fixture
def audit_checkpoint(tmp_path: Any, fake_clock: ManualClock) -> CheckpointMaker:
    return CheckpointMaker(tmp_path, fake_clock)


@pytest.fixture(name="fixed_calendar")
def fixed_calendar_fixture() -> Callable[..., BusinessCalendar]:
    """A factory of calendars on a fixed holiday table; see
    :func:`govflow.testing.calendar.fixed_calendar`."""
    return fixed_calendar


@pytest.fixture
def org_factory() -> Callable[..., Any]:
    """Build a small org graph from a compact literal; see :func:`govflow.testing.org.build_org`."""
    return build_org


@pytest.fixture
def govflow_tokens() -> Any:
    """The :class:`~govflow.web.SignedTokens` ``govflow_web`` authenticates with:
    ``govflow_tokens.issue("grid-worker-1", roles=["grid_worker"])``."""
    from govflow.testing.web import TEST_SECRET  # noqa: PLC0415  (needs the web extra)
    from govflow.web import SignedTokens  # noqa: PLC0415

    return SignedTokens(TEST_SECRET)


@pytest.fixture
def govflow_web(govflow_tokens: Any) -> Iterator[Callable[..., Any]]:
    """Serve ``create_app(engine, ...)`` over real HTTP for the rest of the test."""
    from govflow.testing.web import LiveServer  # noqa: PLC0415  (needs the web extra)
    from govflow.web import create_app  # noqa: PLC0415

    servers: list[LiveServer] = []

    def serve(engine: Any, **options: Any) -> LiveServer:
        options.setdefault("authenticate", govflow_tokens)
        server = LiveServer(create_app(engine, **options)).__enter__()
        servers.append(server)
        return server

    yield serve
    for server in servers:
        server.stop()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    collector = session.config.stash.get(_COLLECTOR, None)
    threshold = session.config.getoption("--govflow-coverage-fail-under", default=None)
    if collector is None or threshold is None:
        return
    if collector.percent < threshold:
        session.config.stash[_FAILED] = True
        if exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    collector = config.stash.get(_COLLECTOR, None)
    if collector is None:
        return
    terminalreporter.write_sep("-", "govflow workflow coverage")
    if not collector.workflows:
        terminalreporter.write_line("no issue was opened through govflow_engine")
    for line in collector.format():
        terminalreporter.write_line(line)
    threshold = config.getoption("--govflow-coverage-fail-under", default=None)
    if config.stash.get(_FAILED, False):
        terminalreporter.write_line(
            f"FAIL: workflow coverage {collector.percent:.1f}% is below {threshold}%",
            red=True,
        )
