"""Where the sign-in lesson checks a credential: a session in the store (by its cookie),
a JWT alone (or with the store's blocklist), and a refresh request; and the table of
JWTs clients hold, which count from issue to their fixed expiry."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from visualizer.sim.config import Config, Mode
from visualizer.sim.records import ErrorCode, RequestKind
from visualizer.sim.state.placements import (
    Begin,
    Placement,
    SharedPlacement,
    TokenPlacement,
)
from visualizer.sim.state.sessions import SessionTable

if TYPE_CHECKING:
    from visualizer.lessons.auth.model import AuthModel
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.state.sessions import Session

LOGIN = RequestKind.LOGIN
REVOKED = ErrorCode.REVOKED
EXPIRED = ErrorCode.INSUFFICIENT_CONTEXT
STORE_UNAVAILABLE = ErrorCode.STORE_UNAVAILABLE


class SessionCookie(SharedPlacement):
    """A session in the shared store, named by a cookie: one round trip per request."""

    mode = Mode.SHARED
    _LOOKUPS: ClassVar[dict[ErrorCode, str]] = {
        **SharedPlacement._LOOKUPS,
        REVOKED: "store-revoked",
    }
    model: AuthModel  # wired by the model
    header_bytes = 0

    def configure(self, config: Config) -> None:
        super().configure(config)
        self.header_bytes = config.auth.cookie_bytes

    def begin_login(self, req: Request) -> Begin:
        self.model.lookups += 1
        store = self.store
        if not store.up:
            return STORE_UNAVAILABLE
        req.store_epoch = store.epoch
        return self.round_trip

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        return self.begin_login(req)

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        if self.store.epoch != req.store_epoch:
            return STORE_UNAVAILABLE  # the store went down during the round trip
        if req.kind is LOGIN:
            return None
        user = req.user
        if user.id in self.model.revoked_at:
            return REVOKED  # the session was deleted when its user was revoked
        sess: Session = user.session  # type: ignore[assignment]
        if not sess.alive:
            return self.missing(sess)
        if now - sess.last_access > self.ttl:
            self.keeper.expire(sess)
            return ErrorCode.SESSION_MISSING
        return None


class Jwt(TokenPlacement):
    """A signed token any server checks alone, valid until its fixed expiry; with a
    blocklist, each request also asks the store whether its user was revoked."""

    mode = Mode.TOKEN
    _LOOKUPS: ClassVar[dict[ErrorCode, str]] = {
        EXPIRED: "token-expired",
        REVOKED: "blocklist-revoked",
        STORE_UNAVAILABLE: "store-down",
    }
    model: AuthModel  # wired by the model
    header_bytes = 0
    blocklist = False

    def lookup(self, code: ErrorCode | None) -> str:
        return self._LOOKUPS.get(code, self.found)  # type: ignore[arg-type]

    def configure(self, config: Config) -> None:
        super().configure(config)
        auth = config.auth
        trip = config.store.latency_ms / 1000.0
        self.header_bytes = auth.token_bytes
        self.blocklist = auth.blocklist
        self.checks_on_finish = auth.blocklist  # type: ignore[misc]
        self.round_trip = trip if auth.blocklist else 0.0
        self._checked = self.verify + trip

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        model = self.model
        uid = req.user.id
        if uid in model.refreshing:  # the client's refresh request, not the held one
            refresher = req.placement = model.refresher
            return refresher.begin(req, s, sess, now)
        if now > model.expires[uid]:
            return EXPIRED
        if self.blocklist:
            model.lookups += 1
            store = self.store
            if not store.up:
                return STORE_UNAVAILABLE
            req.store_epoch = store.epoch
            return self._checked
        return self.verify

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        """Only with a blocklist: what the revocation list said."""
        if req.store_epoch < 0:
            return None  # checked before the blocklist was turned on (or a login)
        if self.store.epoch != req.store_epoch:
            return STORE_UNAVAILABLE
        if req.user.id in self.model.revoked_at:
            return REVOKED
        return None


class Refresh(Placement):
    """A refresh request: the store's revocation list is asked before a new access token
    is issued."""

    mode = Mode.TOKEN
    found = "refresh"
    checks_on_finish = True
    _LOOKUPS: ClassVar[dict[ErrorCode, str]] = {
        REVOKED: "refresh-revoked",
        EXPIRED: "refresh-expired",
        STORE_UNAVAILABLE: "store-down",
    }
    model: AuthModel  # wired by the model

    def lookup(self, code: ErrorCode | None) -> str:
        return self._LOOKUPS.get(code, self.found)  # type: ignore[arg-type]

    def configure(self, config: Config) -> None:
        super().configure(config)
        self.round_trip = config.store.latency_ms / 1000.0
        self._cost = config.state.token_verify_ms / 1000.0 + self.round_trip

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        self.model.lookups += 1
        store = self.store
        if not store.up:
            return STORE_UNAVAILABLE
        req.store_epoch = store.epoch
        return self._cost

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        if self.store.epoch != req.store_epoch:
            return STORE_UNAVAILABLE
        uid = req.user.id
        model = self.model
        if uid in model.revoked_at:
            return REVOKED
        if now > model.refresh_expires[uid]:
            return EXPIRED
        return None


class JwtTable(SessionTable):
    """The JWTs clients hold (``keeper.tokens`` in this lesson): a token counts from its
    issue until its fixed expiry (``token_ttl_s``, the refresh token's with refresh); using
    it does not extend it."""

    __slots__ = ("ttl",)

    def __init__(self, where: int, ttl: float) -> None:
        super().__init__(where)
        self.ttl = ttl

    def touch(self, session: Session, now: float) -> None:
        """A JWT's life runs from its issue, not from its last use."""

    def expire(self, now: float, ttl: float) -> int:
        return SessionTable.expire(self, now, self.ttl)
