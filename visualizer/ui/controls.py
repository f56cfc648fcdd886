"""The control panel: three big toggles, the parameters, and the transport.

It only reports what the user asked for (signals) and shows the engine's current
settings (``sync``); the main window turns requests into engine commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Field:
    """A setting the panel offers: its scenario key and how to type it."""

    key: str
    label: str
    lo: float
    hi: float
    decimals: int  # -1: a whole number
    suffix: str = ""
    tip: str = ""
    special: str = ""  # shown instead of the lowest value (e.g. "no cap" for 0)


#: Every setting that carries a lesson, in the order of the panel.
FIELDS = (
    Field("servers.count", "Servers", 1, MAX_SERVERS, -1, "", "servers in the fleet"),
    Field("servers.workers", "Workers", 1, 1_024, -1, " / server", "requests a server works on"),
    Field("traffic.users_per_s", "New users", 0.0, 2_000.0, 1, " /s", "users arriving a second"),
    Field("state.session_kb", "Session size", 0.0, 100_000.0, 0, " KB", "memory per session"),
    Field(
        "servers.memory_mb",
        "Memory cap",
        0.0,
        1_000_000.0,
        0,
        " MB",
        "a server past this much session memory dies (out of memory)",
        "no cap",
    ),
    Field("state.ttl_s", "Session TTL", 1.0, 86_400.0, 0, " s", "idle time before expiry"),
    Field("store.latency_ms", "Store latency", 0.0, 10_000.0, 1, " ms", "store round trip"),
    Field("store.replicas", "Store replicas", 0, 9, -1, "", "replicas keep sessions", "none"),
    Field(
        "balancer.health_check_s",
        "Health check",
        0.0,
        3_600.0,
        1,
        " s",
        "how often the balancer notices a dead server",
        "instant",
    ),
)


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
        self.toggled.connect(lambda _: self.relabel())
        self.relabel()

    def relabel(self) -> None:
        """The text says the state (and what it means now)."""
        on = self.isChecked()
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
    valueChosen = Signal(str, object)  # scenario key, value (from the fields)
    speedChosen = Signal(float)
    playClicked = Signal()
    stepClicked = Signal()
    resetClicked = Signal()
    seedChosen = Signal(int)
    compareClicked = Signal()

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
            "Stateful", "T", "sessions on the servers", "tokens carry the state"
        )
        self.sticky = BigToggle("Sticky", "S", "a user stays on one server", "any server, any time")
        self.shared = BigToggle(
            "Shared store", "R", "sessions in a shared store", "no shared store"
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
        # narrow panels (1280 px screens): the list opens wide, the box stays small
        self.algorithm.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.algorithm.setMinimumContentsLength(10)
        self.algorithm.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.algorithm.setMinimumWidth(110)
        form.addRow("Balancer", self.algorithm)
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for f in FIELDS:
            spin = QSpinBox() if f.decimals < 0 else QDoubleSpinBox()
            if isinstance(spin, QDoubleSpinBox):
                spin.setDecimals(f.decimals)
            spin.setRange(f.lo, f.hi)  # type: ignore[arg-type]
            spin.setSuffix(f.suffix)
            spin.setToolTip(f.tip)
            spin.setAccessibleName(f.label)
            spin.setKeyboardTracking(False)  # one change per Enter/arrow, not per keystroke
            spin.setMinimumWidth(80)
            spin.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            if f.special:
                spin.setSpecialValueText(f.special)
            form.addRow(f.label, spin)
            self.fields[f.key] = spin
        # the ones tests and the window name directly
        self.servers = self.fields["servers.count"]
        self.users = self.fields["traffic.users_per_s"]
        self.session_kb = self.fields["state.session_kb"]
        self.store_ms = self.fields["store.latency_ms"]
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
            # the row shares the panel's width (narrow on a 1280 px screen)
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
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
        self.compare = QPushButton("⇆ Compare A / B…")
        self.compare.setToolTip(
            "Run a second design beside this one on exactly the same users (Ctrl+K)"
        )
        self.compare.setMinimumHeight(36)
        self.compare.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        rl.addWidget(self.compare)
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
            "QPushButton { font-size: 10pt; padding: 4px 6px; }"
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
        for key, spin in self.fields.items():
            spin.valueChanged.connect(
                lambda value, key=key: None if self._syncing else self.valueChosen.emit(key, value)
            )
        self.speed.valueChanged.connect(guarded(self.speedChosen, slider_to_speed))
        self.seed.valueChanged.connect(guarded(self.seedChosen))
        self.play.clicked.connect(self.playClicked)
        self.step.clicked.connect(self.stepClicked)
        self.reset.clicked.connect(self.resetClicked)
        self.compare.clicked.connect(self.compareClicked)

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
            for key, spin in self.fields.items():
                spin.setValue(config.get(key))
            shared = mode is Mode.SHARED
            self.stateful.on_text = "sessions in the store" if shared else "sessions on the servers"
            self.stateful.relabel()
            self.seed.setValue(min(config.scenario.seed, self.seed.maximum()))
            self.speed.setValue(speed_to_slider(speed))
            self.speed_label.setText(f"{speed:g}×")
            self.play.setText("❚❚ Pause" if running else "▶ Play")
        finally:
            self._syncing = False
