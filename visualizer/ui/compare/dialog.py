"""Compare… (Ctrl+K): what B changes. B starts as a copy of A; the user changes one
setting or several, and the dialog returns only what differs from A."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.lessons import controls_for
from visualizer.sim.config import Config
from visualizer.ui.panels.controls import (
    ALGORITHM_LABELS,
    field_by_key,
    field_value,
    field_widget,
    set_field,
)

#: The one setting the dialog never offers: the users' traffic is the same on both sides.
SAME_TRAFFIC = "traffic.users_per_s"


class CompareDialog(QDialog):
    """B's settings, shown as A's plus the changes made so far."""

    STOP = 2  # result: stop comparing

    def __init__(self, a: Config, b: Config, comparing: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare A with B")
        self.a = a
        box = QVBoxLayout(self)
        intro = QLabel(
            "B runs beside A on exactly the same users. Change what B does differently "
            "(one setting or several); everything else stays as in A."
        )
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        lesson, fields = controls_for(a), field_by_key()
        # the design first (what the lesson's toggles set), as lists and boxes
        self.design: dict[str, QWidget] = {}
        for key in lesson.design:
            if key == "balancer.sticky":
                continue
            widget = field_widget(fields[key])
            form.addRow(fields[key].label, widget)
            set_field(widget, b.get(key))
            self.design[key] = widget
        self.mode = next(iter(self.design.values()))
        self.sticky = QCheckBox("Sticky sessions (a user stays on one server)")
        self.sticky.setChecked(b.balancer.sticky)
        form.addRow("", self.sticky)
        self.algorithm = QComboBox()
        for algo, label in ALGORITHM_LABELS.items():
            self.algorithm.addItem(label, algo.value)
        self.algorithm.setCurrentIndex(self.algorithm.findData(b.balancer.algorithm.value))
        form.addRow("Balancer", self.algorithm)
        self.fields: dict[str, QWidget] = {}
        for key in lesson.fields:
            if key == SAME_TRAFFIC:
                continue
            widget = field_widget(fields[key])
            set_field(widget, b.get(key))
            form.addRow(fields[key].label, widget)
            self.fields[key] = widget
        box.addLayout(form)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("font-weight: bold")
        self.problem.hide()
        box.addWidget(self.problem)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton("Compare", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.stop: QPushButton | None = None
        if comparing:
            self.stop = buttons.addButton("Stop comparing", QDialogButtonBox.ButtonRole.ResetRole)
            self.stop.clicked.connect(lambda: self.done(self.STOP))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        self.ok.setDefault(True)
        self.mode.setFocus(Qt.FocusReason.OtherFocusReason)

    def values(self) -> dict[str, Any]:
        """Every setting as the dialog shows it."""
        out: dict[str, Any] = {
            **{key: field_value(widget) for key, widget in self.design.items()},
            "balancer.sticky": self.sticky.isChecked(),
            "balancer.algorithm": self.algorithm.currentData(),
        }
        out.update({key: field_value(widget) for key, widget in self.fields.items()})
        return out

    def changes(self) -> dict[str, Any]:
        """What B does differently from A."""
        out = {}
        for key, value in self.values().items():
            mine = self.a.get(key)
            if getattr(mine, "value", mine) != value:
                out[key] = value
        return out

    def show_problem(self, text: str) -> None:
        self.problem.setText("⚠ " + text)
        self.problem.show()

    def _accept(self) -> None:
        if not self.changes():
            self.show_problem("B is the same as A: change at least one setting for B.")
            return
        self.accept()
