"""The canvas widget: scales the scene to fit and turns clicks into requests."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QMouseEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QGraphicsView, QWidget

from visualizer.ui.canvas.layout import scene_height
from visualizer.ui.canvas.scene import TopologyScene


class CanvasView(QGraphicsView):
    serverClicked = Signal(int)
    storeClicked = Signal()
    nodeClicked = Signal(str)  # a lesson's tier node, by key
    menuRequested = Signal(str, int, QPoint)  # "server"/"store"/"node"/"canvas", index, pos
    inspectRequested = Signal(object)  # ("request", id, user) or ("user", user)
    firstPainted = Signal()
    resized = Signal()  # laid out anew: the window draws a whole frame at once

    def __init__(self, scene: TopologyScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.topology = scene
        # Many things move every frame: one full repaint beats tracking dirty regions.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(400, 220)
        self.setAccessibleName("Topology canvas")
        self._painted = False
        # dots, session chips and client lanes open the inspector (not in presenter mode,
        # where a click on a card always crashes or restarts it)
        self.inspecting = True
        #: The keys held at the last click (Alt+click: a command for one side only).
        self.click_modifiers = Qt.KeyboardModifier.NoModifier

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            self.firstPainted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.refit()
        self.resized.emit()

    def refit(self) -> None:
        vp = self.viewport().size()
        self.topology.set_height(scene_height(vp.width(), vp.height(), self.topology.scene_w))
        self.fitInView(self.topology.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self.topology.view_scale = self.transform().m11()

    def target_at_view(self, pos: QPoint) -> tuple[str, int] | None:
        return self.topology.target_at(self.mapToScene(pos))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.click_modifiers = event.modifiers()
            pos = event.position().toPoint()
            inspected = self.topology.inspect_at(self.mapToScene(pos)) if self.inspecting else None
            if inspected is not None:
                self.inspectRequested.emit(inspected)
                event.accept()
                return
            target = self.target_at_view(pos)
            if target is not None:
                kind, index = target
                if kind == "server":
                    self.serverClicked.emit(index)
                elif kind == "store":
                    self.storeClicked.emit()
                elif kind == "node":
                    key = self.topology.node_key(index)
                    if key is not None:
                        self.nodeClicked.emit(key)
                event.accept()
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        target = self.target_at_view(point)
        clickable = target is not None and target[0] in ("server", "store", "node")
        clickable = clickable or (
            self.inspecting and self.topology.inspect_at(self.mapToScene(point)) is not None
        )
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )
        super().mouseMoveEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        target = self.target_at_view(event.pos())
        kind, index = target if target is not None else ("canvas", -1)
        self.menuRequested.emit(kind, index, event.globalPos())
        event.accept()
