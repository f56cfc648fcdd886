"""The sign-in lesson: server sessions vs JWTs, and what revoking a sign-in takes.

A user logs in (the login carries their name and password), then every request carries
the credential the login gave: a session cookie or a JWT. ``[auth] method`` decides:

- ``session``: the session lives in the shared store. Every request that reaches a
  worker makes one store round trip holding the worker (``store.latency_ms``): the login
  writes the session, every later request reads it; the store down fails the request
  (``STORE_UNAVAILABLE``, also when it goes down during the trip); a session idle past
  ``state.ttl_s`` is gone (``SESSION_MISSING``).
- ``jwt``: a signed token any server checks alone (``state.token_verify_ms``), valid until
  a fixed expiry ``token_ttl_s`` after its issue (not on idle: using it does not extend
  it). A request with an expired token is refused (``INSUFFICIENT_CONTEXT``, lookup
  ``token-expired``) and the user logs in again as ``traffic.on_error`` says.
- ``refresh = true`` (JWT): the login issues a refresh token living ``token_ttl_s`` and an
  access token living ``access_ttl_s``. Before a request, a client whose access token has
  expired while its refresh token has not first sends a *refresh request* (a request to
  the fleet, counted in ``refreshes``; traced with lookup ``refresh``) which looks the
  user up in the store's revocation list (one round trip): a revoked user is refused
  (``REVOKED``); otherwise a new access token comes back and the held request goes out
  at once. An access token that expires on its way to the server is refused
  (``INSUFFICIENT_CONTEXT``) and the client refreshes and tries again.
- ``blocklist = true`` (JWT): every request whose token has not expired also looks the
  user up in the store's revocation list (one round trip; the store down fails it with
  ``STORE_UNAVAILABLE``); a revoked user is refused with ``REVOKED``. Logins make no
  lookup (they issue a token). With sessions, ``refresh`` and ``blocklist`` change
  nothing (the store is already asked on every request).

Revocation (``revocations_per_min``, a Poisson process drawn from the lesson's own random
stream ``auth``; whom it picks comes from a second one, ``auth-pick``, so two runs of one
scenario revoke at the same moments whatever their users do): at each one, a user picked
at random among the *signed-in* users is revoked (banned, password reset). Signed in
means present and holding a credential that lets them in without logging in again: a
live session not idle past the TTL, or a JWT (with refresh: a refresh token) not
expired. Revoking a session deletes it in the store;
revoking a JWT user puts them on the revocation list in the store (which only a blocklist
or a refresh consults). A revoked user goes on clicking at their usual rate (a stale tab,
a stolen token) until their credential is refused (``REVOKED`` for a revoked session or a
blocklisted / refresh-refused JWT; ``INSUFFICIENT_CONTEXT`` for an expired JWT); then they
leave and never log in again (a banned account: a login of a revoked user is refused with
``REVOKED``). A revoked user may also leave earlier, at the end of their workflow.

Definitions used by the summary, the per-second figures and the tests:

- *accepted after revoke*: successful requests of a revoked user whose credential check
  began at or after the revocation (the worker started on them then; a request checked
  just before the revocation and finishing after it is not counted). With sessions or a
  blocklist the check ends the store round trip, after the revocation: zero, exactly.
- *revocation gap* of a revoked user: how long the credential they held at the
  revocation stays accepted by the servers, whoever presents it: 0 when the servers ask
  the store on every request (sessions, blocklist) or when it had already expired; else
  the token's remaining life at the revocation (with refresh: the access token's, since
  the refresh that would renew it is refused). It is judged with the settings of the
  moment of the revocation (a blocklist turned on later cuts it short; that is not
  re-counted). Users who leave before the gap ends count in full: the token stays usable
  (a logout does not invalidate a JWT). Theory (``auth_words``): the mean gap is the token
  life minus the mean age of a signed-in user's token: ``token_ttl_s / 2`` when users
  stay signed in for many TTLs (the age is then uniform over the life), nearer the full
  TTL when they stay less; with refresh, a user refreshes at their first request after
  the access token expired, so its gap is 0 until then and the mean is
  A² / 2(A + θ) for users who stay many access lives (θ: a think and a round trip), not
  ``access_ttl_s / 2``. Every request accepted after a revocation was checked within
  ``[t_revoke, t_revoke + gap]``.
- *store lookups*: store round trips the credential checks start (including those that
  find the store down): sessions, one per request that reaches a worker; JWT with a
  blocklist, one per request after the login whose token has not expired; one per
  refresh request that reaches a worker; plain JWT, none.
- *credential bytes*: what each request sent carries: a login ``LOGIN_BYTES`` (name and
  password), every later request (a refresh included) ``token_bytes`` for a JWT or
  ``cookie_bytes`` for a session cookie (the size set when the request is sent), so that
  ``request_bytes_total = LOGIN_BYTES × logins sent + size × other requests sent``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING, Any, NamedTuple

import simpy
from simpy.events import Timeout

from visualizer.lessons.auth.checks import Jwt, JwtTable, Refresh, SessionCookie
from visualizer.lessons.auth.settings import LESSON, AuthMethod, AuthSection
from visualizer.lessons.auth.words import bytes_text, clicks_from, describe, gap_text
from visualizer.sim.config import Config, OnError
from visualizer.sim.lessons import register
from visualizer.sim.lessons.base import LessonModel
from visualizer.sim.records import CLIENT, STORE, ErrorCode, EventKind, RequestKind
from visualizer.sim.requests import RequestPath
from visualizer.sim.state.placements import (
    Placement,
)
from visualizer.sim.traffic import Traffic

if TYPE_CHECKING:
    from visualizer.sim.journal import Journal
    from visualizer.sim.metrics import Totals
    from visualizer.sim.nodes import Server
    from visualizer.sim.requests import Request
    from visualizer.sim.routing.balancer import Balancer
    from visualizer.sim.simulation import Simulation
    from visualizer.sim.state.keeper import SessionKeeper
    from visualizer.sim.state.sessions import Session
    from visualizer.sim.state.store import SessionStore
    from visualizer.sim.traffic import User

LOGIN = RequestKind.LOGIN
SERVED = int(EventKind.SERVED)
SESSION_ENDED = int(EventKind.SESSION_ENDED)
REVOKED = ErrorCode.REVOKED
EXPIRED = ErrorCode.INSUFFICIENT_CONTEXT
STORE_UNAVAILABLE = ErrorCode.STORE_UNAVAILABLE
#: Errors that say the credential itself was refused: a revoked user then leaves.
CREDENTIAL_ERRORS = frozenset(
    {ErrorCode.SESSION_MISSING, ErrorCode.SESSION_LOST, EXPIRED, ErrorCode.REVOKED}
)

#: Bytes a login carries: a user name and a password in the form (either method).
LOGIN_BYTES = 64
#: Revoked users still present listed in ``AuthFacts`` (the newest first).
SHOWN_REVOKED = 200
#: Revocations kept in ``AuthModel.recent`` (the newest last).
REVOCATION_HISTORY = 2_000
#: Random picks among the signed-in before scanning for one (see ``AuthModel._pick``).
PICKS = 16

#: The per-second figures (CSV columns and ``Sample.lesson``), in order.
FIGURES = (
    "auth_revocations",  # users revoked this second
    "auth_accepted_after_revoke",  # requests accepted this second from revoked users
    "auth_revoked_active",  # revoked users still present (still presenting their credential)
    "auth_store_lookups",  # store round trips the credential checks started this second
    "auth_refreshes",  # refresh requests sent this second
    "auth_credential_bytes",  # bytes of credentials the requests sent this second carried
)


# --- the request path and the users -------------------------------------------------------


class AuthPath(RequestPath):
    """The request path with credentials: counts their bytes, sends refresh requests,
    refuses a revoked user's login, and counts what is accepted after a revocation."""

    model: AuthModel  # wired by the model

    def __init__(
        self,
        env: simpy.Environment,
        service: Any,
        totals: Totals,
        journal: Journal,
        balancer: Balancer,
        keeper: SessionKeeper,
        store: SessionStore,
    ) -> None:
        super().__init__(env, service, totals, journal, balancer, keeper, store)
        self.session_home = SessionCookie(keeper, store)
        self.jwt_home = Jwt(keeper, store)
        self.refresher = Refresh(keeper, store)

    def configure(self, config: Config) -> None:
        super().configure(config)
        for placement in (self.session_home, self.jwt_home, self.refresher):
            placement.configure(config)
        jwt = config.auth.method is AuthMethod.JWT
        self._placement = self.jwt_home if jwt else self.session_home  # where new logins go
        self._access_ttl = config.auth.access_ttl_s

    def send(self, user: User) -> None:
        model = self.model
        if user.next_kind is LOGIN:
            model.bytes_sent += LOGIN_BYTES
        else:
            home = user.session.home  # type: ignore[union-attr]
            model.bytes_sent += home.header_bytes  # type: ignore[attr-defined]
            if home is self.jwt_home:
                uid = user.id
                now = self.env._now
                # the access token has expired and the refresh token has not: refresh first
                if now > model.expires[uid] and now <= model.refresh_expires[uid]:
                    model.refreshing.add(uid)
                    model.refreshes += 1
        RequestPath.send(self, user)

    def _succeed(self, req: Request, s: Server, now: float) -> None:
        user = req.user
        uid = user.id
        model = self.model
        revoked = model.revoked_at
        if uid in revoked:
            if req.kind is LOGIN:
                self.fail(req, REVOKED)  # a banned account cannot sign in again
                return
            if req.t_start >= revoked[uid]:
                model.accepted_after_revoke += 1
        if uid in model.refreshing:
            model.refreshing.discard(uid)
            model.expires[uid] = now + self._access_ttl
            self._count_ok(req, s, now)  # a refresh's success, counted as every success is
            if s.draining and s.outstanding == 0:
                self.fleet.finish_removal(s)
            self.traffic.resend(user)  # type: ignore[attr-defined]
            return
        if req.kind is LOGIN:
            model.signed_in(user, req.placement, now)  # type: ignore[arg-type]
        RequestPath._succeed(self, req, s, now)


class AuthTraffic(Traffic):
    """Users who refresh, and revoked users who leave once their credential is refused."""

    model: AuthModel  # wired by the model

    def resend(self, user: User) -> None:
        """The refresh's answer travels back; the client sends the held request at once."""
        Timeout(self.env, self._net, user).callbacks.append(self._on_think)

    def after_failure(self, req: Request, code: ErrorCode) -> None:
        user = req.user
        uid = user.id
        model = self.model
        model.refreshing.discard(uid)
        if code in CREDENTIAL_ERRORS:
            if uid in model.revoked_at:  # refused at last: a banned user goes away
                user.failures += 1
                self.leaves(user, completed=False)
                return
            if code is EXPIRED and req.kind is not LOGIN and model.can_refresh(user):
                # the access token expired on its way: refresh, then try again
                user.failures += 1
                if self._on_error is OnError.ABANDON or user.failures > self._max_retries:
                    self.leaves(user, completed=False)
                    return
                user.next_kind = req.kind
                self.resume(user)
                return
        Traffic.after_failure(self, req, code)

    def leaves(self, user: User, *, completed: bool) -> None:
        self.model.user_left(user)
        Traffic.leaves(self, user, completed=completed)


# --- the model --------------------------------------------------------------------------------


class Revocation(NamedTuple):
    t: float  # when the user was revoked
    user: int
    gap_s: float  # how long their credential stays accepted after ``t``


@dataclass(frozen=True)
class AuthFacts:
    """What views show of the sign-in lesson now."""

    method: str  # "session" or "jwt" (for new logins)
    token_ttl_s: float
    access_ttl_s: float
    refresh: bool
    blocklist: bool
    revocations: int
    accepted_after_revoke: int
    revoked_active: tuple[int, ...]  # ids of revoked users still present, newest first
    revoked_active_count: int  # all of them (``revoked_active`` shows at most 200)
    gap_mean_s: float  # mean revocation gap so far (NaN before the first revocation)
    store_lookups: int
    refreshes: int
    request_bytes_total: int


@dataclass(frozen=True)
class AuthUser:
    """What the lesson knows of one present user who has logged in."""

    method: str  # the credential they hold: "session" or "jwt"
    signed_in: bool  # holds a credential that lets them in without logging in again
    revoked_at: float | None  # when they were revoked (None: not revoked)
    expires_at: float | None  # JWT: when the token they present (access token) expires
    refresh_expires_at: float | None  # JWT with refresh: when the refresh token expires


@register
class AuthModel(LessonModel):
    """Signing in with server sessions or JWTs; revocations and what they take."""

    lesson = LESSON
    keeps_sessions = True
    holds_memory = True
    path = AuthPath
    traffic = AuthTraffic
    figures = FIGURES

    def __init__(self, sim: Simulation) -> None:
        super().__init__(sim)
        # the lesson's own streams (the shared ones are untouched): when, and whom
        self.rng = sim.streams.stream("auth")
        self.picks = sim.streams.stream("auth-pick")
        path: AuthPath = sim.requests  # type: ignore[assignment]
        path.model = sim.traffic.model = self  # type: ignore[attr-defined]
        self.session_home, self.jwt_home = path.session_home, path.jwt_home
        self.refresher = path.refresher
        for placement in (self.session_home, self.jwt_home, self.refresher):
            placement.model = self
        self.jwts = JwtTable(CLIENT, AuthSection().token_ttl_s)
        # per-user state, by user id (users stay plain engine objects)
        self.expires: dict[int, float] = {}  # when the JWT (access token) presented expires
        self.refresh_expires: dict[int, float] = {}  # when the refresh token expires
        self.revoked_at: dict[int, float] = {}  # revoked users still present
        self.refreshing: set[int] = set()  # users whose request in flight is a refresh
        self._signed: list[User] = []  # present users who logged in (picked for revocation)
        self._slot: dict[int, int] = {}  # user id -> index in ``_signed``
        # counters
        self.revocations = 0
        self.accepted_after_revoke = 0
        self.gap_sum = 0.0
        self.lookups = 0
        self.refreshes = 0
        self.bytes_sent = 0
        self.recent: deque[Revocation] = deque(maxlen=REVOCATION_HISTORY)
        self._prev = (0, 0, 0, 0, 0)
        self._rate = 0.0
        self._generation = 0

    def install(self) -> None:
        self.sim.keeper.tokens = self.jwts  # JWTs count until their fixed expiry

    def configure(self, config: Config) -> None:
        auth = self.auth = config.auth
        self.jwts.ttl = auth.token_ttl_s
        rate = auth.revocations_per_min / 60.0
        if rate != self._rate:  # memoryless: the next revocation is redrawn at the new rate
            self._rate = rate
            self._generation += 1
            self._schedule()

    # --- revocations ------------------------------------------------------------------

    def _schedule(self) -> None:
        if self._rate > 0:
            delay = self.rng.expovariate(self._rate)
            Timeout(self.sim.env, delay, self._generation).callbacks.append(self._on_revoke)

    def _on_revoke(self, ev: Timeout) -> None:
        if ev._value != self._generation:
            return  # superseded by a rate change
        self._schedule()
        now = self.sim.env._now
        user = self._pick(now)
        if user is not None:
            self.revoke(user, now)

    def _pick(self, now: float) -> User | None:
        """A signed-in user at random (from the lesson's stream); None if nobody is."""
        signed = self._signed
        n = len(signed)
        if n == 0:
            return None
        draw = self.picks.random
        for _ in range(PICKS):
            user = signed[int(draw() * n)]
            if self.holds_credential(user, now):
                return user
        start = int(draw() * n)  # few hold a valid credential now: look at all of them
        for i in range(n):
            user = signed[(start + i) % n]
            if self.holds_credential(user, now):
                return user
        return None

    def holds_credential(self, user: User, now: float) -> bool:
        """Whether ``user`` holds a credential that lets them in without logging in again."""
        sess: Session = user.session  # type: ignore[assignment]
        if sess.home is self.session_home:
            return sess.alive and now - sess.last_access <= self.session_home.ttl
        return now <= self.refresh_expires[user.id]

    def can_refresh(self, user: User) -> bool:
        sess = user.session
        if sess is None or sess.home is not self.jwt_home:
            return False
        uid = user.id
        return self.expires[uid] < self.refresh_expires[uid] and (
            self.sim.env._now <= self.refresh_expires[uid]
        )

    def revoke(self, user: User, now: float) -> None:
        """Revoke a signed-in user: their session is deleted, or they join the store's
        revocation list; their credential keeps being presented until it is refused."""
        uid = user.id
        self._drop(user)
        self.revoked_at[uid] = now
        self.revocations += 1
        sess: Session = user.session  # type: ignore[assignment]
        home = sess.home
        if home is self.session_home:
            if sess.alive:
                sess.holder.remove(sess)
                events = self.sim.journal.events
                if events is not None:
                    events.append((now, SESSION_ENDED, 0, uid, STORE, sess.id))
            gap = 0.0
        elif self.jwt_home.blocklist:
            gap = 0.0
        else:
            gap = max(0.0, self.expires[uid] - now)
        self.gap_sum += gap
        self.recent.append(Revocation(now, uid, gap))

    # --- users ------------------------------------------------------------------------

    def signed_in(self, user: User, placement: Placement, now: float) -> None:
        """A login succeeded: a JWT's expiry is written in it now."""
        uid = user.id
        if placement is self.jwt_home:
            auth = self.auth
            self.expires[uid] = now + (auth.access_ttl_s if auth.refresh else auth.token_ttl_s)
            self.refresh_expires[uid] = now + auth.token_ttl_s
        if uid not in self._slot:
            self._slot[uid] = len(self._signed)
            self._signed.append(user)

    def user_left(self, user: User) -> None:
        uid = user.id
        if uid in self._slot:
            self._drop(user)
        self.revoked_at.pop(uid, None)
        self.expires.pop(uid, None)
        self.refresh_expires.pop(uid, None)
        self.refreshing.discard(uid)

    def _drop(self, user: User) -> None:
        """Take ``user`` out of the signed-in list in O(1) (the last one fills the hole)."""
        index = self._slot.pop(user.id)
        last = self._signed.pop()
        if last is not user:
            self._signed[index] = last
            self._slot[last.id] = index

    # --- what the run reports ---------------------------------------------------------

    @property
    def gap_mean_s(self) -> float:
        return self.gap_sum / self.revocations if self.revocations else math.nan

    def sample(self) -> tuple[float, ...]:
        now = (
            self.revocations,
            self.accepted_after_revoke,
            self.lookups,
            self.refreshes,
            self.bytes_sent,
        )
        revocations, accepted, lookups, refreshes, sent = (
            a - b for a, b in zip(now, self._prev, strict=True)
        )
        self._prev = now
        return (
            float(revocations),
            float(accepted),
            float(len(self.revoked_at)),
            float(lookups),
            float(refreshes),
            float(sent),
        )

    def facts(self) -> AuthFacts:
        auth = self.auth
        return AuthFacts(
            method=auth.method.value,
            token_ttl_s=auth.token_ttl_s,
            access_ttl_s=auth.access_ttl_s,
            refresh=auth.refresh,
            blocklist=auth.blocklist,
            revocations=self.revocations,
            accepted_after_revoke=self.accepted_after_revoke,
            revoked_active=tuple(islice(reversed(self.revoked_at), SHOWN_REVOKED)),
            revoked_active_count=len(self.revoked_at),
            gap_mean_s=self.gap_mean_s,
            store_lookups=self.lookups,
            refreshes=self.refreshes,
            request_bytes_total=self.bytes_sent,
        )

    def about_user(self, uid: int) -> AuthUser | None:
        index = self._slot.get(uid)
        user = self._signed[index] if index is not None else None
        if user is None:
            revoked = self.revoked_at.get(uid)
            if revoked is None:
                return None  # not logged in yet, or gone
            # revoked: out of the signed-in list, still presenting their credential
            jwt = uid in self.expires
            return AuthUser(
                "jwt" if jwt else "session",
                False,
                revoked,
                self.expires.get(uid),
                self._refresh_of(uid),
            )
        jwt = user.session.home is self.jwt_home  # type: ignore[union-attr]
        return AuthUser(
            "jwt" if jwt else "session",
            self.holds_credential(user, self.sim.env._now),
            None,
            self.expires.get(uid) if jwt else None,
            self._refresh_of(uid) if jwt else None,
        )

    def _refresh_of(self, uid: int) -> float | None:
        refresh = self.refresh_expires.get(uid)
        return refresh if refresh is not None and refresh != self.expires.get(uid) else None

    def summary(self) -> dict[str, Any]:
        gap = self.gap_mean_s
        return {
            "auth": {
                "revocations": self.revocations,
                "accepted_after_revoke": self.accepted_after_revoke,
                "revocation_gap_s_mean": None if gap != gap else round(gap, 3),
                "store_lookups": self.lookups,
                "refreshes": self.refreshes,
                "request_bytes_total": self.bytes_sent,
            }
        }

    @staticmethod
    def summary_lines(summary: dict[str, Any]) -> list[str]:
        a = summary["auth"]
        raw = dict(summary["config"]["auth"])
        auth = AuthSection(**{**raw, "method": AuthMethod(raw["method"])})
        duration = summary["duration_s"]
        req = summary["requests"]
        rps = (req["total"] - req["logins"]) / duration if duration > 0 else 0.0
        gap = a["revocation_gap_s_mean"]
        measured = "—" if gap is None else f"{gap:,.1f} s"
        theory = gap_text(auth, clicks_from(summary["config"]))
        return [
            f"auth      {describe(auth)}",
            f"          {a['revocations']:>10,} revoked  {a['accepted_after_revoke']:>10,} "
            f"requests accepted after revoke   gap mean {measured} ({theory})",
            f"          {a['store_lookups']:>10,} store lookups  {a['refreshes']:>8,} refreshes  "
            f"{a['request_bytes_total']:>14,} credential bytes ({bytes_text(auth, rps)})",
        ]
