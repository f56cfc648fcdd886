"""The main window: builds the widgets and wires them to the driver. No simulation logic."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QImage, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from visualizer.sim import commands as ev
from visualizer.sim import scenario
from visualizer.sim.config import Config, Mode
from visualizer.sim.schema import ConfigError
from visualizer.sim.snapshot import ServerView
from visualizer.ui.canvas.scene import TopologyScene
from visualizer.ui.canvas.view import CanvasView
from visualizer.ui.controls import ControlPanel, mode_of
from visualizer.ui.driver import Frame, SimDriver
from visualizer.ui.explain import explain, measured
from visualizer.ui.exporter import Exporter
from visualizer.ui.presenter import PresenterBar, PresenterMode
from visualizer.ui.scenario_files import ScenarioFiles
from visualizer.ui.settings import AppSettings
from visualizer.ui.strip import ExplanationStrip
from visualizer.ui.theme import Theme, apply_theme, theme_named

if TYPE_CHECKING:
    from visualizer.ui.plots import PlotPanel

PLOT_REFRESH_S = 0.5
TEXT_REFRESH_S = 0.25
SHORTCUTS = (
    ("Space", "play / pause"),
    ("→", "step 0.1 s (pauses)"),
    ("+ / −", "faster / slower (0.1× to 50×)"),
    ("1 – 9", "crash / restart server N"),
    ("T", "stateful on/off (off = tokens)"),
    ("S", "sticky sessions on/off"),
    ("R", "shared store on/off"),
    ("Ctrl+R", "reset the run"),
    ("F5 / Esc", "presenter mode on / off"),
    ("PgDn / PgUp", "next / previous preset (presenter mode)"),
    ("Ctrl+O / Ctrl+S", "open / save a scenario"),
    ("Ctrl+E", "export pictures and numbers"),
    ("Ctrl+Shift+R", "start / stop recording a GIF or MP4"),
    ("F11", "full screen"),
    ("Ctrl+Q", "quit"),
)


class MainWindow(QMainWindow):
    def __init__(self, config: Config, theme: Theme, settings: AppSettings | None = None) -> None:
        super().__init__()
        self.theme = theme
        self.settings = settings if settings is not None else AppSettings()
        self.driver = SimDriver(config, self)
        self._last_plots = self._last_text = 0.0
        self._plots_due: list[int] = []
        self._shown_config: Config | None = None
        self._init_canvas()
        self._init_controls()
        self._init_plots()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._init_status()
        self.exporter = Exporter(self, self.settings)
        self.files = ScenarioFiles(self, self.settings)
        self.presenter = PresenterMode(self)
        self._init_actions()
        self._connect_signals()
        self._set_title()
        self.scene.set_reduced_motion(self.settings.reduced_motion)
        self._sync_controls()
        self.driver.start()

    # --- construction -------------------------------------------------------------------

    def _init_canvas(self) -> None:
        self.scene = TopologyScene(self.theme)
        self.canvas = CanvasView(self.scene)
        self.headline = ExplanationStrip(self.theme)
        self.presenter_bar = PresenterBar()
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.presenter_bar)
        box.addWidget(self.canvas, 1)
        box.addWidget(self.headline)
        self.setCentralWidget(central)

    def _init_controls(self) -> None:
        self.controls = ControlPanel(self.theme)
        scroll = QScrollArea()
        scroll.setWidget(self.controls)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(290)
        dock = QDockWidget("Controls", self)
        dock.setObjectName("controlsDock")
        dock.setWidget(scroll)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.controls_dock = dock

    def _init_plots(self) -> None:
        """The plots dock; pyqtgraph loads just after the first frame (start-up time)."""
        self.plots: PlotPanel | None = None
        placeholder = QLabel("Loading plots…")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        placeholder.setMinimumHeight(210)
        dock = QDockWidget("Live plots: last 120 simulated seconds · rates are 5 s means", self)
        dock.setObjectName("plotsDock")
        dock.setWidget(placeholder)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.plots_dock = dock

    def load_plots(self) -> None:
        """Create the plot panel (imports pyqtgraph); called once, right after showing."""
        if self.plots is not None:
            return
        from visualizer.ui.plots import PlotPanel

        self.plots = PlotPanel(self.theme)
        self.plots.setMinimumHeight(210)
        self.plots.exportRequested.connect(self._export_plot)
        self.plots_dock.setWidget(self.plots)
        self._plots_due = [0, 1, 2, 3]

    def refresh_plots(self) -> None:
        """Bring every plot up to date now (before an export)."""
        self.load_plots()
        assert self.plots is not None
        run = self.driver.run
        self.plots.set_samples(run.samples, run.markers, self._server_names_by_index())
        self._plots_due = []
        QApplication.processEvents()

    def _export_plot(self, index: int, fmt: str) -> None:
        if index < 0:
            self.exporter.export_one("plots_png")
        else:
            self.exporter.export_plot(index, fmt)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not getattr(self, "_docks_sized", False):
            self._docks_sized = True
            self.resizeDocks(
                [self.plots_dock], [max(230, self.height() // 3)], Qt.Orientation.Vertical
            )

    def restore_layout(self) -> bool:
        """Window geometry and dock layout from the last session, if any."""
        geometry, state = self.settings.window_state()
        if geometry is None or state is None:
            return False
        self.restoreGeometry(geometry)
        self.restoreState(state)
        self._docks_sized = True
        return True

    def _init_status(self) -> None:
        bar = self.statusBar()
        self.status_labels = {}
        self.rec_label = QLabel()
        self.rec_label.setStyleSheet(
            "color: white; background: #D55E00; font-weight: 700;"
            " padding: 1px 8px; border-radius: 4px;"
        )
        self.rec_label.hide()
        bar.addPermanentWidget(self.rec_label)
        for key in ("time", "speed", "fps", "rate", "sessions"):
            label = QLabel()
            label.setMinimumWidth(110)
            bar.addPermanentWidget(label)
            self.status_labels[key] = label

    def _action(
        self, text: str, keys: list[str], slot, menu: QMenu | None = None, checkable: bool = False
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def _init_actions(self) -> None:
        menus = self.menuBar()
        scen = menus.addMenu("&Scenario")
        self._action("&Open…", ["Ctrl+O"], self.files.open_dialog, scen)
        self.files.recent_menu = scen.addMenu("Open &recent")
        self.files.refresh_recent()
        presets = scen.addMenu("Open &preset")
        for info in scenario.list_presets_cached():
            act = presets.addAction(f"{info.name} — {info.title}")
            act.triggered.connect(lambda _=False, name=info.name: self.open_preset(name))
        self._action("&Save as…", ["Ctrl+S"], self.files.save_dialog, scen)
        scen.addSeparator()
        self._action("&Export…", ["Ctrl+E"], self.exporter.export_dialog, scen)
        one = scen.addMenu("Export &one")
        for scale in (1, 2, 4):
            self._action(
                f"Canvas as PNG ({scale}×)…",
                [],
                lambda _=False, s=scale: self.exporter.export_one("canvas_png", s),
                one,
            )
        for key, text in (
            ("canvas_svg", "Canvas as SVG…"),
            ("window_png", "Whole window as PNG…"),
            ("plots_png", "All plots as PNG…"),
            ("metrics_csv", "Per-second metrics as CSV…"),
            ("summary_json", "Summary as JSON…"),
        ):
            self._action(text, [], lambda _=False, k=key: self.exporter.export_one(k), one)
        self._action(
            "Start / stop &recording…", ["Ctrl+Shift+R"], self.exporter.toggle_recording, scen
        )
        scen.addSeparator()
        self._action("&Quit", ["Ctrl+Q"], self.close, scen)

        sim = menus.addMenu("S&imulation")
        self._action("&Play / pause", ["Space"], self.driver.toggle, sim)
        self._action("&Step", ["Right"], lambda: self.driver.step(), sim)
        self._action("&Faster", ["+", "=", "Ctrl+="], self.driver.faster, sim)
        self._action("S&lower", ["-", "_"], self.driver.slower, sim)
        sim.addSeparator()
        self._action("&Reset run", ["Ctrl+R"], lambda: self.driver.restart(), sim)

        state = menus.addMenu("S&tate")
        self._action("&Stateful (off = tokens)", ["T"], self.toggle_stateful, state)
        self._action("S&ticky sessions", ["S"], self.toggle_sticky, state)
        self._action("Shared sto&re", ["R"], self.toggle_shared, state)

        servers = menus.addMenu("Ser&vers")
        for n in range(1, 10):
            self._action(
                f"Crash / restart server-{n}",
                [str(n)],
                lambda _=False, n=n: self.toggle_server_named(f"server-{n}"),
                servers,
            )
        servers.addSeparator()
        self._action("&Add a server", [], lambda: self.driver.apply(ev.AddServer()), servers)
        self._action(
            "&Remove a server", [], lambda: self.driver.apply(ev.RemoveServer(None)), servers
        )
        self._action("Crash / restore the &store", [], self.toggle_store, servers)

        view = menus.addMenu("&View")
        self._action("&Presenter mode", ["F5"], self.presenter.toggle, view)
        self._action("Leave presenter mode", ["Esc"], self.presenter.leave)
        self._action("Next preset", ["PgDown"], lambda: self.presenter.step_preset(1))
        self._action("Previous preset", ["PgUp"], lambda: self.presenter.step_preset(-1))
        self._action("&Full screen", ["F11"], self.toggle_full_screen, view)
        view.addSeparator()
        themes = view.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for name, label in (
            ("system", "Follow the system"),
            ("light", "Light"),
            ("dark", "Dark"),
            ("contrast", "High contrast"),
        ):
            act = self._action(label, [], lambda _=False, n=name: self.set_theme(n), themes, True)
            act.setChecked(name == self.settings.theme)
            group.addAction(act)
            self.theme_actions[name] = act
        self.act_motion = self._action(
            "&Reduced motion", [], self.set_reduced_motion, view, checkable=True
        )
        self.act_motion.setChecked(self.settings.reduced_motion)
        view.addSeparator()
        view.addAction(self.controls_dock.toggleViewAction())
        view.addAction(self.plots_dock.toggleViewAction())

        helpm = menus.addMenu("&Help")
        self._action("&Keyboard shortcuts", ["F1"], self.show_shortcuts, helpm)

    def _connect_signals(self) -> None:
        d, c = self.driver, self.controls
        d.frameReady.connect(self._on_frame)
        d.runningChanged.connect(lambda _: self._sync_controls())
        d.speedChanged.connect(lambda _: self._sync_controls())
        d.restarted.connect(self._on_restarted)
        d.problem.connect(self.show_problem)
        c.statefulToggled.connect(lambda on: self.set_mode(mode_of(on, False)))
        c.sharedToggled.connect(lambda on: self.set_mode(mode_of(True, on) if on else Mode.LOCAL))
        c.stickyToggled.connect(lambda on: d.set_value("balancer.sticky", on))
        c.algorithmChosen.connect(lambda a: d.set_value("balancer.algorithm", a))
        c.serversChosen.connect(lambda n: d.set_value("servers.count", n))
        c.usersChosen.connect(lambda v: d.set_value("traffic.users_per_s", v))
        c.sessionKbChosen.connect(lambda v: d.set_value("state.session_kb", v))
        c.storeLatencyChosen.connect(lambda v: d.set_value("store.latency_ms", v))
        c.speedChosen.connect(d.set_speed)
        c.playClicked.connect(d.toggle)
        c.stepClicked.connect(lambda: d.step())
        c.resetClicked.connect(lambda: d.restart())
        c.seedChosen.connect(lambda s: d.restart(seed=s))
        self.canvas.serverClicked.connect(self.toggle_server)
        self.canvas.storeClicked.connect(self.toggle_store)
        self.canvas.menuRequested.connect(self.show_canvas_menu)
        # the plots (and pyqtgraph) load once the first frame is on screen
        self.canvas.firstPainted.connect(lambda: QTimer.singleShot(0, self.load_plots))
        self.exporter.recordingChanged.connect(self._on_recording)

    # --- user actions (each becomes one engine command) -----------------------------------

    def set_mode(self, mode: Mode) -> None:
        self.driver.set_value("state.mode", mode.value)
        self._sync_controls()

    def toggle_stateful(self) -> None:
        stateful = self.driver.config.state.mode is not Mode.TOKEN
        self.set_mode(Mode.TOKEN if stateful else Mode.LOCAL)

    def toggle_shared(self) -> None:
        shared = self.driver.config.state.mode is Mode.SHARED
        self.set_mode(Mode.LOCAL if shared else Mode.SHARED)

    def toggle_sticky(self) -> None:
        self.driver.set_value("balancer.sticky", not self.driver.config.balancer.sticky)
        self._sync_controls()

    def _server(self, index: int) -> ServerView | None:
        return next((s for s in self.driver.run.snapshot().servers if s.index == index), None)

    def _server_names_by_index(self) -> dict[int, str]:
        return {s.index: s.name for s in self.driver.run.snapshot().servers}

    def toggle_server(self, index: int) -> None:
        server = self._server(index)
        if server is not None:
            self.driver.apply(ev.CrashServer(index) if server.up else ev.RestartServer(index))

    def toggle_server_named(self, name: str) -> None:
        index = self.driver.run.server_index(name)
        if index is None:
            names = ", ".join(self._server_names_by_index().values())
            self.show_problem(f"There is no {name} (servers: {names})")
            return
        self.toggle_server(index)

    def toggle_store(self) -> None:
        up = self.driver.run.snapshot().store.up
        self.driver.apply(ev.CrashStore() if up else ev.RestoreStore())

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
        """A new run on ``config`` from 0 s, paused (a recording goes on into it)."""
        self.driver.pause()
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
        self.controls.set_theme(theme)
        self.headline.set_theme(theme)
        if self.plots is not None:  # pyqtgraph styles are set at creation: build anew
            old, self.plots = self.plots, None
            self.load_plots()
            old.deleteLater()
            self.refresh_plots()
        self._last_text = 0.0

    def set_reduced_motion(self, on: bool) -> None:
        self.settings.reduced_motion = bool(on)
        self.act_motion.setChecked(bool(on))
        self.scene.set_reduced_motion(bool(on))

    def grab_canvas(self) -> QImage:
        """The canvas as it is on screen (for recordings)."""
        return self.canvas.viewport().grab().toImage()

    def show_error(self, title: str, message: str) -> None:
        """One dialog saying what failed (replaced in tests)."""
        QMessageBox.warning(self, title, message)

    def _set_title(self) -> None:
        title = f"Request Routing Visualizer — {self.driver.config.scenario.title}"
        self.setWindowTitle(("● REC  " if self.exporter.is_recording else "") + title)

    def _on_recording(self, on: bool) -> None:
        self.rec_label.setVisible(on)
        self.rec_label.setText(self.exporter.recording_status())
        self._set_title()

    def show_canvas_menu(self, kind: str, index: int, where: QPoint) -> None:
        menu = QMenu(self)
        server = self._server(index) if kind == "server" else None
        if server is not None:
            verb = "Crash" if server.up else "Restart"
            menu.addAction(f"{verb} {server.name}", lambda: self.toggle_server(index))
            menu.addAction(
                f"Remove {server.name}", lambda: self.driver.apply(ev.RemoveServer(index))
            )
        elif kind == "store":
            verb = "Crash" if self.driver.run.snapshot().store.up else "Restore"
            menu.addAction(f"{verb} the store", self.toggle_store)
        menu.addAction("Add a server", lambda: self.driver.apply(ev.AddServer()))
        menu.popup(where)
        self._menu = menu  # kept for tests

    def show_problem(self, message: str) -> None:
        """A refused value: say why, and show the settings the run really has."""
        self.statusBar().showMessage(f"⚠ {message}", 8000)
        self._sync_controls()

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(
            self,
            "Keyboard shortcuts",
            f"<table>{rows}</table><p>Click a server card to crash it and again to restart it; "
            "click the store to crash or restore it; right-click for more.</p>",
        )

    # --- frames -------------------------------------------------------------------------------

    def _on_restarted(self, config: Config) -> None:
        self.scene.reset()
        if self.plots is not None:
            self.plots.clear()
        self._set_title()
        self._sync_controls()

    def _sync_controls(self) -> None:
        d = self.driver
        self.controls.sync(d.config, d.running, d.speed)
        self._shown_config = d.config

    def _on_frame(self, frame: Frame | None) -> None:
        wall = time.monotonic()
        if frame is None:
            self.scene.update_effects(wall)
            return
        snap = frame.snapshot
        self.scene.speed = self.driver.speed
        self.scene.moving = self.driver.running
        running = self.driver.running
        if frame.new_samples and wall - self._last_plots >= PLOT_REFRESH_S:
            self._last_plots = wall
            self._plots_due = [0, 1, 2, 3]
        plot_now = bool(self._plots_due) and self.plots is not None
        # Work is spread over frames so none stutters: while playing, at most one plot
        # redraws per frame, and a frame that redraws a plot leaves the cards for the next.
        self.scene.update_frame(
            snap,
            self.driver.run.log,
            refresh_nodes=not running,
            refresh_cards=not (plot_now and running),
            wall=wall,
        )
        self.scene.set_paused(not running)
        if plot_now:
            which = [self._plots_due.pop(0)] if running else self._plots_due
            names = {s.index: s.name for s in snap.servers}
            run = self.driver.run
            self.plots.set_samples(run.samples, run.markers, names, which)
            if not running:
                self._plots_due = []
        if snap.config is not self._shown_config:
            self._sync_controls()
        if wall - self._last_text >= TEXT_REFRESH_S or not self.driver.running:
            self._last_text = wall
            self._update_text(snap)
            self.presenter.update(snap)
            if self.exporter.is_recording:
                self.rec_label.setText(self.exporter.recording_status())

    def _update_text(self, snap) -> None:
        self.headline.show_explanation(explain(snap), measured(snap))
        d = self.driver
        labels = self.status_labels
        labels["time"].setText(f"t = {snap.t:,.1f} s")
        actual = d.actual_speed
        behind = d.running and actual < 0.8 * d.speed
        speed = f"speed {d.speed:g}×" + (f" (actual {actual:.2g}×)" if behind else "")
        labels["speed"].setText(speed if d.running else f"paused · {d.speed:g}×")
        labels["fps"].setText(f"{d.fps:.0f} fps")
        labels["rate"].setText(f"{snap.rps:,.0f} req/s")
        active = snap.sessions
        labels["sessions"].setText(f"{active:,} sessions · {snap.users_active:,} users")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exporter.is_recording:
            self.exporter.stop_recording()
        self.exporter.finish()
        self.presenter.leave()
        self.settings.set_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.driver.stop()
        super().closeEvent(event)
