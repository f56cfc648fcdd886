"""Inspecting and following: the inspector and event-log docks, kept up to date from the
run, and the followed user marked on the canvas."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow

from visualizer.ui.canvas.scene import TopologyScene
from visualizer.ui.lesson.explain import marker_words
from visualizer.ui.panels.event_list import EventList
from visualizer.ui.panels.inspector import Inspector
from visualizer.ui.window.driver import SimDriver

#: Seconds between refreshes of the inspector and the event log while the run plays.
REFRESH_S = 1.0


class Inspection(QObject):
    """Owns the inspector and the event log (tabbed on the right, hidden until wanted)."""

    seekRequested = Signal(float)

    def __init__(self, window: QMainWindow, driver: SimDriver, scene: TopologyScene) -> None:
        super().__init__(window)
        self.driver = driver
        self.scene = scene
        self.following: int | None = None
        self._last = 0.0
        self.inspector = Inspector()
        self.events = EventList()
        self.inspector_dock = self._dock(window, "Inspector", "inspectorDock", self.inspector)
        self.events_dock = self._dock(window, "Event log", "eventsDock", self.events)
        window.tabifyDockWidget(self.inspector_dock, self.events_dock)
        self.inspector_dock.hide()
        self.events_dock.hide()
        self.events.seekRequested.connect(self.seekRequested)
        self.inspector.followRequested.connect(self.follow)
        self.events_dock.visibilityChanged.connect(lambda _: self.refresh(force=True))

    @staticmethod
    def _dock(window: QMainWindow, title: str, name: str, widget) -> QDockWidget:
        dock = QDockWidget(title, window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def toggle_events(self) -> None:
        if self.events_dock.isVisible():
            self.events_dock.hide()
        else:
            self._show(self.events_dock)

    def _show(self, dock: QDockWidget) -> None:
        """Show a dock at a width that leaves the canvas most of the window."""
        first = not dock.isVisible()
        dock.show()
        dock.raise_()
        if first:
            window = dock.parentWidget()
            width = max(300, min(380, window.width() // 4))
            window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)

    def inspect(self, target: tuple) -> None:
        """("request", id, user) or ("user", user): show it in the inspector."""
        if target[0] == "request":
            self.inspector.show_request(target[1], target[2])
        else:
            self.inspector.show_user(target[1])
        self._show(self.inspector_dock)
        self.refresh(force=True)

    def follow(self, user: int) -> None:
        """Mark ``user`` on the canvas and list their requests (-1: stop following)."""
        self.following = None if user < 0 else user
        self.inspector.set_following(self.following)
        self.scene.set_follow(self.following, None)
        self.refresh(force=True)

    def jumped(self) -> None:
        self._last = 0.0

    def due(self, wall: float) -> bool:
        return wall - self._last >= REFRESH_S

    def refresh(self, force: bool = False) -> None:
        """Read the run's history into the docks that are shown."""
        self._last = time.monotonic()
        run = self.driver.run
        followed = run.user_traces(self.following) if self.following is not None else []
        self.scene.about = run.about_user(self.following) if self.following is not None else None
        if self.events_dock.isVisible() or force:
            config = run.config
            self.events.show_entries(run.markers, followed, lambda m: marker_words(m, config))
        user = self.inspector.user
        if user is None or not (self.inspector_dock.isVisible() or force):
            return
        story = run.user_story(user)
        request = self.inspector.request
        trace = run.trace(request) if request is not None else None
        flying = run.in_flight(request) if request is not None and trace is None else None
        self.inspector.refresh(trace, story, run.now, flying)
        if user == self.following and story.last is not None:
            self.scene.set_follow(self.following, story.last.server)
