"""The inspector: why one request went where it went and what happened to it, and the
story of its user. "Follow" marks that user's dots, chips and server on the canvas."""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from visualizer.app.stories import KIND_NAMES, UserStory
from visualizer.app.words import route_words
from visualizer.sim.records import CLIENT, STORE, InFlight, LossCause, RequestTrace, SessionNow

LOOKUPS = {
    "login": "a login: it creates the session",
    "local-found": "found in this server's memory",
    "local-missing": "not in this server's memory: the session lives on another server "
    "(or idled out)",
    "local-lost": "gone: the server that held it crashed",
    "store-found": "found in the shared store",
    "store-down": "the shared store is down",
    "store-missing": "not in the store (it idled out)",
    "store-lost": "gone: the store crashed without a replica",
    "token": "carried by the client's token (checked, no lookup)",
    "token-expired": "the token had expired",
    "none": "never looked: it failed before a worker took it",
}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.0095 else f"{seconds * 1000:,.1f} ms"


def _article(noun: str) -> str:
    return f"an {noun}" if noun[0] in "aeiou" else f"a {noun}"


def request_html(t: RequestTrace) -> str:
    """The request's trace as a few lines of text."""
    where = f"server-{t.server + 1}" if t.server >= 0 else "no server"
    outcome = "✔ ok" if t.ok else f"✖ {t.outcome}"
    parts = [("network", t.network), ("queue", t.queue), ("processing", t.processing)]
    if t.state > 0:
        parts.append(("store / token", t.state))
    time = " + ".join(f"{name} {_ms(v)}" for name, v in parts if v > 0 or name == "network")
    rows = [
        ("Request", f"#{t.id}, {_article(KIND_NAMES[t.kind])} of user {t.user}"),
        ("Sent", f"at {t.t_sent:,.3f} s → {where}"),
        ("Route", route_words(t.route)),
        ("Session", LOOKUPS.get(t.lookup, t.lookup)),
        ("Outcome", f"{outcome} after {_ms(t.latency)}"),
        ("Time", time or "—"),
    ]
    return _table(rows)


#: Where a session lives, by its holder (a server index otherwise).
_HOLDERS = {STORE: "in the shared store", CLIENT: "in the client's token"}


def _holder(where: int) -> str:
    return _HOLDERS.get(where, f"in server-{where + 1}'s memory")


def _down(where: int) -> str:
    return "the shared store" if where == STORE else f"server-{where + 1}"


def in_flight_html(f: InFlight, at: float) -> str:
    """A request not answered yet: the routing decision already made, and where it is."""
    where = f"server-{f.server + 1}" if f.server >= 0 else "no server"
    stage = {
        "on its way": f"on its way to {where}",
        "queued": f"waiting in {where}'s queue for a worker",
        "working": f"{where} took it, not answered yet",
    }.get(f.stage, f.stage)
    rows = [
        ("Request", f"#{f.id}, {_article(KIND_NAMES[f.kind])} of user {f.user}"),
        ("Sent", f"at {f.t_sent:,.3f} s → {where}"),
        ("Route", route_words(f.route)),
        ("Now", f"in flight at {at:,.1f} s: {stage}"),
        ("Outcome", "not yet: the session lookup and the time taken come when it ends"),
    ]
    return _table(rows)


def _items(n: int, known: bool) -> str:
    return f"{'' if known else 'at least '}{n} item{'s' * (n != 1)}"


def cart_words(s: UserStory) -> str | None:
    """What the user's session (their cart) is now, in the engine's words; None when
    there is nothing true to say: the user has left, or holds no session (not logged in
    yet, or a lesson whose users keep none: a realtime handshake is no login)."""
    session: SessionNow | None = s.session
    if session is None or session.state == "none":
        return None
    items = _items(s.cart, s.cart_known)
    if session.state == "alive":
        return f"holds {items}, {_holder(session.holder)}"
    if session.state == "gone":
        return f"gone: the session idled out ({items} with it)"
    when = f" at {s.lost_at:,.1f} s" if s.lost_at is not None else ""
    if session.cause == LossCause.CRASH:
        why = f"{_down(session.holder)} crashed{when}"
    elif session.cause == LossCause.OOM:
        why = f"{_down(session.holder)} ran out of memory{when}"
    elif session.cause == LossCause.STORE_OUTAGE:
        why = f"the shared store crashed{when}"
    else:
        why = "given up: the user was sent where it was not"
    return f"lost with {items}: {why}"


def story_html(s: UserStory) -> str:
    if s.ahead:
        return _table([("User", f"{s.user}: not arrived yet at {s.at:,.1f} s")])
    if s.arrived is None:
        arrived = "arrived before the records held"
    else:
        plan = f", came to do {s.planned} step{'s' * (s.planned != 1)}" if s.planned else ""
        arrived = f"arrived at {s.arrived:,.1f} s{plan}"
    if s.left is None:
        fate = "still online"
    else:
        fate = f"{'finished' if s.completed else 'gave up'} at {s.left:,.1f} s"
    rows = [
        ("User", f"{s.user}: {arrived}; {fate}"),
        (
            "Did",
            f"{s.requests} request{'s' * (s.requests != 1)}: "
            f"{s.logins} login{'s' * (s.logins != 1)}, "
            f"{s.steps} step{'s' * (s.steps != 1)} served",
        ),
    ]
    cart = cart_words(s)
    if cart is not None:
        rows.append(("Cart", cart))
    rows.append(("Servers", ", ".join(s.servers) or "—"))
    for f in s.failures[-6:]:
        rows.append(
            (
                f"✖ {f.t:,.1f} s",
                f"{f.kind} on {f.server}: {f.code}; then {f.then}",
            )
        )
    if len(s.failures) > 6:
        rows.append(("", f"… {len(s.failures) - 6} earlier failures"))
    return _table(rows)


def _table(rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='padding-right:10px; vertical-align:top'><b>{html.escape(k)}</b></td>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<table>{cells}</table>"


class Inspector(QWidget):
    """Shows one request and its user; asks to follow or stop following that user."""

    followRequested = Signal(int)  # user id, or -1 to stop

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.request: int | None = None
        self.user: int | None = None
        self.following: int | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        self.title = QLabel("Click a moving dot, a session chip or a client lane")
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: 600;")
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setMinimumWidth(260)
        buttons = QHBoxLayout()
        self.follow = QPushButton("Follow this user")
        self.follow.setToolTip("Mark this user's requests, session and server on the canvas")
        self.follow.setEnabled(False)
        self.follow.clicked.connect(self._toggle_follow)
        buttons.addWidget(self.follow)
        buttons.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

    def show_request(self, request: int, user: int) -> None:
        self.request, self.user = request, user
        self.follow.setEnabled(True)
        self._relabel()

    def show_user(self, user: int) -> None:
        self.request, self.user = None, user
        self.follow.setEnabled(True)
        self._relabel()

    def set_following(self, user: int | None) -> None:
        self.following = user
        self._relabel()

    def _relabel(self) -> None:
        following = self.user is not None and self.following == self.user
        self.follow.setText("Stop following" if following else "Follow this user")

    def _toggle_follow(self) -> None:
        if self.user is None:
            return
        self.followRequested.emit(-1 if self.following == self.user else self.user)

    def refresh(
        self,
        trace: RequestTrace | None,
        story: UserStory | None,
        at: float,
        flying: InFlight | None = None,
    ) -> None:
        """Redraw from the run: the request's trace, or while it is still in flight its
        routing decision (``flying``), and the user's story."""
        parts = []
        if self.request is not None:
            self.title.setText(f"Request #{self.request} · user {self.user}")
            if trace is not None:
                parts.append(request_html(trace))
            elif flying is not None:
                parts.append(in_flight_html(flying, at))
            else:
                parts.append(
                    f"<p>Request #{self.request} is not in flight at {at:,.1f} s "
                    "(not sent yet, or its trace is no longer held).</p>"
                )
        elif self.user is not None:
            self.title.setText(f"User {self.user}")
        if story is not None:
            parts.append("<hr>" if parts else "")
            parts.append(story_html(story))
        text = "".join(parts)
        if text != getattr(self, "_shown", None):
            self._shown = text
            self.text.setHtml(text)
