"""The load balancer: small routing strategies plus optional sticky affinity."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Protocol

from visualizer.sim.config import Algorithm

if TYPE_CHECKING:
    from visualizer.sim.nodes import Server
    from visualizer.sim.traffic import User


class Strategy(Protocol):
    def pick(self, rotation: list[Server], user: User) -> Server: ...


class RoundRobin:
    def __init__(self) -> None:
        self._next = 0

    def pick(self, rotation: list[Server], user: User) -> Server:
        server = rotation[self._next % len(rotation)]
        self._next += 1
        return server


class RandomPick:
    def __init__(self, rng: random.Random) -> None:
        self._random = rng.random

    def pick(self, rotation: list[Server], user: User) -> Server:
        return rotation[int(self._random() * len(rotation))]


class LeastConnections:
    """Fewest outstanding requests; ties go round-robin so idle fleets share evenly."""

    def __init__(self) -> None:
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


class IpHash:
    """Hash of the client address: the same user (or proxy) always lands on the same server
    while the rotation is unchanged; any change reshuffles most users."""

    def pick(self, rotation: list[Server], user: User) -> Server:
        return rotation[((user.ip * 2654435761) & 0xFFFFFFFF) % len(rotation)]


def make_strategy(algorithm: Algorithm, rng: random.Random) -> Strategy:
    if algorithm is Algorithm.ROUND_ROBIN:
        return RoundRobin()
    if algorithm is Algorithm.RANDOM:
        return RandomPick(rng)
    if algorithm is Algorithm.LEAST_CONNECTIONS:
        return LeastConnections()
    return IpHash()


class Balancer:
    """Routes over the servers it believes healthy (``rotation``, ordered by index)."""

    def __init__(self, algorithm: Algorithm, sticky: bool, rng: random.Random) -> None:
        self.rotation: list[Server] = []
        self.affinity: dict[int, Server] = {}  # user id -> pinned server
        self.sticky = sticky
        self._rng = rng
        self.strategy = make_strategy(algorithm, rng)

    def set_algorithm(self, algorithm: Algorithm) -> None:
        self.strategy = make_strategy(algorithm, self._rng)

    def set_sticky(self, sticky: bool) -> None:
        self.sticky = sticky
        if not sticky:
            self.affinity.clear()

    def route(self, user: User) -> Server | None:
        rotation = self.rotation
        if not rotation:
            return None
        if self.sticky:
            pinned = self.affinity.get(user.id)
            if pinned is not None and pinned.in_rotation:
                return pinned
            pinned = self.strategy.pick(rotation, user)
            self.affinity[user.id] = pinned
            return pinned
        return self.strategy.pick(rotation, user)

    def forget(self, user: User) -> None:
        self.affinity.pop(user.id, None)

    def set_in_rotation(self, server: Server, included: bool) -> None:
        server.in_rotation = included
        rotation = [s for s in self.rotation if s is not server]
        if included:
            rotation.append(server)
            rotation.sort(key=lambda s: s.index)
        self.rotation = rotation
