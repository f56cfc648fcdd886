"""A long run in the real window: memory, garbage-collection pauses and the slowest frames.

Plays a preset at 50× in the main window offscreen (1600×1000) for a number of wall-clock
minutes, frame after frame as the window's timer does, and prints every minute the
simulated time, RSS, the checkpoints' bytes, the samples kept, the longest full garbage
collection and the slowest frame. What it checks is the README's promise: memory stays
within the rewind budget however long the run, and frames stay smooth.

    python benchmarks/long_run.py [--minutes 10] [--preset sticky-crash] [--speed 50]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from pathlib import Path

from visualizer.offscreen import offscreen_platform

os.environ.setdefault("QT_QPA_PLATFORM", offscreen_platform())


def rss_mb() -> float:
    with Path("/proc/self/status").open() as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


class GcPauses:
    """Durations of the collector's runs, by generation."""

    def __init__(self) -> None:
        self.started = 0.0
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        gc.callbacks.append(self)

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self.started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--preset", default="sticky-crash")
    parser.add_argument("--speed", type=float, default=50.0)
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from visualizer.sim import scenario
    from visualizer.ui.window.app import build_window, make_app, tune_gc

    make_app()
    window = build_window(scenario.load(args.preset))
    window.resize(1600, 1000)
    window.show()
    app = QApplication.instance()
    app.processEvents()
    window.load_plots()
    tune_gc()  # as run_app does
    pauses = GcPauses()
    driver = window.driver
    driver.stop()  # frames are driven here, not by the window's timer
    driver.set_speed(args.speed)
    driver.play()
    print(f"{args.preset} at {args.speed:g}× for {args.minutes:g} min; start RSS {rss_mb():.0f} MB")
    print(
        f"{'min':>4} {'sim s':>8} {'RSS MB':>7} {'ckpt MB':>8} {'samples':>8} "
        f"{'full GCs':>8} {'longest GC':>10} {'frame p50':>9} {'frame max':>9}"
    )
    started = last = time.perf_counter()
    minute, frames, worst = 1, [], 0.0
    while True:
        t0 = time.perf_counter()
        driver.tick(t0 - last)  # the wall time since the last frame began, as the timer's
        last = t0
        app.processEvents()
        t1 = time.perf_counter()
        frames.append(t1 - t0)
        if t1 - started >= minute * 60.0:
            run = driver.run
            full = pauses.pauses[2]
            worst = max(worst, max(frames))
            print(
                f"{minute:>4} {run.now:>8.0f} {rss_mb():>7.0f} "
                f"{run.checkpoint_bytes() / 1e6:>8.1f} {len(run.samples):>8} "
                f"{len(full):>8} {max(full, default=0.0) * 1000:>8.0f} ms "
                f"{statistics.median(frames) * 1000:>6.1f} ms {max(frames) * 1000:>6.0f} ms",
                flush=True,
            )
            frames = []
            if minute >= args.minutes:
                break
            minute += 1
        if (delay := 1 / 60 - (time.perf_counter() - t0)) > 0:
            time.sleep(delay)  # a frame every 16.7 ms, as the window's timer
    print(f"slowest frame {worst * 1000:.0f} ms; final RSS {rss_mb():.0f} MB")
    window.close()


if __name__ == "__main__":
    main()
