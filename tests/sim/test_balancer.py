"""Routing strategies and sticky affinity."""

import random
from collections import Counter

import pytest

from tests.sim.helpers import config, simulate
from visualizer.sim.config import Algorithm
from visualizer.sim.nodes import Server
from visualizer.sim.routing.balancer import Balancer
from visualizer.sim.routing.strategies import (
    IpHash,
    LeastConnections,
    RandomPick,
    RoundRobin,
)
from visualizer.sim.traffic import User


def _fleet(n: int) -> list[Server]:
    return [Server(i, 4, 0.0) for i in range(n)]


def _user(uid: int, ip: int | None = None) -> User:
    return User(uid, 5, False, uid if ip is None else ip, 0)


def test_round_robin_cycles_in_order():
    fleet = _fleet(3)
    rr = RoundRobin()
    assert [rr.pick(fleet, _user(i)).index for i in range(7)] == [0, 1, 2, 0, 1, 2, 0]


def test_random_is_uniform_and_seeded():
    fleet = _fleet(4)
    a = [RandomPick(random.Random(3)).pick(fleet, _user(0)).index for _ in range(1)]
    picks = RandomPick(random.Random(3))
    counts = Counter(picks.pick(fleet, _user(0)).index for _ in range(40_000))
    assert a[0] == RandomPick(random.Random(3)).pick(fleet, _user(0)).index
    assert all(abs(c - 10_000) < 400 for c in counts.values())


def test_least_connections_prefers_the_emptiest_and_rotates_ties():
    fleet = _fleet(3)
    lc = LeastConnections()
    assert [lc.pick(fleet, _user(0)).index for _ in range(3)] == [0, 1, 2]
    fleet[0].outstanding, fleet[1].outstanding, fleet[2].outstanding = 5, 1, 3
    assert {lc.pick(fleet, _user(0)).index for _ in range(6)} == {1}


def test_ip_hash_is_stable_and_shared_behind_a_proxy():
    fleet = _fleet(5)
    h = IpHash()
    assert {h.pick(fleet, _user(42)).index for _ in range(10)} == {h.pick(fleet, _user(42)).index}
    assert len({h.pick(fleet, _user(u, ip=0)).index for u in range(100)}) == 1
    assert len({h.pick(fleet, _user(u)).index for u in range(100)}) == 5


def test_sticky_pins_and_repins_when_the_server_leaves_rotation():
    b = Balancer(Algorithm.ROUND_ROBIN, True, random.Random(1))
    fleet = _fleet(3)
    for s in fleet:
        b.set_in_rotation(s, True)
    user = _user(7)
    first = b.route(user)
    assert all(b.route(user) is first for _ in range(5))
    b.set_in_rotation(first, False)
    second = b.route(user)
    assert second is not first and all(b.route(user) is second for _ in range(5))
    b.set_sticky(False)
    assert b.affinity == {}


def test_empty_rotation_routes_nowhere():
    assert Balancer(Algorithm.RANDOM, False, random.Random(1)).route(_user(1)) is None


@pytest.mark.parametrize("algorithm", [a.value for a in Algorithm])
def test_every_algorithm_spreads_many_users_over_the_fleet(algorithm):
    sim = simulate(config(balancer__algorithm=algorithm, scenario__duration_s=60.0))
    served = [s.served for s in sim.servers]
    assert min(served) > 0.6 * max(served)


def test_sticky_hotspot_preset_overloads_one_server():
    sim = simulate(config("sticky-hotspot"))
    util = sorted(s.busy_area_at(sim.now) / (s.workers * sim.now) for s in sim.servers)
    assert util[-1] > 0.75
    assert util[-2] < 0.3
