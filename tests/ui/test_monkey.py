"""A seeded stream of 2,000 random UI actions must raise nothing and log no Qt warning
(pytest-qt fails the test on either: qt_log_level_fail and exception capture); whenever the
run is paused the cards show what the engine has, and the session saved at the end opens
and replays to the same numbers."""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import random
import time

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import card_point
from visualizer.app.compare import sides
from visualizer.sim import scenario
from visualizer.sim.schema import ConfigError
from visualizer.sim.simulation import Simulation
from visualizer.sim.summary import summarize

ACTIONS_PER_SEED = int(os.environ.get("MONKEY_ACTIONS", "2000"))
#: A file to append the longest freezes to (gaps of the event loop, with their action):
#: ``MONKEY_ACTIONS=5000 MONKEY_REPORT=freezes.txt pytest tests/ui/test_monkey.py``.
REPORT = os.environ.get("MONKEY_REPORT")
LEFT = Qt.MouseButton.LeftButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
TIMELINE_KEYS = [
    (Qt.Key.Key_Left, SHIFT),
    (Qt.Key.Key_Right, SHIFT),
    (Qt.Key.Key_Home,),
    (Qt.Key.Key_End,),
    (Qt.Key.Key_BracketLeft,),
    (Qt.Key.Key_BracketRight,),
]

KEYS = [
    Qt.Key.Key_Space,
    Qt.Key.Key_Right,
    Qt.Key.Key_Plus,
    Qt.Key.Key_Minus,
    Qt.Key.Key_T,
    Qt.Key.Key_S,
    Qt.Key.Key_R,
    *(getattr(Qt.Key, f"Key_{n}") for n in range(1, 10)),
]


class Heartbeat:
    """A timer that fires as often as the event loop lets it: a long gap is a freeze."""

    def __init__(self) -> None:
        self.action = "start"
        self.gaps: list[tuple[float, str]] = []
        self._last = time.monotonic()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _beat(self) -> None:
        now = time.monotonic()
        self.gaps.append((now - self._last, self.action))
        self._last = now

    def report(self, preset: str, seed: int, actions: int) -> None:
        self.timer.stop()
        # ("big jump" is the test's own shortcut through many simulated seconds, not
        # something a user can do at once)
        worst = sorted(g for g in self.gaps if g[1] != "big jump")[::-1][:5]
        with open(REPORT, "a") as fh:  # noqa: PTH123
            fh.write(f"{preset} seed {seed}, {actions} actions: longest gaps ")
            fh.write(", ".join(f"{gap * 1000:.0f} ms ({action})" for gap, action in worst) + "\n")


@pytest.mark.parametrize(
    ("seed", "preset"),
    [(20261122, "sticky-crash"), (7, "queue-backlog"), (99, "websocket-reconnect-storm")],
)
def test_random_actions(qtbot, open_window, tmp_path, seed, preset):
    rng = random.Random(seed)
    window = open_window(preset)
    c, d, view = window.controls, window.driver, window.canvas
    vp = view.viewport()
    done: list[str] = []
    d.stop()  # frames come from the actions alone: the same seed does the same thing

    def click_server() -> None:
        if window.scene.cards:
            index = rng.choice(list(window.scene.cards))
            qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=card_point(window, index))

    def click_tier() -> None:
        """A lesson's tier node (a service, the queue): left click or its menu."""
        if window.scene.tiers:
            box = window.scene.tiers[rng.choice(list(window.scene.tiers))]
            r = box.sceneBoundingRect()
            pos = view.mapFromScene(r.center().x() + r.width() * 0.2, r.center().y())
            if rng.random() < 0.6:
                qtbot.mouseClick(vp, LEFT, pos=pos)
                return
            event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, vp.mapToGlobal(pos))
            QApplication.sendEvent(vp, event)
            actions = window._menu.actions()
            if actions:
                rng.choice(actions).trigger()
            window._menu.close()

    def click_anywhere() -> None:
        pos = QPoint(rng.randrange(vp.width()), rng.randrange(vp.height()))
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=pos)

    def context_menu() -> None:
        pos = QPoint(rng.randrange(vp.width()), rng.randrange(vp.height()))
        event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, vp.mapToGlobal(pos))
        QApplication.sendEvent(vp, event)
        menu = window._menu
        actions = menu.actions()
        if actions and rng.random() < 0.7:
            rng.choice(actions).trigger()
        menu.close()

    def timeline_click() -> None:
        tl = window.timeline
        pos = QPoint(rng.randrange(max(1, tl.width())), tl.height() // 2)
        qtbot.mouseClick(tl, LEFT, pos=pos)

    def inspect_something() -> None:
        tracker = window.scene.tracker
        idx, xs, ys = tracker._last
        if idx.size:
            k = rng.randrange(idx.size)
            pos = view.mapFromScene(float(xs[k]), float(ys[k]))
            qtbot.mouseClick(vp, LEFT, pos=pos)

    def compare() -> None:
        """Start comparing (B changes one or two settings), change B, or stop."""
        comparing = window.comparing
        if d.comparison is not None and rng.random() < 0.4:
            comparing.stop()
            return
        choices = {
            "state.mode": rng.choice(["local", "shared", "token"]),
            "balancer.sticky": rng.random() < 0.5,
            "servers.count": rng.randint(1, 8),
            "store.latency_ms": rng.choice([0.0, 15.0, 200.0]),
        }
        keys = rng.sample(list(choices), rng.randint(1, 2))
        with contextlib.suppress(ConfigError):  # a refused value: nothing changes
            comparing.start({k: choices[k] for k in keys})

    def alt_click_b() -> None:
        scene = window.comparing.scene
        if d.comparison is not None and scene.cards:
            index = rng.choice(list(scene.cards))
            r = scene.cards[index].sceneBoundingRect()
            canvas = window.comparing.canvas
            pos = canvas.mapFromScene(r.center().x() + r.width() * 0.2, r.y() + r.height() * 0.14)
            alt = Qt.KeyboardModifier.AltModifier if rng.random() < 0.5 else NOMOD
            qtbot.mouseClick(canvas.viewport(), LEFT, alt, pos)

    def tick() -> None:
        for _ in range(rng.randint(1, 4)):
            d.tick(rng.uniform(0.0, 0.2))

    actions = {
        "key": lambda: qtbot.keyClick(view, rng.choice(KEYS)),
        "click server": click_server,
        "click tier": click_tier,
        "click anywhere": click_anywhere,
        "toggle stateful": lambda: qtbot.mouseClick(c.stateful, Qt.MouseButton.LeftButton),
        "toggle sticky": lambda: qtbot.mouseClick(c.sticky, Qt.MouseButton.LeftButton),
        "toggle shared": lambda: qtbot.mouseClick(c.shared, Qt.MouseButton.LeftButton),
        "algorithm": lambda: c.algorithm.setCurrentIndex(rng.randrange(c.algorithm.count())),
        "servers": lambda: c.servers.setValue(rng.randint(1, 16)),
        "users": lambda: c.users.setValue(rng.choice([0.0, 1.0, 20.0, 80.0])),
        "session kb": lambda: c.session_kb.setValue(rng.choice([0.0, 5.0, 50.0, 500.0])),
        "store ms": lambda: c.store_ms.setValue(rng.choice([0.0, 15.0, 200.0])),
        "speed": lambda: c.speed.setValue(rng.randrange(c.speed.maximum() + 1)),
        "step": lambda: qtbot.mouseClick(c.step, Qt.MouseButton.LeftButton),
        "play": lambda: qtbot.mouseClick(c.play, Qt.MouseButton.LeftButton),
        "reset": lambda: qtbot.mouseClick(c.reset, Qt.MouseButton.LeftButton),
        "seed": lambda: c.seed.setValue(rng.randrange(1000)),
        "context menu": context_menu,
        "resize": lambda: window.resize(rng.randint(900, 1700), rng.randint(600, 1100)),
        "tick": tick,
        "big jump": lambda: d.step(rng.uniform(1.0, 30.0)),
        "presenter": lambda: qtbot.keyClick(view, Qt.Key.Key_F5),
        "escape": lambda: qtbot.keyClick(view, Qt.Key.Key_Escape),
        "slide": lambda: qtbot.keyClick(view, rng.choice([Qt.Key.Key_PageDown, Qt.Key.Key_PageUp])),
        "theme": lambda: window.set_theme(rng.choice(["light", "dark", "contrast", "system"])),
        "motion": lambda: window.set_reduced_motion(rng.random() < 0.5),
        "record": lambda: (
            window.exporter.stop_recording(discard=True)
            if window.exporter.is_recording
            else window.exporter.start_recording(rng.choice(["canvas", "window"]), 10.0)
        ),
        "save": lambda: window.files.save_path(tmp_path / f"s{rng.randrange(3)}.toml"),
        "timeline key": lambda: qtbot.keyClick(view, *rng.choice(TIMELINE_KEYS)),
        "timeline click": timeline_click,
        "undo": lambda: qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
        "inspect": inspect_something,
        "follow": lambda: qtbot.mouseClick(window.inspection.inspector.follow, LEFT),
        "event log": lambda: window.inspection.events_dock.setVisible(rng.random() < 0.5),
        "compare": compare,
        "click side b": alt_click_b,
    }
    names = list(actions)
    weights = [6 if n in ("tick", "key", "click server") else 1 for n in names]
    beat = Heartbeat() if REPORT else None
    for _ in range(ACTIONS_PER_SEED):
        name = rng.choices(names, weights)[0]
        if beat is not None:
            beat.action = name
        actions[name]()
        done.append(name)
        QApplication.processEvents()
        # what the running event loop does between events: widgets a theme switch or a
        # compare replaced are deleted (without it they pile up, 256 a theme switch, and
        # every later theme switch restyles them all: the 38 s "freezes" of a 5,000 run)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if not d.running:
            d.tick(0.0)  # the paused picture: every card as the engine has it
            pairs = [(window.scene, d.run)]
            if d.comparison is not None:
                pairs.append((window.comparing.scene, d.comparison.b))
                assert d.comparison.a.now == d.comparison.b.now, name  # one clock
            for scene, run in pairs:
                shown = {i: card.view.up for i, card in scene.cards.items()}
                engine = {s.index: s.up for s in run.engine.servers if not s.removed}
                assert shown == engine, (name, "B" if run is not d.run else "A")
    if beat is not None:
        beat.report(preset, seed, ACTIONS_PER_SEED)
    window.exporter.stop_recording(discard=True)  # closing would ask where to save it
    d.start()  # (closing the window must stop the frame timer)
    t = d.run.engine.totals
    assert t.sent == t.ok + t.failed + t.in_flight
    assert len(set(done)) >= 20
    # whatever was done, the session saves, opens, and replays to the same numbers
    path = window.files.save_path(tmp_path / "final.toml")
    runs = d.comparison.runs if d.comparison is not None else (d.run,)
    for run, config in zip(runs, sides(scenario.load_file(path)), strict=False):
        replay = Simulation(config)
        replay.advance(run.engine.now)
        replayed = json.dumps(summarize(replay), indent=1).splitlines()
        live = json.dumps(summarize(run.engine), indent=1).splitlines()
        diff = "\n".join(difflib.unified_diff(live, replayed, "live", "replayed", n=2))
        assert not diff, f"{path.read_text()}\n{diff}"
    window.close()
    assert not d.timer_active
