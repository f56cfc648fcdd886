"""The status bar's live labels: time (and whether rewound), speed, frame rate, load."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from visualizer.sim.snapshot import Snapshot
from visualizer.ui.window.driver import SimDriver

REC_STYLE = (
    # not the failure red: recording is not a failure
    "color: white; background: #16181C; font-weight: 700; padding: 1px 8px; border-radius: 4px;"
)


class StatusLine:
    """Permanent labels on the window's status bar, updated a few times a second."""

    KEYS = ("time", "speed", "fps", "rate", "sessions")

    def __init__(self, bar: QStatusBar) -> None:
        self.rec = QLabel()
        self.rec.setStyleSheet(REC_STYLE)
        self.rec.hide()
        bar.addPermanentWidget(self.rec)
        self.labels: dict[str, QLabel] = {}
        for key in self.KEYS:
            label = QLabel()
            label.setMinimumWidth(110)
            bar.addPermanentWidget(label)
            self.labels[key] = label

    def update(self, snap: Snapshot, d: SimDriver) -> None:
        labels = self.labels
        rewound = f" of {d.run.end:,.0f} s (rewound)" if d.run.rewound else ""
        labels["time"].setText(f"t = {snap.t:,.1f} s{rewound}")
        actual = d.actual_speed
        behind = d.running and actual < 0.8 * d.speed
        speed = f"speed {d.speed:g}×" + (f" (actual {actual:.2g}×)" if behind else "")
        labels["speed"].setText(speed if d.running else f"paused · {d.speed:g}×")
        labels["fps"].setText(f"{d.fps:.0f} fps" if d.running else "")  # frames: when playing
        labels["rate"].setText(f"{snap.rps:,.0f} req/s")
        labels["sessions"].setText(f"{snap.sessions:,} sessions · {snap.users_active:,} users")
