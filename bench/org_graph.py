"""Benchmark the organization graph (run by ``make bench``).

Two scenarios, each in its own subprocess so that peak memory is its own:

* ``country``: the whole official division table from ``../shared`` (skipped when absent): load
  time, index time, peak RSS, and query latencies on 665k units.
* ``city``: the synthetic city (1 city, 10 districts, 100 streets, 1,000 communities, 10,000
  grids, 10,000 residential areas, 100,000 buildings, the party net, 10,000 pairings): build
  time, memory, and p50/p99 of ``chain``, ``responsible``, ``by_code`` and ``units(under=street)``
  beside the same question asked of networkx in the same run.

Usage: ``python bench/org_graph.py [--queries N] [--only country|city] [--json]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from govflow.org import load_divisions, synthetic_city

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "china-divisions-2023"


def rss_mib(field: str = "VmRSS") -> float:
    """Resident memory of this process (``VmHWM`` for the peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def latencies(fn: Callable[[Any], object], args: Sequence[Any]) -> dict[str, float]:
    """p50/p99 in microseconds of ``fn(arg)`` over ``args``, one timing per call."""
    clock = time.perf_counter_ns
    times = []
    for arg in args:
        start = clock()
        fn(arg)
        times.append(clock() - start)
    times.sort()
    return {
        "n": len(times),
        "p50": times[len(times) // 2] / 1000,
        "p99": times[min(len(times) - 1, int(len(times) * 0.99))] / 1000,
    }


def country(queries: int) -> dict[str, Any]:
    base = rss_mib()
    start = time.perf_counter()
    graph = load_divisions(SHARED)
    load = time.perf_counter() - start
    start = time.perf_counter()
    graph.units(kind="street")
    index = time.perf_counter() - start
    graph.freeze()
    rng = random.Random(1)
    ids = [u.id for u in graph]
    sample = rng.choices(ids, k=queries)
    return {
        "units": len(graph),
        "load_s": load,
        "index_s": index,
        "rss_mib": rss_mib() - base,
        "peak_mib": rss_mib("VmHWM"),
        "chain": latencies(graph.chain, sample),
        "by_code": latencies(graph.by_code, sample),
        "found": [u.id for u in graph.find("喻义巷", kind="community")],
    }


def _nx_responsible(g: Any, unit: str, role: str) -> str | None:
    """``responsible`` as a predecessor walk over the MultiDiGraph (edge keys are kinds)."""
    pred = g.pred
    node: str | None = unit
    while node is not None:
        candidates = [node] + [p for p, keys in pred[node].items() if "leads" in keys]
        for candidate in candidates:
            for person, keys in pred[candidate].items():
                data = keys.get("member_of")
                if data is not None and role in data["roles"]:
                    return str(person)
        node = next((p for p, keys in pred[node].items() if "contains" in keys), None)
    return None


def city(queries: int) -> dict[str, Any]:
    base = rss_mib()
    start = time.perf_counter()
    graph = synthetic_city(seed=1)
    graph.units(kind="street")  # build the preorder index too
    build = time.perf_counter() - start
    built_rss = rss_mib() - base
    graph.freeze()

    rng = random.Random(2)
    admin = [u.id for u in graph if u.layer == "administrative" and u.kind != "department"]
    sample = rng.choices(admin, k=queries)
    coded = [u.code for u in graph if u.code is not None]
    code_sample = rng.choices(coded, k=queries)
    streets = [u.id for u in graph.units(kind="street")]
    street_sample = rng.choices(streets, k=queries)
    slow = max(200, queries // 50)  # networkx baselines that take milliseconds get fewer runs

    g = graph.nx
    tree: nx.DiGraph[str] = nx.DiGraph()
    tree.add_edges_from((s, t) for s, t, k in g.edges(keys=True) if k == "contains")
    contains_view = nx.subgraph_view(g, filter_edge=lambda _s, _t, k: k == "contains")

    def node_by_code(code: str) -> str | None:
        return next(
            (n for n, d in g.nodes(data="record") if getattr(d, "code", None) == code), None
        )

    results: dict[str, Any] = {
        "units": len(graph),
        "people": len(graph.people),
        "edges": g.number_of_edges(),
        "build_s": build,
        "rss_mib": built_rss,
        "peak_mib": rss_mib("VmHWM"),
        "ours": {
            "chain": latencies(graph.chain, sample),
            "responsible": latencies(lambda u: graph.responsible(u, "secretary"), sample),
            "by_code": latencies(graph.by_code, code_sample),
            "units_under_street": latencies(lambda s: graph.units(under=s), street_sample),
        },
        "networkx": {
            "chain: nx.ancestors(contains DiGraph)": latencies(
                lambda u: nx.ancestors(tree, u), sample
            ),
            "chain: nx.ancestors(MultiDiGraph, all edges)": latencies(
                lambda u: nx.ancestors(g, u), sample
            ),
            "chain: nx.ancestors(subgraph view)": latencies(
                lambda u: nx.ancestors(contains_view, u), sample[: max(20, slow // 10)]
            ),
            "responsible: predecessor walk (MultiDiGraph)": latencies(
                lambda u: _nx_responsible(g, u, "secretary"), sample
            ),
            "by_code: scan of node records": latencies(node_by_code, code_sample[: slow // 10]),
            "units_under_street: nx.descendants(contains DiGraph)": latencies(
                lambda s: nx.descendants(tree, s), street_sample[:slow]
            ),
            "units_under_street: nx.descendants(MultiDiGraph)": latencies(
                lambda s: nx.descendants(g, s), street_sample[:slow]
            ),
        },
    }
    # Check the answers agree, so the comparison is of equal work.
    for u in sample[:500]:
        assert {x.id for x in graph.chain(u)[1:]} == nx.ancestors(tree, u)
        post = graph.responsible(u, "secretary")
        assert (post.person.id if post else None) == _nx_responsible(g, u, "secretary")
    for s in streets[:5]:
        assert {x.id for x in graph.units(under=s)} == nx.descendants(tree, s)
    return results


def run(scenario: str, queries: int) -> dict[str, Any]:
    """Run one scenario in a fresh interpreter and return its results."""
    out = subprocess.run(
        [sys.executable, __file__, "--scenario", scenario, "--queries", str(queries)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _row(name: str, stats: dict[str, float]) -> str:
    return f"| {name} | {stats['n']:,} | {stats['p50']:.1f} | {stats['p99']:.1f} |"


def report(country_result: dict[str, Any] | None, city_result: dict[str, Any]) -> str:
    lines: list[str] = []
    if country_result is not None:
        c = country_result
        lines += [
            (
                f"Whole country (official table, {c['units']:,} units): load {c['load_s']:.1f} s "
                f"(target <= 30 s), preorder index {c['index_s']:.1f} s, "
                f"RSS +{c['rss_mib']:.0f} MiB, "
                f"peak {c['peak_mib']:.0f} MiB (target <= 1536 MiB); chain p50/p99 "
                f"{c['chain']['p50']:.1f}/{c['chain']['p99']:.1f} µs, by_code "
                f"{c['by_code']['p50']:.1f}/{c['by_code']['p99']:.1f} µs."
            ),
            "",
        ]
    elif not SHARED.exists():
        lines += ["Whole country: skipped (../shared/data/china-divisions-2023 not present).", ""]
    r = city_result
    lines += [
        (
            f"Synthetic city ({r['units']:,} units, {r['people']:,} people, {r['edges']:,} edges): "
            f"built and indexed in {r['build_s']:.1f} s (target <= 10 s), "
            f"RSS +{r['rss_mib']:.0f} MiB "
            f"(target <= 600 MiB), peak {r['peak_mib']:.0f} MiB."
        ),
        "",
        "| query | runs | p50 µs | p99 µs |",
        "|---|---:|---:|---:|",
    ]
    for name, stats in r["ours"].items():
        lines.append(_row(f"**OrgGraph.{name}**", stats))
    for name, stats in r["networkx"].items():
        lines.append(_row(name, stats))
    ours = r["ours"]
    base = r["networkx"]
    ratios = [
        (
            "chain vs nx.ancestors(contains DiGraph)",
            base["chain: nx.ancestors(contains DiGraph)"],
            ours["chain"],
        ),
        (
            "chain vs nx.ancestors(MultiDiGraph)",
            base["chain: nx.ancestors(MultiDiGraph, all edges)"],
            ours["chain"],
        ),
        (
            "responsible vs predecessor walk",
            base["responsible: predecessor walk (MultiDiGraph)"],
            ours["responsible"],
        ),
        ("by_code vs scan", base["by_code: scan of node records"], ours["by_code"]),
        (
            "units(under=street) vs nx.descendants(contains DiGraph)",
            base["units_under_street: nx.descendants(contains DiGraph)"],
            ours["units_under_street"],
        ),
    ]
    lines += ["", "| speed-up (networkx time / OrgGraph time) | p50 | p99 |", "|---|---:|---:|"]
    for name, theirs, mine in ratios:
        lines.append(
            f"| {name} | {theirs['p50'] / mine['p50']:.1f}x | {theirs['p99'] / mine['p99']:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--only", choices=["country", "city"])
    parser.add_argument("--scenario", choices=["country", "city"], help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print raw results as JSON")
    args = parser.parse_args()
    if args.scenario:
        gc.collect()
        result = country(args.queries) if args.scenario == "country" else city(args.queries)
        print(json.dumps(result))
        return
    country_result = None
    if args.only != "city" and SHARED.exists():
        country_result = run("country", args.queries)
    city_result = run("city", args.queries) if args.only != "country" else None
    if args.json:
        print(json.dumps({"country": country_result, "city": city_result}, indent=1))
    elif city_result is not None:
        print(report(country_result, city_result))
    else:
        print(json.dumps(country_result, indent=1))


if __name__ == "__main__":
    main()
