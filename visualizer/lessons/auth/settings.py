"""The auth lesson's own settings (``[auth]``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from visualizer.sim.config import Lesson, LessonSection, register_section, setting

LESSON = Lesson.define("auth")


class AuthMethod(StrEnum):
    SESSION = "session"  # a session id in a cookie, looked up in the store on every request
    JWT = "jwt"  # a signed token the servers check alone, valid until it expires


@dataclass(frozen=True)
class AuthSection:
    """The auth lesson: how a signed-in user proves it, and how a sign-in is revoked."""

    method: AuthMethod = setting(
        AuthMethod.SESSION,
        doc="server session or JWT",
        label="Sign-in",
        choices={"session": "server session", "jwt": "JWT"},
    )
    token_ttl_s: float = setting(
        900.0,
        lo=1.0,
        hi=31_536_000.0,
        doc="a JWT's life from its issue",
        label="Token life",
        decimals=0,
    )
    refresh: bool = setting(
        False, doc="short access tokens renewed by a refresh request", label="Refresh tokens"
    )
    access_ttl_s: float = setting(
        60.0,
        lo=1.0,
        hi=31_536_000.0,
        doc="an access token's life",
        label="Access token",
        decimals=0,
    )
    blocklist: bool = setting(
        False, doc="every request checks a revocation list in the store", label="Blocklist"
    )
    token_bytes: int = setting(
        800, lo=0, hi=1_000_000, doc="bytes a JWT adds to each request", label="JWT size"
    )
    cookie_bytes: int = setting(
        40, lo=0, hi=1_000_000, doc="bytes a session cookie adds", label="Cookie size"
    )
    revocations_per_min: float = setting(
        0.0,
        lo=0.0,
        hi=100_000.0,
        doc="active users revoked per minute (banned, reset)",
        label="Revocations",
        decimals=1,
        special="none",
    )


SECTION = register_section(LessonSection(LESSON, "auth", AuthSection))
