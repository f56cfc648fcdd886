"""Where a session lives: server memory, the shared store, or the client's token.

A placement is a small class behind one interface; the request path asks the placement
of a request's session what the request costs and whether it can go on, instead of
branching on the mode. A later lesson adds a placement, not an ``if``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from visualizer.sim.config import Config, Mode
from visualizer.sim.records import ErrorCode, RequestKind

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.sessions import Session, SessionTable
    from visualizer.sim.state.store import SessionStore

#: What a placement answers when a request may start: the extra time its worker is held
#: (a float), or the error the request fails with at once.
Begin = float | ErrorCode


class Placement:
    """Where sessions of one kind live, and what using them costs a request."""

    mode: ClassVar[Mode]
    #: the session lookup as a request trace names it when the session is there
    found: ClassVar[str]
    #: whether ``finish`` has anything to check (the hot path skips the call otherwise)
    checks_on_finish: ClassVar[bool] = False
    #: seconds of each request spent on a round trip to the store (drawn as a hop)
    round_trip: float = 0.0

    def __init__(self, keeper: SessionKeeper, store: SessionStore) -> None:
        self.keeper = keeper
        self.store = store

    def configure(self, config: Config) -> None:
        self.ttl = config.state.ttl_s

    def table(self, server: Server) -> SessionTable:
        """The table a new session goes into when its login is served by ``server``."""
        raise NotImplementedError

    def begin_login(self, req: Request) -> Begin:
        """A login starts on a worker: the time it costs beyond processing."""
        return 0.0

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        """A request that uses ``sess`` starts on a worker of ``s``."""
        raise NotImplementedError

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        """The request's work is done: an error if its session went away meanwhile."""
        return None

    def lookup(self, code: ErrorCode | None) -> str:
        """The session lookup of a request that ended with ``code`` (None: ok), as a
        trace names it."""
        return self.found

    @staticmethod
    def missing(sess: Session) -> ErrorCode:
        return ErrorCode.SESSION_LOST if sess.lost is not None else ErrorCode.SESSION_MISSING


class LocalPlacement(Placement):
    """In the memory of the server that served the login: fast, but only there."""

    mode = Mode.LOCAL
    found = "local-found"

    def lookup(self, code: ErrorCode | None) -> str:
        if code is ErrorCode.SESSION_MISSING:
            return "local-missing"
        return "local-lost" if code is ErrorCode.SESSION_LOST else self.found

    def table(self, server: Server) -> SessionTable:
        return server.sessions

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        if not sess.alive or sess.holder is not s.sessions:
            return self.missing(sess)
        if now - sess.last_access > self.ttl:
            self.keeper.expire(sess)
            return ErrorCode.SESSION_MISSING
        return 0.0


class TokenPlacement(Placement):
    """In a signed token the client sends: any server can check it, at a small cost."""

    mode = Mode.TOKEN
    found = "token"

    def lookup(self, code: ErrorCode | None) -> str:
        return "token-expired" if code is ErrorCode.INSUFFICIENT_CONTEXT else self.found

    def configure(self, config: Config) -> None:
        super().configure(config)
        self.verify = config.state.token_verify_ms / 1000.0

    def table(self, server: Server) -> SessionTable:
        return self.keeper.tokens

    def begin_login(self, req: Request) -> Begin:
        return self.verify

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        if not sess.alive or now - sess.last_access > self.ttl:
            if sess.alive:
                self.keeper.expire(sess)
            return ErrorCode.INSUFFICIENT_CONTEXT
        return self.verify


class SharedPlacement(Placement):
    """In the shared store: any server finds it, for a round trip that holds the worker."""

    mode = Mode.SHARED
    found = "store-found"
    checks_on_finish = True
    _LOOKUPS: ClassVar[dict[ErrorCode, str]] = {
        ErrorCode.STORE_UNAVAILABLE: "store-down",
        ErrorCode.SESSION_MISSING: "store-missing",
        ErrorCode.SESSION_LOST: "store-lost",
    }

    def lookup(self, code: ErrorCode | None) -> str:
        return self._LOOKUPS.get(code, self.found)  # type: ignore[arg-type]

    def configure(self, config: Config) -> None:
        super().configure(config)
        self.round_trip = config.store.latency_ms / 1000.0

    def table(self, server: Server) -> SessionTable:
        return self.store.sessions

    def begin_login(self, req: Request) -> Begin:
        if not self.store.up:
            return ErrorCode.STORE_UNAVAILABLE
        req.store_epoch = self.store.epoch
        return self.round_trip

    def begin(self, req: Request, s: Server, sess: Session, now: float) -> Begin:
        return self.begin_login(req)

    def finish(self, req: Request, now: float) -> ErrorCode | None:
        if self.store.epoch != req.store_epoch:
            return ErrorCode.STORE_UNAVAILABLE  # the store went down during the round trip
        if req.kind is RequestKind.LOGIN:
            return None
        sess: Session = req.user.session  # type: ignore[assignment]
        if not sess.alive:
            return self.missing(sess)
        if now - sess.last_access > self.ttl:
            self.keeper.expire(sess)
            return ErrorCode.SESSION_MISSING
        return None


PLACEMENTS: tuple[type[Placement], ...] = (LocalPlacement, SharedPlacement, TokenPlacement)
