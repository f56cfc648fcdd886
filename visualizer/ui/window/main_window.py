"""The main window: builds the widgets and wires them to the driver. No simulation logic."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QImage,
    QMoveEvent,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QMainWindow,
    QMenu,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.actions import hint
from visualizer.app.compare import Side
from visualizer.lessons import controls_for
from visualizer.sim import scenario
from visualizer.sim.config import Config, Lesson
from visualizer.sim.schema import ConfigError
from visualizer.sim.snapshot import Snapshot
from visualizer.ui.canvas.scene import TopologyScene
from visualizer.ui.canvas.view import CanvasView
from visualizer.ui.colors import Theme
from visualizer.ui.compare.mode import CompareMode
from visualizer.ui.export.actions import Exporter
from visualizer.ui.export.render import render_widget
from visualizer.ui.lesson.strip import ExplanationStrip
from visualizer.ui.lesson.views import view_for
from visualizer.ui.panels.controls import ControlPanel
from visualizer.ui.panels.help_dialog import HelpDialog
from visualizer.ui.panels.inspection import Inspection
from visualizer.ui.panels.status import StatusLine
from visualizer.ui.panels.timeline import Timeline, TimelineState
from visualizer.ui.plots.dock import PlotsDock
from visualizer.ui.present.presenter import PresenterBar, PresenterMode, SpeakerNotes
from visualizer.ui.theme import apply_theme, theme_named
from visualizer.ui.window import plain
from visualizer.ui.window.driver import DEFAULT_SPEED, Frame, SimDriver
from visualizer.ui.window.fit import frame_known, place_inside
from visualizer.ui.window.keyboard import FieldKeys, ModalPause
from visualizer.ui.window.menus import build_actions, shortcuts_html, word_toggles
from visualizer.ui.window.scenario_files import ScenarioFiles
from visualizer.ui.window.settings import AppSettings
from visualizer.ui.window.steering import SEEK_STEP_S, Steering

if TYPE_CHECKING:
    from visualizer.ui.plots.row import PlotRow

TEXT_REFRESH_S = 0.25
THEMES = (
    ("system", "Follow the system"),
    ("light", "Light"),
    ("dark", "Dark"),
    ("contrast", "High contrast"),
)


class MainWindow(QMainWindow):
    def __init__(self, config: Config, theme: Theme, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.theme = theme
        self.settings = settings if settings is not None else AppSettings()
        self.driver = SimDriver(config, self)
        self.driver.work.parent = self  # long work's progress dialog belongs to the window
        self.steer = Steering(self.driver)
        self._last_text = 0.0
        self._shown_config: Config | None = None
        self._shown_lesson: Lesson | None = None  # the lesson the menus' toggles are worded for
        self._pending_seek: float | None = None
        self._frame_fitted = False  # fitted again once the window manager's frame is known
        self._init_canvas()
        self._init_controls()
        self._init_plots()
        self.inspection = Inspection(self, self.driver, self.scene)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.status = StatusLine(self.statusBar())
        self.status_labels, self.rec_label = self.status.labels, self.status.rec
        self.exporter = Exporter(self, self, self.settings)
        self.files = ScenarioFiles(self, self, self.settings)
        self.presenter = PresenterMode(self, self)
        self._init_actions()
        self._connect_signals()
        c = self.controls
        self.field_keys = FieldKeys(self.canvas, [*c.fields.values(), c.algorithm, c.seed])
        self.modal_pause = ModalPause(self, self.driver)
        self._set_title()
        self.scene.set_reduced_motion(self.settings.reduced_motion)
        self._sync_controls()
        self.driver.start()

    # --- construction -------------------------------------------------------------------

    def _init_canvas(self) -> None:
        self.scene = TopologyScene(self.theme)
        self.canvas = CanvasView(self.scene)
        self.timeline = Timeline(self.theme)
        self.headline = ExplanationStrip(self.theme)
        self.presenter_bar = PresenterBar()
        self.speaker_notes = SpeakerNotes()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.presenter_bar)
        box.addWidget(self.speaker_notes)
        self.comparing = CompareMode(self, self.driver, self.canvas, self.headline, self.theme)
        box.addWidget(self.comparing.stage, 1)
        box.addWidget(self.timeline)
        box.addWidget(self.headline)
        self.setCentralWidget(central)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(area, dock)
        return dock

    def _init_controls(self) -> None:
        self.controls = ControlPanel(self.theme)
        self.controls.set_hint_head(
            "Click a server's name bar to crash it, again to restart.\n"
            + hint("play", "step", "faster")
            + "\n"
            + hint("server_1")
        )
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(260)
        self.controls_dock = self._dock(
            "Controls", "controlsDock", scroll, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.controls_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)

    def _init_plots(self) -> None:
        """The plots dock; pyqtgraph loads just after the first frame (start-up time)."""
        self.plot_dock = PlotsDock(self, self.theme)
        self.plot_dock.set_comparison(self.driver.comparison)
        self.plots_dock = self.plot_dock.dock

    @property
    def plots(self) -> PlotRow | None:
        """The plots on show (A and B overlaid when comparing); None until loaded."""
        return self.plot_dock.panel

    def load_plots(self) -> None:
        """Make the plots (once, after the first paint) and draw them for the moment
        shown at once, paused or not (they showed 0 beside the canvas's 1,036 until
        the next frame, which a paused run does not make)."""
        if self.plot_dock.single is None:
            self.plot_dock.load()
            self.redraw()

    def refresh_plots(self) -> None:
        """Bring every plot up to date now (before an export)."""
        self.plot_dock.refresh(self.driver.run)
        QApplication.processEvents()

    def show_plots(self, names: list[str] | None) -> None:
        """Only the named plots (None: all), e.g. the preset's in presenter mode."""
        self.plot_dock.show_only(names)

    def side_docks(self) -> list[QDockWidget]:
        return [self.inspection.inspector_dock, self.inspection.events_dock]

    def redraw(self) -> None:
        """Lay out and repaint now, playing or paused (a resize, a mode change)."""
        self.canvas.refit()
        if self.comparing.active:
            self.comparing.canvas.refit()
        self.driver.redraw()

    def _export_plot(self, index: int, fmt: str) -> None:
        if index < 0:
            self.exporter.export_one("plots_png")
        else:
            self.exporter.export_plot(index, fmt)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self.fit_to_screen)
        if not getattr(self, "_docks_sized", False):
            # the canvas first: the controls scroll, the plots take under a third
            self._docks_sized = True
            self.resizeDocks(
                [self.plots_dock], [max(200, self.height() * 3 // 10)], Qt.Orientation.Vertical
            )
            self.resizeDocks([self.controls_dock], [310], Qt.Orientation.Horizontal)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self.presenter.fit)  # once the docks have their new sizes

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if not self._frame_fitted and frame_known(self):
            # the window manager has put its frame around the window: fit again with it
            self._frame_fitted = True
            QTimer.singleShot(0, self.fit_to_screen)

    def fit_to_screen(self) -> None:
        """The whole window, frame and status bar included, on the screen it is on (a
        frame not known yet counts as ``FRAME_GUESS``)."""
        screen = self.screen()
        if screen is None or self.isFullScreen() or self.isMaximized():
            return
        place_inside(self, screen.availableGeometry())

    def restore_layout(self) -> bool:
        """Window geometry and dock layout from the last session, if any."""
        geometry, state = self.settings.window_state()
        if geometry is None or state is None:
            return False
        self.restoreGeometry(geometry)
        self.restoreState(state)
        self._docks_sized = True
        return True

    def _init_actions(self) -> None:
        s, d = self.steer, self.driver
        handlers = {
            "open": self.files.open_dialog,
            "save": self.files.save_dialog,
            "export": self.exporter.export_dialog,
            "record": self.exporter.toggle_recording,
            "compare": self.comparing.open_dialog,
            "quit": self.close,
            "play": d.toggle,
            "step": d.step,
            "faster": d.faster,
            "slower": d.slower,
            "reset": d.restart,
            "back": lambda: s.seek_by(-SEEK_STEP_S),
            "ahead": lambda: s.seek_by(SEEK_STEP_S),
            "previous_marker": s.previous_marker,
            "next_marker": s.next_marker,
            "start": s.to_start,
            "latest": s.to_latest,
            "undo": d.undo,
            "stateful": lambda: s.press("T"),
            "sticky": lambda: s.press("S"),
            "shared": lambda: s.press("R"),
            **{
                f"server_{n}": lambda n=n: s.toggle_server_named(f"server-{n}")
                for n in range(1, 17)
            },
            "add_server": s.add_server,
            "remove_server": s.remove_server,
            "toggle_store": s.toggle_store,
            "presenter": self.presenter.toggle,
            "leave_presenter": self.presenter.leave,
            "presenter_view": self.presenter.toggle_view,
            "next_preset": lambda: self.presenter.step_preset(1),
            "previous_preset": lambda: self.presenter.step_preset(-1),
            "notes": self.presenter.toggle_notes,
            "cycle_plots": self.presenter.cycle_plots,
            "full_screen": self.toggle_full_screen,
            "event_log": self.inspection.toggle_events,
            "reduced_motion": self.set_reduced_motion,
            "shortcuts": self.show_shortcuts,
        }
        self.actions_by_id = build_actions(
            self,
            handlers,
            after={
                "open": self._add_open_menus,
                "export": self.exporter.add_export_one_menu,
                "full_screen": self._add_theme_menu,
                "reduced_motion": self._add_dock_toggles,
            },
        )
        self.act_motion = self.actions_by_id["reduced_motion"]
        self.act_motion.setChecked(self.settings.reduced_motion)

    def _add_open_menus(self, menu: QMenu) -> None:
        self.files.recent_menu = menu.addMenu("Open &recent")
        self.files.refresh_recent()
        presets = menu.addMenu("Open &preset")
        for info in scenario.list_presets_cached():
            act = presets.addAction(f"{info.name} — {info.title}")
            act.triggered.connect(lambda _=False, name=info.name: self.open_preset(name))

    def _add_theme_menu(self, menu: QMenu) -> None:
        themes = menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in THEMES:
            act = themes.addAction(label)
            act.setCheckable(True)
            act.setChecked(name == self.settings.theme)
            act.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            group.addAction(act)
            self.theme_actions[name] = act

    def _add_dock_toggles(self, menu: QMenu) -> None:
        menu.addSeparator()
        for dock in (self.controls_dock, self.plots_dock, self.inspection.inspector_dock):
            menu.addAction(dock.toggleViewAction())

    def _connect_signals(self) -> None:
        d, c = self.driver, self.controls
        d.frameReady.connect(self._on_frame)
        d.runningChanged.connect(lambda _: self._sync_controls())
        d.speedChanged.connect(lambda _: self._sync_controls())
        d.restarted.connect(self._on_restarted)
        d.jumped.connect(self._on_jumped)
        d.problem.connect(self.show_problem)
        c.toggleChosen.connect(self._set_toggle)
        c.algorithmChosen.connect(lambda a: d.set_value("balancer.algorithm", a))
        c.valueChosen.connect(d.set_value)
        c.speedChosen.connect(d.set_speed)
        c.playClicked.connect(d.toggle)
        c.stepClicked.connect(lambda: d.step())
        c.resetClicked.connect(lambda: d.restart())
        c.seedChosen.connect(lambda seed: d.restart(seed=seed))
        self.canvas.serverClicked.connect(lambda i: self.comparing.toggle_server(i, Side.A))
        self.canvas.storeClicked.connect(lambda: self.comparing.toggle_store(Side.A))
        self.canvas.nodeClicked.connect(lambda key: self.comparing.click_node(key, Side.A))
        c.compareClicked.connect(self.comparing.open_dialog)
        self.presenter.changed.connect(self.comparing.set_presenting)
        self.canvas.inspectRequested.connect(self.inspection.inspect)
        self.canvas.menuRequested.connect(self.show_canvas_menu)
        self.canvas.resized.connect(self.driver.redraw)
        self.timeline.seekRequested.connect(self.seek_soon)
        d.comparisonChanged.connect(lambda _: self._on_comparison())
        self.inspection.seekRequested.connect(self.seek_soon)
        # the plots (and pyqtgraph) load once the first frame is on screen
        self.canvas.firstPainted.connect(lambda: QTimer.singleShot(0, self.load_plots))
        self.plot_dock.exportRequested.connect(self._export_plot)
        self.exporter.recordingChanged.connect(self._on_recording)

    # --- user actions ---------------------------------------------------------------------

    def _set_toggle(self, letter: str, on: bool) -> None:
        self.steer.set_toggle(letter, on)
        self._sync_controls()  # (a refused change puts the toggle back)

    def seek_soon(self, t: float) -> None:
        """Seek to ``t`` once the pending mouse moves are handled (a drag asks many times;
        only the latest counts)."""
        first = self._pending_seek is None
        self._pending_seek = t
        if first:
            QTimer.singleShot(0, self._seek_pending)

    def _seek_pending(self) -> None:
        t, self._pending_seek = self._pending_seek, None
        if t is not None:
            self.driver.seek(t)

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def open_preset(self, name: str) -> None:
        try:
            config = scenario.load(name)
        except ConfigError as exc:
            self.show_problem(str(exc))
            return
        self.start_scenario(config)
        self.settings.last_scenario = name

    def start_scenario(self, config: Config) -> None:
        """A new run on ``config`` from 0 s, paused, at 1× (a recording goes on into it):
        the next slide does not inherit the last one's 20×."""
        self.driver.pause()
        self.driver.set_speed(DEFAULT_SPEED)
        self.driver.restart(config)

    def set_theme(self, name: str) -> None:
        """Switch theme now (and remember it): canvas, controls, strip and plots."""
        theme = theme_named(name)
        self.settings.theme = name
        if name in self.theme_actions:
            self.theme_actions[name].setChecked(True)
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, theme)
        self.scene.set_theme(theme)
        self.comparing.set_theme(theme)
        self.controls.set_theme(theme)
        self.headline.set_theme(theme)
        self.timeline.set_theme(theme)
        self.plot_dock.set_theme(theme, self.driver.run)
        self._last_text = 0.0

    def set_reduced_motion(self, on: bool) -> None:
        self.settings.reduced_motion = bool(on)
        self.act_motion.setChecked(bool(on))
        self.scene.set_reduced_motion(bool(on))
        self.comparing.set_reduced_motion(bool(on))

    def grab_canvas(self) -> QImage:
        """The canvas as it is on screen, for recordings (comparing: the scoreboard and
        both canvases, so a clip shows both sides)."""
        view = self.compare_view()
        if view is not None:
            return view.grab().toImage()
        return self.canvas.viewport().grab().toImage()

    def compare_view(self) -> QWidget | None:
        return self.comparing.stage if self.comparing.active else None

    def window_image(self) -> QImage:
        return render_widget(self)

    def show_error(self, title: str, message: str) -> None:
        """One dialog saying what failed (replaced in tests), as plain text: it may quote
        a file's keys and values."""
        plain.warning(self, title, message)

    def show_status(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def _set_title(self) -> None:
        title = f"Request Routing Visualizer — {self.driver.config.scenario.title}"
        if self.driver.comparison is not None:
            title += " (comparing A and B)"
        self.setWindowTitle(("● REC  " if self.exporter.is_recording else "") + title)

    def _on_recording(self, on: bool) -> None:
        self.rec_label.setVisible(on)
        self.rec_label.setText(self.exporter.recording_status())
        self._set_title()

    def show_canvas_menu(self, kind: str, index: int, where: QPoint) -> None:
        s = self.steer
        menu = QMenu(self)
        server = s.server(index) if kind == "server" else None
        if server is not None:
            verb = "Crash" if server.up else "Restart"
            menu.addAction(f"{verb} {server.name}", lambda: s.toggle_server(index))
            menu.addAction(f"Remove {server.name}", lambda: s.remove_server(index))
        elif kind == "store":
            verb = "Crash" if self.driver.run.snapshot().store.up else "Restore"
            menu.addAction(f"{verb} the store", s.toggle_store)
        key = self.scene.node_key(index) if kind == "node" else None
        if key is not None:
            for k, (words, _) in enumerate(self.comparing.node_actions(key, Side.A)):
                menu.addAction(words, lambda k=k: self.comparing.click_node(key, Side.A, k))
            menu.addSeparator()
        menu.addAction("Add a server", s.add_server)
        menu.popup(where)
        self._menu = menu  # kept for tests

    def show_problem(self, message: str) -> None:
        """A refused value: say why, and show the settings the run really has."""
        self.statusBar().showMessage(f"⚠ {message}", 8000)
        self._sync_controls()

    def show_shortcuts(self) -> None:
        """F1: every key (the toggles in the lesson's words), in a dialog that fits the
        screen (the list scrolls)."""
        html = shortcuts_html(controls_for(self.driver.config))
        HelpDialog(self, "Keyboard shortcuts", html).exec()

    # --- frames -------------------------------------------------------------------------------

    def _on_restarted(self, config: Config) -> None:
        self.scene.reset()
        self.plot_dock.clear()
        self.inspection.follow(-1)
        self._set_title()
        self._sync_controls()

    def _on_comparison(self) -> None:
        """Compare mode on or off: the stage is laid out anew and drawn whole at once."""
        self._set_title()
        self.plot_dock.set_comparison(self.driver.comparison)
        QTimer.singleShot(0, self.redraw)

    def _on_jumped(self) -> None:
        """The run moved to another moment: every view shows that moment, whole (the
        status and the strip too, at once, playing or not)."""
        self.plot_dock.clear()
        self.inspection.jumped()
        self._last_text = 0.0

    def _sync_controls(self) -> None:
        d = self.driver
        self.controls.sync(d.config, d.running, d.speed)
        if d.config.scenario.lesson is not self._shown_lesson:
            self._shown_lesson = d.config.scenario.lesson
            word_toggles(self.actions_by_id, controls_for(d.config))
        self._shown_config = d.config

    def _on_frame(self, frame: Frame | None) -> None:
        wall = time.monotonic()
        if frame is None:
            self.scene.update_effects(wall)
            self.comparing.update_effects(wall)
            return
        snap = frame.snapshot
        run = self.driver.run
        running = self.driver.running
        self.scene.speed = self.driver.speed
        self.scene.moving = running
        # One number, one instant: the headline counters, the plots' totals, the strip,
        # the scoreboard and the presenter's bar change together, from this snapshot, a
        # few times a second (every frame when paused or recording).
        numbers = wall - self._last_text >= TEXT_REFRESH_S or not running or self.driver.recording
        # Work is spread over frames so none stutters: while playing, at most one plot
        # redraws per frame, and a frame that redraws a plot leaves the cards for the next.
        plotted = self.plot_dock.on_frame(
            run, snap, frame.new_samples, running, wall, other=frame.other
        )
        self.scene.update_frame(
            snap,
            run.log,
            refresh_nodes=not running,
            refresh_cards=not (plotted and running),
            wall=wall,
            numbers=numbers,
        )
        self.scene.set_paused(not running)
        self.comparing.on_frame(
            frame, running, wall, refresh_cards=not (plotted and running), numbers=numbers
        )
        self.timeline.show_state(
            TimelineState(
                snap.t,
                self.driver.end,
                tuple(run.markers + run.markers_ahead),
                tuple(run.scheduled_ahead()),
                snap.config.scenario.duration_s,
            )
        )
        if snap.config is not self._shown_config:
            self._sync_controls()
        if numbers:
            self._last_text = wall
            self.plot_dock.show_numbers(run, snap, frame.other)
            self._update_text(snap)
            self.comparing.update_text()
            self.presenter.update(snap)
            if self.exporter.is_recording:
                self.rec_label.setText(self.exporter.recording_status())
        if self.inspection.due(wall):
            self.inspection.refresh()

    def _update_text(self, snap: Snapshot) -> None:
        preset = self.driver.run.initial_config
        lesson = view_for(snap.config)
        self.headline.show_explanation(lesson.explain(snap, preset), lesson.measured(snap))
        self.status.update(snap, self.driver)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exporter.is_recording:
            self.exporter.stop_recording()
        self.exporter.finish()
        self.presenter.leave()
        self.presenter.close_view()
        self.settings.set_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.driver.stop()
        super().closeEvent(event)
