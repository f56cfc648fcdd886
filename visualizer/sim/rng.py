"""Named random streams derived from the one scenario seed.

Each kind of randomness draws from its own stream, so changing where state lives, the
balancing algorithm or stickiness never changes who arrives, when, or what they intend
to do: arrivals and users' intents are drawn before any routing or service happens and
from streams nothing else touches. Streams are derived with SHA-256 (stable across
processes and Python versions, unlike ``hash``).
"""

from __future__ import annotations

import hashlib
import random

_MASK = (1 << 64) - 1
# Knuth's MMIX linear congruential generator: one multiply-add per draw, and the top
# 53 bits are well spread, which is all a think time needs.
_LCG_A = 6364136223846793005
_LCG_C = 1442695040888963407
_UNIT = 2.0**-53


def derive(seed: int, name: str) -> int:
    """A 64-bit seed for the stream called ``name``."""
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


class Streams:
    """The run's streams: ``arrivals`` (gaps between users), ``users`` (each user's intent,
    a fixed number of draws per user), ``service`` (processing times) and ``routing``
    (random balancer choices); a lesson asks for its own with ``stream(name)``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.arrivals = self.stream("arrivals")
        self.users = self.stream("users")
        self.service = self.stream("service")
        self.routing = self.stream("routing")

    def stream(self, name: str) -> random.Random:
        return random.Random(derive(self.seed, name))


def lcg_next(state: int) -> int:
    """The next state of a user's own generator."""
    return (state * _LCG_A + _LCG_C) & _MASK


def lcg_unit(state: int) -> float:
    """A uniform number in [0, 1) from a state."""
    return (state >> 11) * _UNIT
