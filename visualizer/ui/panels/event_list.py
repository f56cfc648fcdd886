"""The event log: notable moments of the run (crashes with sessions lost, health-check
removals, store outages, setting changes, OOM kills) and, while a user is followed, that
user's requests. Filterable; clicking an entry takes the timeline there."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from visualizer.app.stories import KIND_NAMES
from visualizer.sim.records import EventKind, Marker, RequestTrace

K = EventKind
FILTERS: dict[str, frozenset[EventKind] | None] = {
    "Everything": None,
    "Crashes and restarts": frozenset(
        {K.SERVER_CRASHED, K.SERVER_RESTARTED, K.SERVER_ADDED, K.SERVER_DRAINING, K.SERVER_REMOVED}
    ),
    "Store outages": frozenset({K.STORE_CRASHED, K.STORE_RESTORED}),
    "Health checks": frozenset({K.ROTATION_IN, K.ROTATION_OUT}),
    "Setting changes": frozenset({K.SETTING_CHANGED}),
    "Followed user only": frozenset(),
}
GLYPHS = {
    K.SERVER_CRASHED: "✖",
    K.STORE_CRASHED: "✖",
    K.SERVER_RESTARTED: "▲",
    K.STORE_RESTORED: "▲",
    K.SERVER_ADDED: "+",
    K.SERVER_DRAINING: "−",
    K.SERVER_REMOVED: "−",
    K.ROTATION_IN: "↻",
    K.ROTATION_OUT: "↻",
    K.SETTING_CHANGED: "◆",
}


def entries(
    markers: list[Marker],
    traces: list[RequestTrace],
    kinds: frozenset[EventKind] | None,
    text: str,
    words: Callable[[Marker], str] = lambda m: m.label,
) -> list[tuple[float, str]]:
    """(time, line) for the list, oldest first: markers of the chosen kinds (in
    ``words``: the run's lesson's), then the followed user's requests, filtered by
    ``text``."""
    rows = [
        (m.t, f"{m.t:>9,.1f} s  {GLYPHS.get(m.kind, '·')} {words(m)}")
        for m in markers
        if kinds is None or m.kind in kinds
    ]
    for t in traces:
        where = f"server-{t.server + 1}" if t.server >= 0 else "no server"
        result = "ok" if t.ok else f"✖ {t.outcome}"
        rows.append(
            (
                t.t_sent,
                f"{t.t_sent:>9,.1f} s  → user {t.user}: {KIND_NAMES[t.kind]} #{t.id} "
                f"to {where}, {result}",
            )
        )
    rows.sort(key=lambda r: r[0])
    needle = text.strip().lower()
    return [r for r in rows if needle in r[1].lower()] if needle else rows


class EventList(QWidget):
    seekRequested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        row = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.addItems(list(FILTERS))
        self.kind.setAccessibleName("Show")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Filter, e.g. server-2")
        self.search.setClearButtonEnabled(True)
        row.addWidget(self.kind)
        row.addWidget(self.search, 1)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)  # long labels wrap instead of hiding behind a scroll bar
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemActivated.connect(self._go)
        self.list.itemClicked.connect(self._go)
        layout.addLayout(row)
        layout.addWidget(self.list, 1)
        self._shown: list[tuple[float, str]] = []
        self.kind.currentIndexChanged.connect(lambda _: self.changed_filter())
        self.search.textChanged.connect(lambda _: self.changed_filter())
        self._source: tuple[list[Marker], list[RequestTrace], Callable[[Marker], str]] = (
            [],
            [],
            lambda m: m.label,
        )

    def changed_filter(self) -> None:
        self.show_entries(*self._source)

    def show_entries(
        self,
        markers: list[Marker],
        traces: list[RequestTrace],
        words: Callable[[Marker], str] = lambda m: m.label,
    ) -> None:
        self._source = (markers, traces, words)
        kinds = FILTERS[self.kind.currentText()]
        rows = entries(markers, traces, kinds, self.search.text(), words)
        if rows == self._shown:
            return
        at_end = self.list.verticalScrollBar().value() >= self.list.verticalScrollBar().maximum()
        if rows[: len(self._shown)] == self._shown:  # new entries at the end
            for t, text in rows[len(self._shown) :]:
                self._add(t, text)
        else:
            self.list.clear()
            for t, text in rows:
                self._add(t, text)
        self._shown = rows
        if at_end:
            self.list.scrollToBottom()

    def _add(self, t: float, text: str) -> None:
        item = QListWidgetItem(text)
        item.setData(Qt.ItemDataRole.UserRole, t)
        item.setToolTip("Click to go to this moment")
        self.list.addItem(item)

    def _go(self, item: QListWidgetItem) -> None:
        self.seekRequested.emit(float(item.data(Qt.ItemDataRole.UserRole)))
