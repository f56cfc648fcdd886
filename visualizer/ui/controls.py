"""The control panel: three big toggles, the parameters, and the transport.

It only reports what the user asked for (signals) and shows the engine's current
settings (``sync``); the main window turns requests into engine commands.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.sim.config import MAX_SERVERS, Algorithm, Config, Mode
from visualizer.ui.driver import MAX_SPEED, MIN_SPEED
from visualizer.ui.theme import GREEN, Theme

ALGORITHM_LABELS = {
    Algorithm.ROUND_ROBIN: "Round robin",
    Algorithm.RANDOM: "Random",
    Algorithm.LEAST_CONNECTIONS: "Least connections",
    Algorithm.HASH: "Hash of client address",
}
_SLIDER_STEPS = 200


def speed_to_slider(speed: float) -> int:
    return round(math.log(speed / MIN_SPEED) / math.log(MAX_SPEED / MIN_SPEED) * _SLIDER_STEPS)


def slider_to_speed(value: int) -> float:
    raw = MIN_SPEED * (MAX_SPEED / MIN_SPEED) ** (value / _SLIDER_STEPS)
    return float(f"{raw:.2g}")


def mode_of(stateful: bool, shared: bool) -> Mode:
    if not stateful:
        return Mode.TOKEN
    return Mode.SHARED if shared else Mode.LOCAL


class BigToggle(QPushButton):
    """A large on/off switch whose text says its state (not colour alone)."""

    def __init__(self, title: str, key: str, on_text: str, off_text: str) -> None:
        super().__init__()
        self.title, self.key, self.on_text, self.off_text = title, key, on_text, off_text
        self.setCheckable(True)
        self.setMinimumHeight(58)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.toggled.connect(self._relabel)
        self._relabel(False)

    def _relabel(self, on: bool) -> None:
        state = "ON" if on else "OFF"
        detail = self.on_text if on else self.off_text
        self.setText(f"{self.title}: {state}   ({self.key})\n{detail}")
        self.setAccessibleName(f"{self.title} {state}")
        self.setToolTip(f"{self.title} — press {self.key} to toggle")


class ControlPanel(QWidget):
    statefulToggled = Signal(bool)
    stickyToggled = Signal(bool)
    sharedToggled = Signal(bool)
    algorithmChosen = Signal(str)
    serversChosen = Signal(int)
    usersChosen = Signal(float)
    sessionKbChosen = Signal(float)
    storeLatencyChosen = Signal(float)
    speedChosen = Signal(float)
    playClicked = Signal()
    stepClicked = Signal()
    resetClicked = Signal()
    seedChosen = Signal(int)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("controls")
        self._syncing = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(10)

        state_box = QGroupBox("Where does state live?")
        sl = QVBoxLayout(state_box)
        self.stateful = BigToggle(
            "Stateful", "T", "sessions kept by the servers", "stateless: tokens carry the state"
        )
        self.sticky = BigToggle(
            "Sticky", "S", "each user pinned to one server", "any request, any server"
        )
        self.shared = BigToggle(
            "Shared store", "R", "sessions in a Redis-like store", "no shared store"
        )
        for toggle in (self.stateful, self.sticky, self.shared):
            sl.addWidget(toggle)
        layout.addWidget(state_box)

        params = QGroupBox("System")
        form = QFormLayout(params)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.algorithm = QComboBox()
        for algo, label in ALGORITHM_LABELS.items():
            self.algorithm.addItem(label, algo.value)
        self.algorithm.setAccessibleName("Load balancing algorithm")
        self.servers = QSpinBox()
        self.servers.setRange(1, MAX_SERVERS)
        self.users = QDoubleSpinBox()
        self.users.setRange(0.0, 2_000.0)
        self.users.setDecimals(1)
        self.users.setSuffix(" /s")
        self.session_kb = QDoubleSpinBox()
        self.session_kb.setRange(0.0, 100_000.0)
        self.session_kb.setDecimals(0)
        self.session_kb.setSuffix(" KB")
        self.store_ms = QDoubleSpinBox()
        self.store_ms.setRange(0.0, 10_000.0)
        self.store_ms.setDecimals(1)
        self.store_ms.setSuffix(" ms")
        for spin in (self.servers, self.users, self.session_kb, self.store_ms):
            spin.setKeyboardTracking(False)  # one change per Enter/arrow, not per keystroke
            spin.setMinimumWidth(110)
        form.addRow("Balancer", self.algorithm)
        form.addRow("Servers", self.servers)
        form.addRow("New users", self.users)
        form.addRow("Session size", self.session_kb)
        form.addRow("Store latency", self.store_ms)
        layout.addWidget(params)

        run = QGroupBox("Run")
        rl = QVBoxLayout(run)
        buttons = QHBoxLayout()
        self.play = QPushButton("▶ Play")
        self.play.setToolTip("Play / pause (Space)")
        self.step = QPushButton("Step →")
        self.step.setToolTip("Advance 0.1 simulated seconds (→)")
        self.reset = QPushButton("⟲ Reset")
        self.reset.setToolTip("Start this scenario again from 0 s with the current settings")
        for b in (self.play, self.step, self.reset):
            b.setMinimumHeight(36)
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            buttons.addWidget(b)
        rl.addLayout(buttons)
        speed_row = QHBoxLayout()
        speed_row.addWidget(QLabel("Speed"))
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, _SLIDER_STEPS)
        self.speed.setToolTip("Simulated seconds per second, 0.1× to 50× (+ / −)")
        self.speed.setAccessibleName("Speed")
        self.speed_label = QLabel("1×")
        self.speed_label.setMinimumWidth(48)
        speed_row.addWidget(self.speed, 1)
        speed_row.addWidget(self.speed_label)
        rl.addLayout(speed_row)
        seed_row = QHBoxLayout()
        seed_row.addWidget(QLabel("Seed"))
        self.seed = QSpinBox()
        self.seed.setRange(0, 2_147_483_647)
        self.seed.setKeyboardTracking(False)
        self.seed.setToolTip("Random seed; changing it starts a new run from 0 s")
        seed_row.addWidget(self.seed, 1)
        rl.addLayout(seed_row)
        layout.addWidget(run)
        layout.addStretch(1)
        self.hint = QLabel(
            "Click a server to crash it, again to restart.\n"
            "Keys: Space play · → step · +/− speed\n1–9 server · T S R toggles · F11"
        )
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.muted};")
        layout.addWidget(self.hint)
        self.set_theme(theme)
        self._connect()

    def set_theme(self, theme: Theme) -> None:
        self.setStyleSheet(
            "QPushButton { font-size: 11pt; padding: 4px 8px; }"
            f"QPushButton:checked {{ background: {GREEN}; color: white; font-weight: 600;"
            f" border: 2px solid {theme.text}; border-radius: 6px; }}"
            "QGroupBox { font-weight: 600; font-size: 11pt; }"
        )
        self.hint.setStyleSheet(f"color: {theme.muted};")

    def _connect(self) -> None:
        def guarded(signal: Signal, convert=lambda v: v):
            def emit(value: object) -> None:
                if not self._syncing:
                    signal.emit(convert(value))

            return emit

        self.stateful.toggled.connect(guarded(self.statefulToggled))
        self.sticky.toggled.connect(guarded(self.stickyToggled))
        self.shared.toggled.connect(guarded(self.sharedToggled))
        self.algorithm.currentIndexChanged.connect(
            guarded(self.algorithmChosen, lambda i: self.algorithm.itemData(i))
        )
        self.servers.valueChanged.connect(guarded(self.serversChosen))
        self.users.valueChanged.connect(guarded(self.usersChosen))
        self.session_kb.valueChanged.connect(guarded(self.sessionKbChosen))
        self.store_ms.valueChanged.connect(guarded(self.storeLatencyChosen))
        self.speed.valueChanged.connect(guarded(self.speedChosen, slider_to_speed))
        self.seed.valueChanged.connect(guarded(self.seedChosen))
        self.play.clicked.connect(self.playClicked)
        self.step.clicked.connect(self.stepClicked)
        self.reset.clicked.connect(self.resetClicked)

    def sync(self, config: Config, running: bool, speed: float) -> None:
        """Show the engine's settings without echoing them back as requests."""
        self._syncing = True
        try:
            mode = config.state.mode
            self.stateful.setChecked(mode is not Mode.TOKEN)
            self.shared.setChecked(mode is Mode.SHARED)
            self.sticky.setChecked(config.balancer.sticky)
            i = self.algorithm.findData(config.balancer.algorithm.value)
            self.algorithm.setCurrentIndex(i)
            self.servers.setValue(config.servers.count)
            self.users.setValue(config.traffic.users_per_s)
            self.session_kb.setValue(config.state.session_kb)
            self.store_ms.setValue(config.store.latency_ms)
            self.seed.setValue(min(config.scenario.seed, self.seed.maximum()))
            self.speed.setValue(speed_to_slider(speed))
            self.speed_label.setText(f"{speed:g}×")
            self.play.setText("❚❚ Pause" if running else "▶ Play")
        finally:
            self._syncing = False
