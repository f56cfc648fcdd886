"""A fleet flapped between 64 servers and 1: how long the engine takes.

Each ``set servers.count = 64`` after a ``= 1`` brings 63 new servers (names are never
reused), so N faults leave about 32 × N servers ever created, of which at most 64 exist.
The engine's cost should follow the servers that exist, not those ever created.

    python benchmarks/flap.py [--faults N ...] [--duration S] [--memory] [--csv]

``--memory`` measures the peak traced memory (tracemalloc; it slows the run about 1.5×);
``--csv`` also writes the per-second rows (as ``visualizer run --csv`` does) and times them.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import time
import tracemalloc

from visualizer.sim import table
from visualizer.sim.config import MAX_SERVERS, Config, Fault, FaultAction
from visualizer.sim.scenario import load
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize


def flapping(faults: int, duration: float, at_s: float = 1.0) -> Config:
    """sticky-crash with ``faults`` settings of servers.count, 64 and 1 in turn, at one instant."""
    base = load("sticky-crash")
    flaps = tuple(
        Fault(at_s, FaultAction.SET, None, "servers.count", MAX_SERVERS if k % 2 == 0 else 1)
        for k in range(faults)
    )
    scenario = dataclasses.replace(base.scenario, duration_s=duration)
    return dataclasses.replace(base, scenario=scenario, faults=flaps)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faults", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--csv", action="store_true")
    args = parser.parse_args()
    for n in args.faults:
        config = flapping(n, args.duration)
        if args.memory:
            tracemalloc.start()
        start = time.perf_counter()
        sim = Simulation(config, history_s=int(args.duration))
        sim.run()
        ran = time.perf_counter() - start
        summary = summarize(sim)
        summarized = time.perf_counter() - start - ran
        line = (
            f"{n:>6,} faults: {len(sim.servers):>7,} servers ever, "
            f"{sum(s.live for s in sim.servers)} live; run {args.duration:.0f} s in {ran:.2f} s, "
            f"summary {summarized:.2f} s, {summary['requests']['total']:,} requests"
        )
        if args.memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            line += f", peak traced memory {peak / 1e6:,.1f} MB"
        if args.csv:
            start = time.perf_counter()
            out = io.StringIO()
            slots = len(sim.servers)
            out.write(",".join(table.header(slots)) + "\n")
            for row in table.rows(sim.samples, slots):
                out.write(",".join(row) + "\n")
            line += f"; CSV {time.perf_counter() - start:.2f} s, {len(out.getvalue()) / 1e6:.1f} MB"
        print(line, flush=True)


if __name__ == "__main__":
    main()
