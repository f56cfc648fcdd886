"""The sign-in lesson's live arithmetic, as plain text for the window's strip and the CLI
(``revocation gap = TTL − age = 60 − 29.1 = 30.9 s``,
``header bytes = 800 B × 170 req/s = 136 KB/s``).

The revocation gap printed is the mean the engine's model predicts (see ``auth.py``'s
definitions), derived for how the engine's users behave:

- a user's requests are ``requests_per_user`` on average (geometric, the login first),
  one every *step* s = θ + round trip: the think time θ (exponential) plus the request's
  network both ways, service and token check. After a login (or a refresh) a user stays
  L: 0 with probability 1/m (that was the last request), else exponential of mean
  μ = m·s (memoryless: a geometric count of exponential pauses);
- a revocation picks a signed-in user at a Poisson moment, so its gap is the time
  average of a signed-in user's gap (PASTA).

Without refresh a token is signed in from its login for x = min(L, TTL) (an expired
token is renewed by a login, which starts the same again), and its gap at age u is
TTL − u, so the mean gap is TTL − E[x²] / 2E[x] (the mean age of a signed-in token):
TTL − μ(1 − (1 + r)e^−r) / (1 − e^−r) with r = TTL/μ. It tends to TTL / 2 when users stay
many token lives (μ ≫ TTL) and to TTL − μ when they stay less than one.

With refresh, an access token (life A) is valid for x = min(L, A); a user still there
at its expiry waits for their next request (the rest of a think, θ, plus its round
trip: s on average) with a gap of 0, then refreshes and starts again. So, while the
refresh token (life ``token_ttl_s``) lasts, the gap is E[A·x − x²/2] / (E[x] +
e^−A/μ·s): the valid share of signed-in time times A minus the mean age of a valid
access token; A² / 2(A + s) when users stay many access lives. The refresh token's end
cuts the last cycle short: summed exactly over the cycles (each starts at k(A + round
trip) plus a Gamma(k, θ) of waits) when it lasts fewer than ``CYCLES`` of them, and
left out beyond (it changes the mean by about 0.17·(A + θ) / token_ttl_s: < 0.1%).

Both hold while revocations are rare among the signed-in users (a revocation also ends a
stay, which makes the tokens younger and the gap longer) and the fleet has room (a
queue adds to the round trip)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, NamedTuple

from visualizer.lessons.auth.settings import AuthMethod, AuthSection
from visualizer.sim.config import Config

#: Cycles of an access token summed exactly under a refresh token's life (see above).
CYCLES = 200
#: Points of each cycle's Gamma integral (Simpson's rule, an even number).
POINTS = 96


class Clicks(NamedTuple):
    """How a signed-in user's requests come, as the gap's model needs them."""

    think_s: float  # θ, the mean think time
    round_trip_s: float  # a request's network both ways, service and token check
    requests: float  # m, mean requests per user (the login included)

    @property
    def step_s(self) -> float:
        """One request every θ + round trip."""
        return self.think_s + self.round_trip_s

    @property
    def stay_s(self) -> float:
        """μ: the mean stay after a login or a refresh, for a user who does not leave."""
        return self.requests * self.step_s


def clicks_of(config: Config) -> Clicks:
    """A run's users, from its config."""
    return _clicks(
        config.traffic.think_time_s,
        config.traffic.requests_per_user,
        config.network.latency_ms,
        config.servers.service_ms,
        config.state.token_verify_ms,
    )


def clicks_from(raw: Mapping[str, Any]) -> Clicks:
    """A run's users, from the config part of its summary."""
    traffic = raw["traffic"]
    return _clicks(
        traffic["think_time_s"],
        traffic["requests_per_user"],
        raw["network"]["latency_ms"],
        raw["servers"]["service_ms"],
        raw["state"]["token_verify_ms"],
    )


def _clicks(think: float, requests: float, net_ms: float, service_ms: float, check_ms: float):
    return Clicks(think, (2.0 * net_ms + service_ms + check_ms) / 1000.0, requests)


def describe(auth: AuthSection) -> str:
    """The sign-in method in a few words."""
    if auth.method is AuthMethod.SESSION:
        return f"server sessions in the store, {auth.cookie_bytes:,} B cookie"
    parts = [f"JWT, {auth.token_bytes:,} B, expires {_s(auth.token_ttl_s)} after issue"]
    if auth.refresh:
        parts.append(f"access tokens of {_s(auth.access_ttl_s)} renewed by refresh")
    parts.append("blocklist in the store" if auth.blocklist else "no blocklist")
    return ", ".join(parts)


class Gap(NamedTuple):
    """The mean revocation gap the model predicts, and the share of signed-in time the
    token presented is valid (with refresh; the rest waits for a refresh with a gap of 0):
    ``mean_s = valid_share × (life − mean age of a valid token)``."""

    mean_s: float
    valid_share: float = 1.0

    def age_s(self, life: float) -> float:
        """The mean age of a valid token of this life."""
        return life - self.mean_s / self.valid_share if self.valid_share > 0 else 0.0


def predicted_gap(auth: AuthSection, clicks: Clicks) -> Gap:
    """The mean revocation gap the model predicts (see the module's definitions)."""
    if auth.method is AuthMethod.SESSION or auth.blocklist:
        return Gap(0.0)
    mu = clicks.stay_s
    if not auth.refresh:
        ttl = auth.token_ttl_s
        x1, x2 = _moments(mu, ttl)
        return Gap(ttl - (x2 / x1 if x1 > 0 else 0.0))
    return _refresh_gap(
        auth.access_ttl_s,
        auth.token_ttl_s,
        clicks.think_s,
        clicks.round_trip_s,
        mu,
        1.0 / max(1.0, clicks.requests),
    )


def predicted_gap_s(auth: AuthSection, clicks: Clicks) -> float:
    return predicted_gap(auth, clicks).mean_s


def _moments(mu: float, t: float) -> tuple[float, float]:
    """E[min(L, t)] and E[min(L, t)²] / 2 for L exponential of mean ``mu``."""
    if mu <= 0.0 or t <= 0.0:
        return 0.0, 0.0
    r = t / mu
    if r < 1e-4:  # the series: the closed form cancels
        return t * (1.0 - r / 2.0), t * t / 2.0 * (1.0 - 2.0 * r / 3.0)
    return -mu * math.expm1(-r), mu * mu * (1.0 - (1.0 + r) * math.exp(-r))


@lru_cache(maxsize=64)
def _refresh_gap(a: float, ttl: float, think: float, trip: float, mu: float, p: float) -> Gap:
    """Σ over a refresh token's access cycles of the gap integral, the valid time and
    the signed-in time (each cycle weighted by the chance the user is still there)."""
    if mu <= 0.0:
        return Gap(0.0, 0.0)
    q = math.exp(-a / mu)  # still there when an access token expires
    wait = think + trip  # from then to the refresh's answer, on average
    if ttl >= CYCLES * (a + wait):  # the refresh token's end changes the mean by < 0.1%
        x1, x2 = _moments(mu, a)
        return _gap(a * x1 - x2, x1, x1 + q * wait)
    rho = (1.0 - p) * q  # a cycle is followed by another
    totals = [0.0, 0.0, 0.0]
    weight = 1.0
    k = 0
    while weight > 1e-12:
        start = k * (a + trip)
        if start >= ttl:
            break
        parts = _cycle(a, ttl - start, think, trip, mu, q, k)
        for i in range(3):
            totals[i] += weight * parts[i]
        weight *= rho
        k += 1
    return _gap(*totals)


def _gap(integral: float, valid: float, signed: float) -> Gap:
    if signed <= 0.0 or valid <= 0.0:
        return Gap(0.0, 0.0)
    return Gap(integral / signed, valid / signed)


def _cycle(
    a: float, window: float, think: float, trip: float, mu: float, q: float, k: int
) -> tuple[float, float, float]:
    """The k-th cycle's expected gap integral, valid time and signed-in time when it
    starts ``window`` (less a Gamma(k, θ) of waits) before the refresh token expires."""

    def parts(w: float) -> tuple[float, float, float]:
        if w <= 0.0:
            return 0.0, 0.0, 0.0
        x1, x2 = _moments(mu, min(a, w))
        signed = x1
        if w > a:  # expired, still signed in, until the refresh's answer
            late = w - a
            signed += q * min(late, trip)
            if late > trip and think > 0.0:
                signed += q * think * -math.expm1(-(late - trip) / think)
        return a * x1 - x2, x1, signed

    if k == 0 or think <= 0.0:
        return parts(window)
    # E over G ~ Gamma(k, θ) of parts(window − G), by Simpson's rule over G's bulk
    mean, sd = k * think, math.sqrt(k) * think
    low, top = max(0.0, mean - 12.0 * sd), min(window, mean + 12.0 * sd)
    if top <= low:
        return 0.0, 0.0, 0.0
    h = (top - low) / POINTS
    log_norm = -math.lgamma(k) - k * math.log(think)
    sums = [0.0, 0.0, 0.0]
    for i in range(POINTS + 1):
        g = low + i * h
        if g <= 0.0:
            density = 1.0 / think if k == 1 else 0.0
        else:
            density = math.exp(log_norm + (k - 1) * math.log(g) - g / think)
        coeff = (1 if i in (0, POINTS) else 4 if i % 2 else 2) * density * h / 3.0
        for j, v in enumerate(parts(window - g)):
            sums[j] += coeff * v
    return sums[0], sums[1], sums[2]


def gap_text(auth: AuthSection, clicks: Clicks) -> str:
    """E.g. ``revocation gap = TTL − age = 60 − 29.1 = 30.9 s`` (the mean age of a
    signed-in token), or with refresh ``revocation gap = 87% valid × 6.15 left =
    5.32 s`` (the share of signed-in time the access token is valid, times A minus the
    mean age of a valid one): the model's mean (see the module's definitions), its parts
    printed, short enough for one line of the strip at 1280×720."""
    if auth.method is AuthMethod.SESSION:
        return "revocation gap = 0 s: every request reads the session in the store"
    if auth.blocklist:
        return "revocation gap = 0 s: every request checks the blocklist in the store"
    gap = predicted_gap(auth, clicks)
    if auth.refresh:
        a = auth.access_ttl_s
        left = a - gap.age_s(a)  # A − the mean age of a valid access token
        share = f"{gap.valid_share:.0%} valid"
        return f"revocation gap = {share} × {_v(left, '')} left = {_v(gap.mean_s)}"
    ttl = auth.token_ttl_s
    age = gap.age_s(ttl)
    return f"revocation gap = TTL − age = {_s(ttl, '')} − {_v(age, '')} = {_v(gap.mean_s)}"


def bytes_text(auth: AuthSection, rps: float) -> str:
    """E.g. ``header bytes = 800 B × 170 req/s = 136 KB/s``."""
    size = auth.cookie_bytes if auth.method is AuthMethod.SESSION else auth.token_bytes
    return f"header bytes = {size:,} B × {rps:,.0f} req/s = {_rate(size * rps)}"


def lookups_text(auth: AuthSection, rps: float, clicks: Clicks) -> str:
    """Store round trips the credential checks make per second, e.g.
    ``store lookups = 1 × 170 req/s = 170 /s``; with refresh a user refreshes at their
    first request after the access token expired: every A + θ + round trip."""
    if auth.method is AuthMethod.SESSION or auth.blocklist:
        return f"store lookups = 1 × {rps:,.0f} req/s = {rps:,.0f} /s"
    if auth.refresh:
        every = auth.access_ttl_s + clicks.step_s
        return f"store lookups: a refresh every A + θ ≈ {_v(every)}"
    return "store lookups = 0: servers check the token alone"


def _s(seconds: float, unit: str = " s") -> str:
    """A setting: 37 s, 12.5 s, 900 s."""
    return f"{seconds:,.0f}{unit}" if seconds >= 100 else f"{seconds:,.3g}{unit}"


def _v(seconds: float, unit: str = " s") -> str:
    """A computed time to three figures below 100 s (24.2 s, 5.14 s), whole above."""
    digits = 0 if seconds >= 100 else 1 if seconds >= 10 else 2
    return f"{seconds:,.{digits}f}{unit}"


def _rate(bytes_per_s: float) -> str:
    for unit, size in (("GB/s", 1e9), ("MB/s", 1e6), ("KB/s", 1e3)):
        if bytes_per_s >= size:
            value = bytes_per_s / size
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.3g} {unit}"
    return f"{bytes_per_s:,.0f} B/s"
