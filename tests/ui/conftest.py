"""A real main window on the offscreen platform, closed (and checked) after each test."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from visualizer.sim import scenario
from visualizer.ui.canvas.tracker import FAILED_SPRITE
from visualizer.ui.colors import LIGHT
from visualizer.ui.window.app import build_window
from visualizer.ui.window.main_window import MainWindow
from visualizer.ui.window.settings import AppSettings


@pytest.fixture
def open_window(qtbot):
    """Factory: ``open_window("sticky-crash", servers__count=6)`` → a shown MainWindow."""
    windows: list[MainWindow] = []

    def make(preset: str = "sticky-crash", theme=LIGHT, **changes) -> MainWindow:
        from tests.sim.helpers import config

        cfg = config(preset, **changes) if changes else scenario.load(preset)
        AppSettings().q.clear()  # every test starts from default settings
        window = build_window(cfg, theme)
        window.resize(1400, 900)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # window shortcuts need an active window
        qtbot.waitUntil(lambda: window.plots is not None)  # loaded just after the first frame
        window.canvas.setFocus()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        assert not window.driver.timer_active


def card_point(window: MainWindow, index: int) -> QPoint:
    """Viewport coordinates of a server card's name bar (where a click always crashes or
    restarts it: the body's dots and chips open the inspector)."""
    card = window.scene.cards[index]
    r = card.sceneBoundingRect()
    return window.canvas.mapFromScene(r.center().x() + r.width() * 0.2, r.y() + r.height() * 0.14)


def click_card(qtbot, window: MainWindow, index: int, button=Qt.MouseButton.LeftButton) -> None:
    qtbot.mouseClick(window.canvas.viewport(), button, pos=card_point(window, index))


@pytest.fixture
def readonly_folder(tmp_path, monkeypatch):
    """A folder that refuses new files: chmod for normal users, the immutable flag for
    root (which ignores permissions); failing both, creating temp files there fails."""
    import os
    import subprocess
    import tempfile

    folder = tmp_path / "locked"
    folder.mkdir()

    def writable() -> bool:
        try:
            (folder / ".probe").write_bytes(b"")
        except OSError:
            return False
        (folder / ".probe").unlink()
        return True

    folder.chmod(0o500)
    immutable = False
    if writable() and os.geteuid() == 0:
        immutable = (
            subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
        )
    if writable():
        real = tempfile.mkstemp

        def refuse(*args, **kwargs):
            if str(kwargs.get("dir", "")).startswith(str(folder)):
                raise PermissionError(13, "Permission denied")
            return real(*args, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    yield folder
    if immutable:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o700)


def step_until_failed_dots(window: MainWindow) -> bool:
    """Step the paused run until failed requests are drawn on their way back (crossed
    red dots); whether any are."""
    tracker = window.scene.tracker
    for _ in range(200):
        window.driver.step(0.05)
        window.driver.tick(0.0)
        if (tracker.sprite[tracker._last[0]] == FAILED_SPRITE).any():
            return True
    return False
