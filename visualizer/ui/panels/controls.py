"""The control panel: three big toggles, the parameters, and the transport.

It only reports what the user asked for (signals) and shows the engine's current
settings (``sync``); the main window turns requests into engine commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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

from visualizer.lessons import SPECS, LessonControls, controls_for
from visualizer.sim.config import Algorithm, Config
from visualizer.sim.schema import key_specs
from visualizer.ui.colors import GREEN, Theme
from visualizer.ui.window.driver import MAX_SPEED, MIN_SPEED


def first_lesson() -> LessonControls:
    """The panel's lesson until the first run's settings come (a window opens on it)."""
    return next(iter(SPECS.values())).controls


#: The balancing algorithms' words, from the setting's spec.
ALGORITHM_LABELS = {
    Algorithm(value): words for value, words in key_specs()["balancer.algorithm"].choice_words
}
_SLIDER_STEPS = 200


def speed_to_slider(speed: float) -> int:
    return round(math.log(speed / MIN_SPEED) / math.log(MAX_SPEED / MIN_SPEED) * _SLIDER_STEPS)


def slider_to_speed(value: int) -> float:
    raw = MIN_SPEED * (MAX_SPEED / MIN_SPEED) ** (value / _SLIDER_STEPS)
    return float(f"{raw:.2g}")


@dataclass(frozen=True)
class Field:
    """A setting the panel offers: its scenario key and how to type it (a number in a
    spin box, one of ``choices`` in a list, or a check box when ``check``)."""

    key: str
    label: str
    lo: float = 0.0
    hi: float = 0.0
    decimals: int = -1  # -1: a whole number
    suffix: str = ""
    tip: str = ""
    special: str = ""  # shown instead of the lowest value (e.g. "no cap" for 0)
    choices: tuple[tuple[str, str], ...] = ()  # (value, words)
    check: bool = False


def field_for(key: str) -> Field:
    """How the panel and the dialogs type a setting, from its one spec
    (``schema.key_specs``): its label, range (rounded in to the digits typed), unit,
    meaning, words for its lowest value and for its choices."""
    spec = key_specs()[key]
    if spec.kind == "bool":
        return Field(key, spec.label, tip=spec.doc, check=True)
    if spec.kind == "choice":
        words = dict(spec.choice_words)
        choices = tuple((value, words.get(value, value)) for value in spec.choices)
        return Field(key, spec.label, tip=spec.doc, choices=choices)
    step = 10.0 ** -max(0, spec.decimals)
    lo = math.ceil(float(spec.lo or 0.0) / step - 1e-9) * step
    hi = math.floor(float(spec.hi or 0.0) / step + 1e-9) * step
    unit = f" {spec.unit}" if spec.unit else ""
    return Field(key, spec.label, lo, hi, spec.decimals, unit, spec.doc, spec.special)


def panel_fields() -> tuple[Field, ...]:
    """Every setting a lesson's panel offers, in the panel's order (every installed
    lesson's)."""
    panels = [spec.controls for spec in SPECS.values()]
    return tuple(field_for(key) for key in dict.fromkeys(k for c in panels for k in c.fields))


def field_by_key() -> dict[str, Field]:
    """Those, and what the lessons' toggles set (the Compare dialog offers them as lists)."""
    designs = (key for spec in SPECS.values() for key in spec.controls.design)
    return {f.key: f for f in panel_fields()} | {key: field_for(key) for key in designs}


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
    """The toggles and settings of the run's lesson (``visualizer.lessons``)."""

    toggleChosen = Signal(str, bool)  # T, S or R; on
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

        first = first_lesson()
        self.lesson = first
        self.state_box = QGroupBox(first.heading)
        sl = QVBoxLayout(self.state_box)
        self.toggles = [BigToggle(t.title, t.letter, "", t.off_text) for t in first.toggles]
        # (named for the sessions lesson; other lessons relabel them)
        self.stateful, self.sticky, self.shared = self.toggles
        for toggle in self.toggles:
            sl.addWidget(toggle)
        layout.addWidget(self.state_box)

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
        self.form = form
        self.fields: dict[str, QWidget] = {}
        for f in panel_fields():
            widget = field_widget(f)
            widget.setMinimumWidth(80)
            widget.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            form.addRow(f.label, widget)
            self.fields[f.key] = widget
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
        self.hint_head = (
            "Click a server to crash it, again to restart.\n"
            "Keys: Space play · → step · +/− speed · 1–9 server"
        )
        self.hint = QLabel(self.hint_head)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet(f"color: {theme.muted};")
        layout.addWidget(self.hint)
        self.set_theme(theme)
        self._connect()
        self.lesson = None  # type: ignore[assignment]
        self._show_lesson(first_lesson())  # (until the first sync: the sessions lesson's rows only)

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

        for toggle in self.toggles:
            toggle.toggled.connect(
                lambda on, toggle=toggle: (
                    None if self._syncing else self.toggleChosen.emit(toggle.key, on)
                )
            )
        self.algorithm.currentIndexChanged.connect(
            guarded(self.algorithmChosen, lambda i: self.algorithm.itemData(i))
        )
        for key, widget in self.fields.items():

            def chosen(value: object, key: str = key, widget: QWidget = widget) -> None:
                if not self._syncing:
                    self.valueChosen.emit(key, field_value(widget))

            field_changed(widget).connect(chosen)
        self.speed.valueChanged.connect(guarded(self.speedChosen, slider_to_speed))
        self.seed.valueChanged.connect(guarded(self.seedChosen))
        self.play.clicked.connect(self.playClicked)
        self.step.clicked.connect(self.stepClicked)
        self.reset.clicked.connect(self.resetClicked)
        self.compare.clicked.connect(self.compareClicked)

    def _show_lesson(self, lesson: LessonControls) -> None:
        """The lesson's question, toggles and settings (the other lessons' rows hide)."""
        if lesson is self.lesson:
            return
        self.lesson = lesson
        self.state_box.setTitle(lesson.heading)
        for toggle, spec in zip(self.toggles, lesson.toggles, strict=True):
            toggle.title, toggle.key, toggle.off_text = spec.title, spec.letter, spec.off_text
        self.set_hint_head(self.hint_head)
        for key, widget in self.fields.items():
            self.form.setRowVisible(widget, key in lesson.fields)

    def set_hint_head(self, head: str) -> None:
        """The keys hint: ``head``, then the lesson's own toggles ("T consumer running")."""
        self.hint_head = head
        toggles = " · ".join(f"{s.letter} {s.title.lower()}" for s in self.lesson.toggles)
        self.hint.setText(f"{head}\n{toggles} on/off")

    def sync(self, config: Config, running: bool, speed: float) -> None:
        """Show the engine's settings without echoing them back as requests."""
        self._syncing = True
        try:
            self._show_lesson(controls_for(config))
            for toggle, spec in zip(self.toggles, self.lesson.toggles, strict=True):
                toggle.on_text = spec.on_text(config)
                toggle.setChecked(spec.is_on(config))
                toggle.relabel()
            i = self.algorithm.findData(config.balancer.algorithm.value)
            self.algorithm.setCurrentIndex(i)
            for key, widget in self.fields.items():
                set_field(widget, config.get(key))
            self.seed.setValue(min(config.scenario.seed, self.seed.maximum()))
            self.speed.setValue(speed_to_slider(speed))
            self.speed_label.setText(f"{speed:g}×")
            self.play.setText("❚❚ Pause" if running else "▶ Play")
        finally:
            self._syncing = False


# --- one setting's widget ------------------------------------------------------------------


def field_widget(f: Field) -> QWidget:
    """The widget that types ``f``: a spin box, a list of choices or a check box."""
    widget: QWidget
    if f.check:
        widget = QCheckBox()
    elif f.choices:
        widget = QComboBox()
        for value, words in f.choices:
            widget.addItem(words, value)
    else:
        spin = QSpinBox() if f.decimals < 0 else QDoubleSpinBox()
        if isinstance(spin, QDoubleSpinBox):
            spin.setDecimals(f.decimals)
            spin.setSingleStep(10**-f.decimals if f.hi <= 1 else 1)
        spin.setRange(f.lo, f.hi)  # type: ignore[arg-type]
        spin.setSuffix(f.suffix)
        spin.setKeyboardTracking(False)  # one change per Enter/arrow, not per keystroke
        if f.special:
            spin.setSpecialValueText(f.special)
        widget = spin
    widget.setToolTip(f.tip)
    widget.setAccessibleName(f.label)
    return widget


def field_value(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    return widget.value()  # type: ignore[attr-defined]


def set_field(widget: QWidget, value: Any) -> None:
    if isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    elif isinstance(widget, QComboBox):
        widget.setCurrentIndex(widget.findData(getattr(value, "value", value)))
    else:
        widget.setValue(value)  # type: ignore[attr-defined]


def field_changed(widget: QWidget) -> Any:
    """The signal that says the user changed ``widget``'s value."""
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    return widget.valueChanged  # type: ignore[attr-defined]
