"""A row of live plots side by side: the frame the one-run panel and the compare
plots share (exports from the right-click menu, presenter sizes, the lesson's plot)."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QMenu,
    QWidget,
)

from visualizer.sim.config import PLOT_NAMES, Config
from visualizer.sim.table import lesson_figures
from visualizer.ui.colors import Theme
from visualizer.ui.export import render as export
from visualizer.ui.lesson.views import FigureLine, LessonPlot, view_for
from visualizer.ui.plots.legend import (
    BigNumber,
)
from visualizer.ui.plots.parts import (
    Plot,
)
from visualizer.ui.plots.style import (
    LABEL_PT,
    font,
    neutral_colors,
)

# --- the row of plots -------------------------------------------------------------------

#: The least width of a plot and the least height of its data area, at text scale 1
#: (× the scale). Narrower, a plot's legend flows onto rows taken from its data, which
#: was squeezed to a sliver (all five plots in presenter mode at 1280×720); with no room
#: for all the plots asked for, the row shows the first ones that keep both.
MIN_PLOT_W = 180
MIN_DATA_H = 40


class PlotRow(QWidget):
    """Five plots side by side, in the order of ``NAMES``: the frame PlotPanel (one run)
    and ComparePlots (two) share. Each plot offers exports in its right-click menu; the
    lost plot writes its total large (``make_total``) and the errors plot says when there
    are none; ``show_only`` and ``set_text_scale`` serve presenter mode. Subclasses make
    the plots (``make_plots``) and fill them."""

    #: Stable names, in the order of ``plots``.
    NAMES: tuple[str, ...] = PLOT_NAMES
    #: (plot index, "png" | "svg") from a plot's right-click menu; index -1: all plots
    exportRequested = Signal(int, str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Antialiased lines wider than 1 px cost Qt's raster engine 5-10× more; at 2.5 px the
        # difference is barely visible, and plots must not stutter the animation.
        pg.setConfigOptions(antialias=False)
        self.theme = theme
        self.ink, self.grey = neutral_colors(theme)
        self.plots: tuple[Plot, ...] = tuple(self.make_plots(theme))
        self.lost, self.errors, self.memory, self.latency, self.rps = self.plots
        self.by_name = dict(zip(self.NAMES, self.plots, strict=True))
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        row.setSpacing(6)
        self._refit_due = False
        for k, plot in enumerate(self.plots):
            row.addWidget(plot, 1)
            plot.setMinimumWidth(120)
            plot.legend.entries_changed = self._refit_soon
            # set on the view: a scroll area applies its own policy to its viewport's events
            plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            plot.customContextMenuRequested.connect(
                lambda pos, k=k: self._menu(k, self.plots[k].mapToGlobal(pos))
            )
        self.total = self.make_total()
        self.lost.reserved.append(self.total)
        self.lost.label_band = 0.5  # the top half is kept free (``room``)
        self.lost.vb.sigResized.connect(lambda *_: self._fit_total())
        self.quiet = QGraphicsSimpleTextItem("no failed requests", self.errors.vb)
        self.quiet.setBrush(QColor(theme.muted))
        self.quiet.setPos(8, 6)
        self.errors.reserved.append(self.quiet)
        self.text_scale = 1.0
        self.t_end = 0.0  # the moment the plots end at
        self.updates = 0
        self.lesson: LessonPlot | None = None  # the lesson's own first plot, if any
        self.second: LessonPlot | None = None  # the lesson's plot in memory's place
        self._memory_look = (self.memory.title, self.memory.fmt)
        self.latency_lines: tuple[FigureLine, ...] = ()  # the lesson's own times
        self.figure_at: dict[str, int] = {}  # the lesson's figures, by name
        self.wanted: list[str] = list(self.NAMES)  # the plots asked for (``show_only``)
        self.left_out: set[str] = set()  # plots that mean nothing in this lesson

    def make_plots(self, theme: Theme) -> Sequence[Plot]:
        """The five plots, in the order of ``NAMES``."""
        raise NotImplementedError

    def set_lesson(self, config: Config) -> None:
        """The first plot shows the run's lesson: sessions lost, or the lesson's own (and
        the lesson's second plot, if it has one, takes the memory plot's place)."""
        view = view_for(config)
        plot = view.plot_for(config)
        second = view.second_plot_for(config)
        left_out = set() if second is not None or view.memory_plot_for(config) else {"memory"}
        if left_out != self.left_out:  # (no empty memory plot: 0 MB all along)
            self.left_out = left_out
            self._show_wanted()
        if second is not self.second:
            self.second = second
            memory = self.memory
            look = (
                self._memory_look if self.second is None else (self.second.title, "{:,.1f}".format)
            )
            memory.title, memory.fmt = look
            memory.set_text_scale(memory.text_scale)
            memory.clear_data()
        if view.latency_lines != self.latency_lines:
            self.latency_lines = view.latency_lines
            self.latency.clear_data()
        if plot is self.lesson:
            return
        self.lesson = plot
        figures = lesson_figures(config)
        self.figure_at = {name: k for k, name in enumerate(figures)}
        first = self.lost
        first.title = "Sessions lost" if plot is None else plot.title
        first.set_text_scale(first.text_scale)  # (the title anew)
        self.total.noun = ("session lost", "sessions lost") if plot is None else plot.noun
        self.total.short = "lost" if plot is None else plot.short or plot.noun[1].split()[0]
        self.total._relayout()
        first.clear_data()

    def make_total(self) -> BigNumber:
        """The number written large on the lost plot."""
        return BigNumber(self.lost.vb, self.theme)

    def _menu(self, k: int, where: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Export this plot as PNG…", lambda: self.exportRequested.emit(k, "png"))
        menu.addAction("Export this plot as SVG…", lambda: self.exportRequested.emit(k, "svg"))
        menu.addSeparator()
        menu.addAction("Export all plots as PNG…", lambda: self.exportRequested.emit(-1, "png"))
        menu.popup(where)
        self.last_menu = menu  # kept for tests

    # --- presenting ---------------------------------------------------------------------

    @property
    def total_text(self) -> str:
        """What the lost plot says in large type ("0 sessions lost")."""
        return self.total.text

    def show_only(self, names: Sequence[str] | None) -> None:
        """Show only the plots named (``NAMES``), in their usual order; None: all. Of
        those, the row shows the ones that mean something in the lesson, and no more
        than fit (``fitting``): the first named, when not all fit."""
        wanted = list(dict.fromkeys(self.NAMES if names is None else names))
        unknown = set(wanted) - set(self.NAMES)
        if unknown:
            raise ValueError(f"no plot named {', '.join(sorted(unknown))}; plots: {self.NAMES}")
        self.wanted = wanted
        self._show_wanted()

    def fitting(self, names: Sequence[str]) -> int:
        """How many of ``names`` (the first ones) fit side by side: each at least
        ``MIN_PLOT_W`` wide with ``MIN_DATA_H`` of data (× the text scale)."""
        margins = self.layout().contentsMargins()
        room = self.width() - margins.left() - margins.right()
        height = self.height() - margins.top() - margins.bottom()
        spacing = self.layout().spacing()
        if room <= 0 or height <= 0:  # not laid out yet
            return len(names)
        scale = self.text_scale
        for count in range(len(names), 1, -1):
            width = (room - spacing * (count - 1)) / count
            if width >= MIN_PLOT_W * scale and all(
                self.by_name[name].data_height_at(width, height) >= MIN_DATA_H * scale
                for name in names[:count]
            ):
                return count
        return 1

    def _show_wanted(self) -> None:
        names = [name for name in self.wanted if name not in self.left_out] or self.wanted
        shown = set(names[: self.fitting(names)])
        for name, plot in self.by_name.items():
            plot.setVisible(name in shown)

    def _refit_soon(self) -> None:
        """A legend gained or lost entries: which plots fit is decided again once the
        update is over (a legend's rows take height from the data; the first plots of a
        slide were kept with 35 px of data once their legends filled)."""
        if not self._refit_due:
            self._refit_due = True
            QTimer.singleShot(0, self, self._refit)  # (dropped if the row is gone)

    def _refit(self) -> None:
        self._refit_due = False
        if not export.borrowed():
            self._show_wanted()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not export.borrowed():  # laid out for a picture: the plots shown stay shown
            self._show_wanted()

    def shown_names(self) -> list[str]:
        return [name for name, plot in self.by_name.items() if not plot.isHidden()]

    def set_text_scale(self, factor: float) -> None:
        """Every plot text (titles, ticks, axis labels, legends, markers, the big total)
        at ``factor`` × its normal size: presenter mode grows plot text with the canvas."""
        factor = max(0.5, float(factor))
        self.text_scale = factor
        for plot in self.plots:
            plot.set_text_scale(factor)
        self.total.set_scale(factor)
        self.quiet.setFont(font(LABEL_PT * factor))
        self._fit_total()
        self._show_wanted()

    def _fit_total(self) -> None:
        vb = self.lost.vb  # the top half of the data area is kept free (``room=2``)
        self.total.fit(vb.width(), 0.5 * vb.height() - 6)
        self.lost.place_labels()

    def clear(self) -> None:
        """Nothing of what was drawn stays."""
        for plot in self.plots:
            plot.clear_data()
        self.total.set_value(0, self.ink)
        self.quiet.show()
