"""Start the window: application, theme, main window, event loop."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QApplication

from visualizer.sim import scenario
from visualizer.sim.config import Config
from visualizer.sim.schema import ConfigError
from visualizer.ui.colors import Theme
from visualizer.ui.theme import apply_theme, theme_named
from visualizer.ui.window.fit import FRAME_GUESS, fitted
from visualizer.ui.window.main_window import MainWindow
from visualizer.ui.window.settings import AppSettings


def make_app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    app.setApplicationName("Request Routing Visualizer")
    app.setOrganizationName("request-routing-visualizer")
    return app  # type: ignore[return-value]


def first_size(room: QRect) -> QSize:
    """The window's size on a first start: 1500×920, less on a smaller screen, with room
    for the frame the window manager adds once the window shows (a 1280×720 screen's
    window used to open as tall as the screen, its status bar under the task bar)."""
    return fitted(QSize(1500, 920), room, FRAME_GUESS)


def build_window(
    config: Config, theme: Theme | None = None, *, remember: bool = True
) -> MainWindow:
    """The main window on ``config``. With ``remember`` it takes the theme and layout
    of the last session and saves its own on close; without, it touches no settings."""
    app = make_app()
    settings = AppSettings() if remember else AppSettings.throwaway()
    theme = theme or theme_named(settings.theme)
    apply_theme(app, theme)
    window = MainWindow(config, theme, settings)
    if not (remember and window.restore_layout()):
        screen = app.primaryScreen()
        if screen is not None:
            window.resize(first_size(screen.availableGeometry()))
    return window


def tune_gc() -> None:
    """Keep the cyclic garbage collector out of the animation.

    Qt, pyqtgraph and numpy leave ~75,000 tracked objects behind at start-up; every full
    collection rescanned them (30-40 ms, a visible hitch). Frozen, they are never scanned
    again. The driver collects on the frames' schedule (``collector``); the thresholds
    stay, larger, for whatever allocates outside frames.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)


def startup_config(name_or_path: str | None) -> Config:
    """The scenario to open: the one asked for, else the last one if it still loads,
    else the default preset. A bad explicit choice raises ``ConfigError``."""
    if name_or_path:
        return scenario.load(name_or_path)
    make_app()
    last = AppSettings().last_scenario
    if last:
        try:
            return scenario.load(last)
        except ConfigError:
            pass
    return scenario.load(scenario.DEFAULT_PRESET)


def run_app(config: Config) -> int:
    """Open the window on ``config`` and run until it closes; returns the exit code."""
    app = make_app()
    window = build_window(config)
    window.show()
    tune_gc()
    return app.exec()
