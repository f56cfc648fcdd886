"""Rewinding: seek to 100 random times in a one-hour simulated run of sticky-crash.

Targets: median < 100 ms and max < 300 ms per seek; checkpoints < 200 MB in memory.
The run is built as the window builds it (event records and request traces on) and
advanced in one-second steps, as frames do.

    python benchmarks/seek.py [--hours H] [--seeks N]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from visualizer.app.run import Run
from visualizer.sim.scenario import load
from visualizer.sim.schema import with_values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--seeks", type=int, default=100)
    args = parser.parse_args()
    duration = args.hours * 3600.0
    config = with_values(load("sticky-crash"), {"scenario.duration_s": duration}, "benchmark")
    run = Run(config)
    t0 = time.perf_counter()
    t = 0.0
    while t < duration:
        t = min(duration, t + 1.0)
        run.advance(t)
    built = time.perf_counter() - t0
    rng = random.Random(7)
    times = []
    for _ in range(args.seeks):
        target = rng.uniform(0.0, duration)
        start = time.perf_counter()
        run.seek(target)
        times.append((time.perf_counter() - start) * 1000.0)
    mb = run.checkpoint_bytes() / 1e6
    print(
        f"run: {duration:,.0f} simulated s of sticky-crash built in {built:.1f} s; "
        f"{len(run._checkpoints)} checkpoints, {mb:,.1f} MB"
    )
    print(
        f"seek ({args.seeks} random times): median {statistics.median(times):.1f} ms, "
        f"p95 {sorted(times)[int(0.95 * len(times)) - 1]:.1f} ms, max {max(times):.1f} ms "
        "(targets: median < 100 ms, max < 300 ms; checkpoints < 200 MB)"
    )


if __name__ == "__main__":
    main()
