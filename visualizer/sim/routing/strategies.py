"""Routing strategies, registered by algorithm name. Each picks a server from the rotation
and, when asked, says in a few words why it picked that one."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from visualizer.sim.config import Algorithm
from visualizer.sim.records import RouteDecision

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.traffic import User


class Strategy(Protocol):
    def pick(self, rotation: list[Server], user: User) -> Server: ...

    def facts(self, rotation: list[Server], user: User) -> tuple:
        """What the last ``pick`` looked at (asked right after it, for traces): plain
        values, cheap to keep; ``describe`` turns them into words when shown."""
        ...


STRATEGIES: dict[Algorithm, Callable[[random.Random], Strategy]] = {}


def register(algorithm: Algorithm) -> Callable[[type], type]:
    """Class decorator: the strategy for ``algorithm`` (built with the routing stream)."""

    def add(cls: type) -> type:
        STRATEGIES[algorithm] = cls
        return cls

    return add


def make_strategy(algorithm: Algorithm, rng: random.Random) -> Strategy:
    return STRATEGIES[algorithm](rng)


@register(Algorithm.ROUND_ROBIN)
class RoundRobin:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._next = 0
        self.slot = 0

    def pick(self, rotation: list[Server], user: User) -> Server:
        self.slot = self._next % len(rotation)
        self._next += 1
        return rotation[self.slot]

    def facts(self, rotation: list[Server], user: User) -> tuple:
        return (self.slot,)


@register(Algorithm.RANDOM)
class RandomPick:
    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random

    def pick(self, rotation: list[Server], user: User) -> Server:
        return rotation[int(self._random() * len(rotation))]

    def facts(self, rotation: list[Server], user: User) -> tuple:
        return ()


@register(Algorithm.LEAST_CONNECTIONS)
class LeastConnections:
    """Fewest outstanding requests; ties go round-robin so idle fleets share evenly."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._start = 0

    def pick(self, rotation: list[Server], user: User) -> Server:
        n = len(rotation)
        start = self._start % n
        self._start += 1
        best = rotation[start]
        for i in range(1, n):
            s = rotation[(start + i) % n]
            if s.outstanding < best.outstanding:
                best = s
        return best

    def facts(self, rotation: list[Server], user: User) -> tuple:
        return tuple(s.outstanding for s in rotation)


def client_hash(ip: int) -> int:
    """Knuth's multiplicative hash of a 32-bit address."""
    return (ip * 2654435761) & 0xFFFFFFFF


@register(Algorithm.HASH)
class IpHash:
    """Hash of the client address: the same user (or proxy) always lands on the same server
    while the rotation is unchanged; any change reshuffles most users."""

    def __init__(self, rng: random.Random | None = None) -> None:
        pass

    def pick(self, rotation: list[Server], user: User) -> Server:
        return rotation[client_hash(user.ip) % len(rotation)]

    def facts(self, rotation: list[Server], user: User) -> tuple:
        return (user.ip,)


def describe(decision: RouteDecision) -> str:
    """A route decision in words, for the inspector and the event log."""
    names = [f"server-{i + 1}" for i in decision.candidates]
    n = len(names)
    facts = decision.facts
    algorithm = decision.algorithm
    if decision.how == "no-server":
        return "no server in rotation: the balancer answered 503 at once"
    if decision.how == "sticky-hit":
        return "sticky: the user is pinned to this server"
    if algorithm == Algorithm.ROUND_ROBIN:
        why = f"round robin: next in turn, slot {facts[0] + 1} of {n}"
    elif algorithm == Algorithm.RANDOM:
        why = f"random: drawn from the {n} servers in rotation"
    elif algorithm == Algorithm.LEAST_CONNECTIONS:
        counts = ", ".join(f"{name} {c}" for name, c in zip(names, facts, strict=True))
        why = f"least connections: fewest open requests ({counts})"
    else:
        ip = facts[0]
        address = ".".join(str((ip >> shift) & 255) for shift in (24, 16, 8, 0))
        bucket = client_hash(ip) % n
        why = f"hash: client {address} falls in bucket {bucket + 1} of {n}"
    if decision.how == "sticky-new":
        return f"sticky, first request: pinned by {why}"
    if decision.how == "sticky-repin":
        return f"sticky: server-{decision.pinned + 1} left the rotation, re-pinned by {why}"
    return why
