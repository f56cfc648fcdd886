"""The plots dock: loads pyqtgraph after the first frame, keeps the plots at the moment the
canvas shows, and spreads their redraws over frames so none stutters. When comparing it
shows A and B overlaid (ComparePlots), otherwise one run's plots (PlotPanel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QStackedWidget

from visualizer.app.run import Run
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.colors import Theme

if TYPE_CHECKING:
    from visualizer.app.compare import Comparison
    from visualizer.ui.compare.plots import ComparePlots
    from visualizer.ui.plots.panel import PlotPanel

#: Seconds of wall time between two rounds of plot redraws while playing.
REFRESH_S = 0.5


class PlotsDock(QObject):
    exportRequested = Signal(int, str)  # plot index (-1: all), "png" | "svg"

    def __init__(self, window: QMainWindow, theme: Theme) -> None:
        super().__init__(window)
        self.theme = theme
        self.single: PlotPanel | None = None  # one run's plots
        self.pair: ComparePlots | None = None  # A and B overlaid, made when first needed
        self.comparison: Comparison | None = None
        self.due: list[int] = []  # plots to redraw, one per frame while playing
        #: the run, snapshot and side B's of the numbers written large (``show_numbers``)
        self._numbers: tuple[Run, Snapshot, Snapshot | None] | None = None
        self._last = 0.0
        self._only: list[str] | None = None
        self._text_scale = 1.0
        placeholder = QLabel("Loading plots…")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setMinimumHeight(150)
        self.stack = QStackedWidget()
        self.stack.addWidget(placeholder)
        self.dock = QDockWidget(
            "Live plots: last 120 simulated seconds · rates are 5 s means", window
        )
        self.dock.setObjectName("plotsDock")
        self.dock.setWidget(self.stack)
        self.dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)

    @property
    def panel(self) -> PlotPanel | ComparePlots | None:
        """The plots on show: A and B's when comparing, else the run's (None until loaded)."""
        if self.comparison is not None and self.pair is not None:
            return self.pair
        return self.single

    @property
    def count(self) -> int:
        panel = self.panel
        return len(panel.plots) if panel is not None else 0

    def load(self) -> None:
        """Create the plot panel (imports pyqtgraph); once, right after the first frame."""
        if self.single is not None:
            return
        from visualizer.ui.plots.panel import PlotPanel

        self.single = self._adopt(PlotPanel(self.theme))
        self._show_panel()

    def _adopt(self, panel):
        panel.setMinimumHeight(150)
        panel.exportRequested.connect(self.exportRequested)
        panel.set_text_scale(self._text_scale)
        panel.show_only(self._only)
        self.stack.addWidget(panel)
        return panel

    def _show_panel(self) -> None:
        """Show the panel for the mode (making the compare plots the first time)."""
        if self.single is None:
            return  # not loaded yet: ``load`` shows it
        if self.comparison is not None and self.pair is None:
            from visualizer.ui.compare.plots import ComparePlots

            self.pair = self._adopt(ComparePlots(self.theme))
        panel = self.panel
        assert panel is not None
        self.stack.setCurrentWidget(panel)
        self.due = list(range(self.count))

    def set_comparison(self, comparison: Comparison | None) -> None:
        """Compare mode on (the comparison shown) or off (None)."""
        self.comparison = comparison
        if self.pair is not None:
            self.pair.clear()
        self._show_panel()

    def set_theme(self, theme: Theme, run: Run) -> None:
        """pyqtgraph styles are set at creation: build the panels anew."""
        self.theme = theme
        old = [p for p in (self.single, self.pair) if p is not None]
        if not old:
            return
        self.single = self.pair = None
        self.load()
        for panel in old:
            self.stack.removeWidget(panel)
            panel.deleteLater()
        self.refresh(run)

    def set_text_scale(self, factor: float) -> None:
        """Plot text at ``factor`` × its size (presenter mode), on every panel, now and
        made later."""
        self._text_scale = factor
        for panel in (self.single, self.pair):
            if panel is not None:
                panel.set_text_scale(factor)

    def show_only(self, names: list[str] | None) -> None:
        """Only the named plots (None: all): the preset's in presenter mode."""
        self._only = names
        for panel in (self.single, self.pair):
            if panel is not None:
                panel.show_only(names)
        self.due = list(range(self.count))

    def refresh(self, run: Run) -> None:
        """Every plot up to date now (before an export, after a theme change)."""
        self.load()
        self._draw(run, run.snapshot(), list(range(self.count)))
        self.due = []

    def clear(self) -> None:
        """A new run, or this one rewound: nothing of what was drawn stays."""
        for panel in (self.single, self.pair):
            if panel is not None:
                panel.clear()
        self.due = list(range(self.count))
        self._numbers = None

    def on_frame(
        self,
        run: Run,
        snap: Snapshot,
        new_samples: bool,
        running: bool,
        wall: float,
        other: Snapshot | None = None,
    ) -> bool:
        """Redraw what is due: one plot per frame while playing, all when paused (so the
        plots show the same instant as the canvas). ``other``: side B's snapshot when
        comparing. Returns whether a plot was drawn."""
        if self.panel is None:
            return False
        if (new_samples and wall - self._last >= REFRESH_S) or not running:
            self._last = wall
            self.due = self.due or list(range(self.count))
        if not self.due:
            return False
        which = [self.due.pop(0)] if running else self.due
        self._draw(run, snap, which, other)
        if running:
            self._show_numbers()  # a plot drawn between the numbers' moments keeps them
        else:
            self.due = []
        return True

    def show_numbers(self, run: Run, snap: Snapshot, other: Snapshot | None = None) -> None:
        """The numbers written large, as of ``snap`` (and side B's ``other``): set with
        every other number on screen, and kept while plots redraw in between."""
        self._numbers = (run, snap, other)
        self._show_numbers()

    def _show_numbers(self) -> None:
        if self._numbers is None:
            return
        run, snap, other = self._numbers
        comparison = self.comparison
        if comparison is not None and self.panel is self.pair and self.pair is not None:
            a = snap if run is comparison.a else comparison.a.snapshot()
            b = other if other is not None else comparison.b.snapshot()
            self.pair.show_numbers(a, b)
        elif self.single is not None and self.panel is self.single:
            self.single.show_numbers(snap)

    def _draw(
        self, run: Run, snap: Snapshot, which: list[int], other: Snapshot | None = None
    ) -> None:
        panel = self.panel
        comparison = self.comparison
        if comparison is not None and panel is self.pair and self.pair is not None:
            a, b = comparison.a, comparison.b
            if run is not a:  # (a snapshot of another run is not A's moment)
                snap = a.snapshot()
            live = (snap, other if other is not None else b.snapshot())
            self.pair.set_lesson(a.config)
            self.pair.set_runs(
                a.samples, b.samples, a.markers, b.markers, comparison.titles, which, live
            )
        elif self.single is not None:
            self.single.set_lesson(snap.config)  # (at once when the run's lesson changes)
            names = {s.index: s.name for s in snap.servers}
            self.single.set_samples(run.samples, run.markers, names, which, live=snap)
