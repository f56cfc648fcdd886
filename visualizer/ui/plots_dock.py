"""The plots dock: loads pyqtgraph after the first frame, keeps the plots at the moment the
canvas shows, and spreads their redraws over frames so none stutters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

from visualizer.app.run import Run
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.theme import Theme

if TYPE_CHECKING:
    from visualizer.ui.plots import PlotPanel

#: Seconds of wall time between two rounds of plot redraws while playing.
REFRESH_S = 0.5


class PlotsDock(QObject):
    exportRequested = Signal(int, str)  # plot index (-1: all), "png" | "svg"

    def __init__(self, window: QMainWindow, theme: Theme) -> None:
        super().__init__(window)
        self.theme = theme
        self.panel: PlotPanel | None = None
        self.due: list[int] = []  # plots to redraw, one per frame while playing
        self._last = 0.0
        self._only: list[str] | None = None
        placeholder = QLabel("Loading plots…")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setMinimumHeight(150)
        self.dock = QDockWidget(
            "Live plots: last 120 simulated seconds · rates are 5 s means", window
        )
        self.dock.setObjectName("plotsDock")
        self.dock.setWidget(placeholder)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)

    @property
    def count(self) -> int:
        return len(self.panel.plots) if self.panel is not None else 0

    def load(self) -> None:
        """Create the plot panel (imports pyqtgraph); once, right after the first frame."""
        if self.panel is not None:
            return
        from visualizer.ui.plots import PlotPanel

        self.panel = PlotPanel(self.theme)
        self.panel.setMinimumHeight(150)
        self.panel.exportRequested.connect(self.exportRequested)
        self.dock.setWidget(self.panel)
        self.show_only(self._only)
        self.due = list(range(self.count))

    def set_theme(self, theme: Theme, run: Run) -> None:
        """pyqtgraph styles are set at creation: build the panel anew."""
        self.theme = theme
        if self.panel is not None:
            old, self.panel = self.panel, None
            self.load()
            old.deleteLater()
            self.refresh(run)

    def show_only(self, names: list[str] | None) -> None:
        """Only the named plots (None: all): the preset's in presenter mode."""
        self._only = names
        show_only = getattr(self.panel, "show_only", None)
        if show_only is not None:
            show_only(names)
        self.due = list(range(self.count))

    def refresh(self, run: Run) -> None:
        """Every plot up to date now (before an export, after a theme change)."""
        self.load()
        assert self.panel is not None
        snap = run.snapshot()
        self._draw(run, snap, list(range(self.count)))
        self.due = []

    def clear(self) -> None:
        """A new run, or this one rewound: nothing of what was drawn stays."""
        if self.panel is not None:
            self.panel.clear()
        self.due = list(range(self.count))

    def on_frame(self, run: Run, snap: Snapshot, new_samples: bool, running: bool, wall: float):
        """Redraw what is due: one plot per frame while playing, all when paused (so the
        plots show the same instant as the canvas). Returns whether a plot was drawn."""
        if self.panel is None:
            return False
        if (new_samples and wall - self._last >= REFRESH_S) or not running:
            self._last = wall
            self.due = self.due or list(range(self.count))
        if not self.due:
            return False
        which = [self.due.pop(0)] if running else self.due
        self._draw(run, snap, which)
        if not running:
            self.due = []
        return True

    def _draw(self, run: Run, snap: Snapshot, which: list[int]) -> None:
        names = {s.index: s.name for s in snap.servers}
        try:
            self.panel.set_samples(run.samples, run.markers, names, which, live=snap)  # type: ignore[union-attr]
        except TypeError:  # a panel without the live moment
            self.panel.set_samples(run.samples, run.markers, names, which)  # type: ignore[union-attr]
