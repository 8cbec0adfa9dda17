"""bench/store.py's scaling ceiling: the arithmetic, for given numbers (no timing here).

The bench prints, beside PostgreSQL's measured N-process speed-up, the most N processes can
reach on the machine's cores when each committed move costs a known amount of CPU; these tests
hold that arithmetic and the /proc readings it rests on, never a measured rate.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "store.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("govflow_bench_store", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def test_a_cpu_bound_machine_caps_the_speed_up_below_the_process_count(bench: ModuleType) -> None:
    # One process makes 1,000 moves/s, each costing 0.9 ms of CPU all told: it keeps 0.9 of a
    # core busy, so 2 cores can carry at most 2 / 0.9 = 2.22 times its rate, however many
    # processes share them.
    assert bench.scaling_ceiling(4, 2, 0.0009, 1000.0) == pytest.approx(2 / 0.9)
    assert bench.scaling_ceiling(2, 2, 0.0009, 1000.0) == pytest.approx(2.0)


def test_a_process_that_mostly_waits_is_capped_by_the_process_count(bench: ModuleType) -> None:
    # 250 moves/s at 1 ms of CPU each: a quarter of a core; 2 cores would carry 8 times that,
    # so 4 processes can at best make 4 times one's rate.
    assert bench.scaling_ceiling(4, 2, 0.001, 250.0) == pytest.approx(4.0)
    # 3.5x over one process needs 3.5 x 0.9 = 3.15 cores when one process keeps 0.9 busy.
    assert bench.scaling_ceiling(4, 3.15, 0.0009, 1000.0) == pytest.approx(3.5)


def test_nothing_measured_leaves_only_the_process_count(bench: ModuleType) -> None:
    assert bench.scaling_ceiling(4, 2, 0.0, 1000.0) == 4.0
    assert bench.scaling_ceiling(4, 2, 0.001, 0.0) == 4.0


def test_a_run_adds_its_cpu_per_move_and_the_cores_left_to_others(bench: ModuleType) -> None:
    run = bench.ProcessesRun(
        processes=2,
        moves=1000,
        wall=0.5,
        client_cpu=0.6,
        backend_cpu=0.3,
        server_cpu=0.1,
        machine_cpu=1.5,
    )
    assert run.rate == pytest.approx(2000.0)
    assert run.wall_per_move == pytest.approx(0.001)  # each process waits 1 ms a move
    assert run.cpu_per_move == pytest.approx(0.001)
    assert run.cores_used == pytest.approx(2.0)
    assert run.others_cores == pytest.approx(1.0)  # 3 cores' worth busy, 2 of them ours
    unreadable = bench.ProcessesRun(2, 1000, 0.5, 0.6, None, None, None)
    assert unreadable.cpu_per_move == pytest.approx(0.0006)  # the clients' CPU only
    assert unreadable.others_cores is None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_process_cpu_reads_this_process_from_proc(bench: ModuleType) -> None:
    spent = bench.process_cpu(os.getpid())
    assert spent is not None
    assert spent >= 0.0
    assert bench.process_cpu(-1) is None
    assert bench.machine_busy() is not None
