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

MASK64 = (1 << 64) - 1
# Each user's think times come from their own generator, Knuth's MMIX linear congruential
# one (state = state * LCG_A + LCG_C mod 2**64; the top 53 bits as a uniform number): one
# multiply-add per draw, and the top bits are well spread, which is all a think time needs.
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407
UNIT53 = 2.0**-53


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
