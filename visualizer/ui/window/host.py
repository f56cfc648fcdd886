"""The narrow faces of the main window that its helpers see (no import of the window).

Each helper (scenario files, exports, presenter mode) is given the window as one of
these protocols: what it may read and call is written here, and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QScreen
    from PySide6.QtWidgets import QDockWidget, QLabel, QMenuBar, QStatusBar, QWidget

    from visualizer.sim.config import Config
    from visualizer.ui.canvas.scene import TopologyScene
    from visualizer.ui.canvas.view import CanvasView
    from visualizer.ui.colors import Theme
    from visualizer.ui.lesson.strip import ExplanationStrip
    from visualizer.ui.plots.dock import PlotsDock
    from visualizer.ui.plots.row import PlotRow
    from visualizer.ui.present.presenter import PresenterBar
    from visualizer.ui.window.driver import SimDriver


class Reporter(Protocol):
    def show_error(self, title: str, message: str) -> None:
        """One dialog saying what failed."""

    def show_status(self, message: str) -> None:
        """A passing note in the status bar."""


class ScenarioHost(Reporter, Protocol):
    """What opening and saving scenario files needs."""

    driver: SimDriver

    def start_scenario(self, config: Config) -> None: ...


class ExportSurface(Reporter, Protocol):
    """What exports and recordings read: the run, the canvas, the plots, the theme."""

    driver: SimDriver
    scene: TopologyScene
    canvas: CanvasView
    theme: Theme
    plots: PlotRow | None  # the plots on show (A and B overlaid when comparing)

    def refresh_plots(self) -> None: ...

    def grab_canvas(self) -> QImage:
        """The canvas as on screen (comparing: the scoreboard and both canvases)."""

    def compare_view(self) -> QWidget | None:
        """The scoreboard and both titled canvases, when comparing."""

    def window_image(self) -> QImage:
        """The whole window as it looks."""

    def windowTitle(self) -> str: ...


class Stage(Protocol):
    """What presenter mode rearranges: the window's chrome and the canvas around it."""

    driver: SimDriver
    scene: TopologyScene
    canvas: CanvasView
    headline: ExplanationStrip
    presenter_bar: PresenterBar
    speaker_notes: QLabel
    controls_dock: QDockWidget
    plots_dock: QDockWidget
    plot_dock: PlotsDock  # the plots in it (their text size)

    def side_docks(self) -> list[QDockWidget]:
        """The inspector and the event log."""

    def show_plots(self, names: list[str] | None) -> None:
        """Only the named plots (None: all)."""

    def redraw(self) -> None:
        """Lay out and repaint now, playing or paused."""

    def menuBar(self) -> QMenuBar: ...

    def statusBar(self) -> QStatusBar: ...

    def screen(self) -> QScreen | None: ...

    def resizeDocks(self, docks: list, sizes: list[int], orientation: Qt.Orientation) -> None: ...

    def isFullScreen(self) -> bool: ...

    def height(self) -> int: ...

    def isMaximized(self) -> bool: ...

    def showFullScreen(self) -> None: ...

    def showMaximized(self) -> None: ...

    def showNormal(self) -> None: ...

    def open_preset(self, name: str) -> None: ...
