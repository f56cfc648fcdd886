"""The sign-in lesson's live arithmetic, as plain text for the window's strip and the CLI
(``revocation gap ≈ TTL / 2 = 450 s``, ``header bytes = 800 B × 170 req/s = 136 KB/s``)."""

from __future__ import annotations

from visualizer.sim.config import AuthMethod, AuthSection


def describe(auth: AuthSection) -> str:
    """The sign-in method in a few words."""
    if auth.method is AuthMethod.SESSION:
        return f"server sessions in the store, {auth.cookie_bytes:,} B cookie"
    parts = [f"JWT, {auth.token_bytes:,} B, expires {_s(auth.token_ttl_s)} after issue"]
    if auth.refresh:
        parts.append(f"access tokens of {_s(auth.access_ttl_s)} renewed by refresh")
    parts.append("blocklist in the store" if auth.blocklist else "no blocklist")
    return ", ".join(parts)


def predicted_gap_s(auth: AuthSection) -> float:
    """The mean revocation gap theory predicts (see the module's definitions)."""
    if auth.method is AuthMethod.SESSION or auth.blocklist:
        return 0.0
    return (auth.access_ttl_s if auth.refresh else auth.token_ttl_s) / 2.0


def gap_text(auth: AuthSection) -> str:
    """E.g. ``revocation gap ≈ TTL / 2 = 450 s``."""
    if auth.method is AuthMethod.SESSION:
        return "revocation gap = 0 s: every request reads the session in the store"
    if auth.blocklist:
        return "revocation gap = 0 s: every request checks the blocklist in the store"
    if auth.refresh:
        return f"revocation gap ≈ access TTL / 2 = {_s(predicted_gap_s(auth))}"
    return f"revocation gap ≈ TTL / 2 = {_s(predicted_gap_s(auth))}"


def bytes_text(auth: AuthSection, rps: float) -> str:
    """E.g. ``header bytes = 800 B × 170 req/s = 136 KB/s``."""
    size = auth.cookie_bytes if auth.method is AuthMethod.SESSION else auth.token_bytes
    return f"header bytes = {size:,} B × {rps:,.0f} req/s = {_rate(size * rps)}"


def lookups_text(auth: AuthSection, rps: float) -> str:
    """Store round trips the credential checks make per second, e.g.
    ``store lookups = 1 × 170 req/s = 170 /s``."""
    if auth.method is AuthMethod.SESSION or auth.blocklist:
        return f"store lookups = 1 × {rps:,.0f} req/s = {rps:,.0f} /s"
    if auth.refresh:
        return f"store lookups = one per refresh (every {_s(auth.access_ttl_s)} per user)"
    return "store lookups = 0: servers check the token alone"


def _s(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds >= 10 else f"{seconds:,.3g} s"


def _rate(bytes_per_s: float) -> str:
    for unit, size in (("GB/s", 1e9), ("MB/s", 1e6), ("KB/s", 1e3)):
        if bytes_per_s >= size:
            value = bytes_per_s / size
            return f"{value:,.0f} {unit}" if value >= 100 else f"{value:,.3g} {unit}"
    return f"{bytes_per_s:,.0f} B/s"
