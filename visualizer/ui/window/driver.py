"""Drives the run from a QTimer and is the one place UI actions become commands.

Each tick advances simulated time by wall time × speed, within a time budget so the GUI
thread never blocks: if the engine cannot keep up, the simulation runs slower than asked
(and the status bar says so) instead of freezing the window. Views read ``driver.run``
(its snapshot, samples, markers, event log and traces), never the engine.
"""

from __future__ import annotations

import dataclasses
import gc
import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from visualizer.app.compare import Comparison, Side, sides
from visualizer.app.run import Run
from visualizer.sim.commands import Command, SetValue
from visualizer.sim.config import CompareSection, Config
from visualizer.sim.schema import ConfigError, with_values
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.window.collector import Collector
from visualizer.ui.window.long_work import LongWork

SPEEDS = (0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
MIN_SPEED, MAX_SPEED = SPEEDS[0], SPEEDS[-1]
DEFAULT_SPEED = 1.0  # a new window, and every scenario opened in it, starts at 1×
FRAME_MS = 16
STEP_S = 0.1  # simulated seconds per single step
ENGINE_BUDGET_S = 0.010  # engine time allowed per frame
MAX_FRAME_GAP_S = 0.1  # a stalled frame does not turn into a jump of simulated time
RECORDING_BUDGET_S = 0.05  # captures per frame stop after this; the run slows instead
EVENTS_PER_SLICE = 400  # the engine checks the frame budget this often (about 1 ms)


@dataclass(frozen=True)
class Frame:
    snapshot: Snapshot
    new_samples: bool
    other: Snapshot | None = None  # side B, when comparing


class SimDriver(QObject):
    frameReady = Signal(object)  # Frame
    runningChanged = Signal(bool)
    speedChanged = Signal(float)
    restarted = Signal(object)  # Config of the new run
    jumped = Signal()  # the run moved to another moment (seek, undo): views redraw whole
    comparisonChanged = Signal(object)  # the Comparison now shown, or None
    problem = Signal(str)  # a message for the user (bad value etc.)

    def __init__(self, config: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._wall = QElapsedTimer()
        self._running = False
        self._speed = DEFAULT_SPEED
        self.actual_speed = 0.0
        self._progress: deque[tuple[float, float]] = deque()
        self._progress_wall = 0.0
        self.engine_ms = 0.0
        self.fps = 0.0
        self._frame_times: list[float] = []
        self._samples_seen = 0
        self._force_frame = True
        self._capture: Callable[[float], None] | None = None
        self._capture_fps = 20.0
        self._next_capture = self._last_capture = 0.0
        self._record_clock = 0.0
        self.comparison: Comparison | None = None
        self.work = LongWork()  # long work with progress (the window gives it a parent)
        self.collector = Collector(self)  # the garbage collector, on the frames' schedule
        self.run = self._build(config)

    # --- state --------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def config(self) -> Config:
        return self.run.config

    @property
    def now(self) -> float:
        return self.run.now

    @property
    def end(self) -> float:
        """The furthest moment computed (of both runs, when comparing)."""
        return self._driven.end

    @property
    def _driven(self) -> Run | Comparison:
        """What time acts on: the run, or both runs of a comparison."""
        return self.comparison if self.comparison is not None else self.run

    def _build(self, config: Config) -> Run:
        """A new run (two, on one clock, if ``config`` has a [compare] section); returns A."""
        if config.compare is None:
            self.comparison = None
            return Run(config, background=True)
        self.comparison = Comparison(config, background=True)
        return self.comparison.a

    def start(self) -> None:
        """Start producing frames (the simulation itself stays paused until ``play``)."""
        self._wall.start()
        self._timer.start()

    def stop(self) -> None:
        """Stop the timer for good (the window is closing)."""
        self._timer.stop()
        self._set_running(False)

    @property
    def timer_active(self) -> bool:
        return self._timer.isActive()

    def play(self) -> None:
        self._set_running(True)

    def pause(self) -> None:
        self._set_running(False)

    def toggle(self) -> None:
        self._set_running(not self._running)

    def _set_running(self, running: bool) -> None:
        if running != self._running:
            self._running = running
            self._wall.restart()
            self._force_frame = True  # the paused picture is drawn whole, at once
            self.runningChanged.emit(running)

    def set_speed(self, speed: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, float(speed)))
        if speed != self._speed:
            self._speed = speed
            if self._capture is not None:  # the next capture comes one new step after the last
                step = speed / self._capture_fps
                self._next_capture = max(self.run.now, self._last_capture + step)
            self.speedChanged.emit(speed)

    def faster(self) -> None:
        self.set_speed(next((s for s in SPEEDS if s > self._speed + 1e-9), MAX_SPEED))

    def slower(self) -> None:
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self._speed - 1e-9), MIN_SPEED))

    # --- commands -------------------------------------------------------------------------

    def apply(self, command: Command, side: Side | None = None) -> bool:
        """Apply a command at the current simulated time (to both runs when comparing,
        or to one ``side``); bad values become ``problem``.

        Commands land on whole milliseconds (the run first moves on by less than a
        millisecond if needed), so a saved session reads ``at_s = 19.518``."""
        if self.work.busy:
            return False
        clock = self._driven
        on_ms = math.ceil(clock.now * 1000.0 - 1e-6) / 1000.0
        if on_ms > clock.now:
            clock.advance(on_ms)
        try:
            if self.comparison is not None:
                changed = self.comparison.apply(command, side)
            else:
                changed = self.run.apply(command)
        except ConfigError as exc:
            self.problem.emit(str(exc))
            return False
        if changed:
            self._force_frame = True
        return changed

    def set_value(self, key: str, value: Any) -> bool:
        """One setting changed from a panel field (a toggle's changes: ``Steering``)."""
        return self.apply(SetValue(key, value))

    def step(self, seconds: float = STEP_S) -> None:
        """Advance a little while paused (pauses first if running)."""
        if self.work.busy:
            return
        self.pause()
        self._driven.advance(self.run.now + seconds)
        self._force_frame = True
        self._emit_frame()

    def redraw(self) -> None:
        """Publish a whole frame now, playing or paused (after a resize or a mode change)."""
        self._force_frame = True
        self._emit_frame()

    def seek(self, t: float) -> None:
        """Show the run at simulated time ``t`` (0 to the furthest computed); playing goes
        on from there. A long replay shows its progress and can be cancelled (the run then
        shows the moment it reached)."""
        if t == self.run.now or self.work.busy:
            return
        steps = self._driven.seeking(t)
        self.work.run("Rewinding", f"Computing the run at {t:,.1f} s…", steps)
        self._moved()

    def undo(self) -> bool:
        """Bring back the future a command given in the past replaced."""
        if self.work.busy:
            return False
        steps = self._driven.undoing()
        if steps is None:
            self.problem.emit("nothing to undo: no command was given in the past")
            return False
        self.work.run("Undo", "Bringing back the future you replaced…", steps)
        self._moved()
        return True

    def _moved(self) -> None:
        self.collector.engine_replaced()
        self._next_capture = self._last_capture = self._record_clock = self.run.now
        self._samples_seen = -1
        self.jumped.emit()
        self._force_frame = True
        self._emit_frame()

    def restart(self, config: Config | None = None, seed: int | None = None) -> None:
        """A fresh run from t = 0 with the current settings (or ``config``), new seed if given."""
        if self.work.busy:
            return
        base = config if config is not None else self._current_settings()
        if seed is not None:
            try:
                base = with_values(base, {"scenario.seed": seed}, "seed")
            except ConfigError as exc:
                self.problem.emit(str(exc))
                return
        try:
            sides(base)  # B's changes must still fit A's settings: refuse before tearing down
        except ConfigError as exc:
            self.problem.emit(f"Cannot restart: {exc}")
            return
        was_comparing = self.comparison is not None
        self.run = self.comparison = None  # type: ignore[assignment]
        gc.collect()  # the old run's objects go now, not in a hitch during the new one
        self.run = self._build(base)
        self._next_capture = self._last_capture = self._record_clock = 0.0
        self._samples_seen = 0
        self._force_frame = True
        if was_comparing or self.comparison is not None:
            self.comparisonChanged.emit(self.comparison)
        self.restarted.emit(base)
        self._emit_frame()

    def _current_settings(self) -> Config:
        """The settings in effect now; when comparing, with B's changes as [compare]."""
        config = self.run.config
        if self.comparison is None:
            return config
        changes = (self.comparison.config.compare or CompareSection()).changes
        return dataclasses.replace(config, compare=CompareSection(changes))

    def compare(self, config: Config) -> bool:
        """Compare from now on: A and B (``config`` and its [compare] section) computed
        from 0 s to the moment shown, then shown side by side. A long computation shows
        its progress and can be cancelled (nothing changes then)."""
        if self.work.busy:
            return False
        comparison = Comparison(config, background=True)
        steps = comparison.advancing(self.run.now)
        if not self.work.run("Compare", "Computing A and B up to this moment…", steps):
            return False
        self.comparison = comparison
        self.run = comparison.a
        self._moved_to_new_runs(config)
        return True

    def stop_comparing(self) -> None:
        """Keep side A as the one run (its past, its future and its commands stay)."""
        if self.comparison is None:
            return
        self.comparison = None
        self._moved_to_new_runs(self.run.initial_config)

    def _moved_to_new_runs(self, config: Config) -> None:
        self.collector.engine_replaced()
        self._samples_seen = -1
        self._next_capture = self._last_capture = self._record_clock = self.run.now
        self.comparisonChanged.emit(self.comparison)
        self.restarted.emit(config)
        self.jumped.emit()
        self._force_frame = True
        self._emit_frame()

    def reproducible_config(self) -> Config:
        """What saving writes: the run (or the comparison) as a scenario that replays."""
        if self.comparison is not None:
            return self.comparison.reproducible_config()
        return self.run.reproducible_config()

    # --- frames ---------------------------------------------------------------------------

    def _tick(self) -> None:
        self.tick(self._wall.restart() / 1000.0)

    def tick(self, wall_dt: float) -> None:
        """One frame: advance by ``wall_dt`` × speed (if playing) and publish the frame.
        (None while long work runs: the run is half-way through it.)"""
        if self.work.busy:
            return
        wall_dt = min(max(wall_dt, 0.0), MAX_FRAME_GAP_S)
        now = time.monotonic()
        self._frame_times.append(now)
        while self._frame_times and now - self._frame_times[0] > 1.0:
            self._frame_times.pop(0)
        self.fps = float(len(self._frame_times))
        if self._running and wall_dt > 0 and self._capture is not None:
            self._tick_recording(wall_dt)
            self.collector.frame()
        elif self._running and wall_dt > 0:
            start_t = self.run.now
            started = time.perf_counter()
            self._advance_within(start_t + wall_dt * self._speed, started + ENGINE_BUDGET_S)
            self.engine_ms = (time.perf_counter() - started) * 1000.0
            self._note_progress(wall_dt, self.run.now - start_t)
            self._emit_frame()
            self.collector.frame()
        elif self._force_frame:
            self._progress.clear()
            self.actual_speed = 0.0
            self._emit_frame()
        else:
            self.frameReady.emit(None)  # wall-clock effects (flashes, bursts) still animate

    def _advance_within(self, target: float, deadline: float) -> bool:
        """Advance towards ``target`` in slices of a few hundred events until the wall-clock
        ``deadline``: under heavy load the run slows down, the window never stalls."""
        while not self._driven.advance_some(target, EVENTS_PER_SLICE):
            if time.perf_counter() > deadline:
                return False
        return True

    # --- recording ------------------------------------------------------------------------

    @property
    def recording(self) -> bool:
        return self._capture is not None

    def start_recording(self, fps: float, capture: Callable[[float], None]) -> None:
        """From now on, while playing, advance through instants ``speed / fps`` simulated
        seconds apart and call ``capture(t)`` after the frame for each is shown."""
        self._capture = capture
        self._capture_fps = fps
        self._next_capture = self._last_capture = self.run.now
        self._record_clock = self.run.now

    def stop_recording(self) -> None:
        self._capture = None

    def _tick_recording(self, wall_dt: float) -> None:
        """Simulated time moves from capture to capture; the clock between them is kept
        in ``_record_clock`` so ticks shorter than a capture step still add up."""
        start_t = self.run.now
        self._record_clock = max(self._record_clock, start_t) + wall_dt * self._speed
        deadline = time.perf_counter() + RECORDING_BUDGET_S
        while self._next_capture <= self._record_clock and self._capture is not None:
            t = self._next_capture
            if not self._advance_within(t, deadline):
                self._record_clock = self.run.now  # the next frame goes on towards t
                break
            self._emit_frame()
            self._capture(t)
            self._last_capture = t
            self._next_capture = t + self._speed / self._capture_fps
            if time.perf_counter() > deadline:
                # too slow to keep up: drop the backlog; the clip stays smooth and the
                # live run runs slower than asked instead
                self._record_clock = self.run.now
                break
        self._note_progress(wall_dt, self.run.now - start_t)

    def _note_progress(self, wall_dt: float, sim_dt: float) -> None:
        """Actual speed over the last second (single frames may not advance at all)."""
        progress = self._progress
        progress.append((wall_dt, sim_dt))
        self._progress_wall += wall_dt
        while self._progress_wall > 1.0 and len(progress) > 1:
            self._progress_wall -= progress.popleft()[0]
        wall = sum(w for w, _ in progress)
        self.actual_speed = sum(d for _, d in progress) / wall if wall > 0 else 0.0

    def _emit_frame(self) -> None:
        self._force_frame = False
        samples = len(self.run.samples)
        new = samples != self._samples_seen
        self._samples_seen = samples
        other = self.comparison.b.snapshot() if self.comparison is not None else None
        self.frameReady.emit(Frame(self.run.snapshot(), new, other))
