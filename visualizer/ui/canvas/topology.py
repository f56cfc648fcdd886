"""What a lesson draws right of the balancer, as data (no Qt).

Every lesson has client lanes, a balancer and the fleet's cards. A lesson's ``Topology``
says what else there is: the session store (when sessions go there), and columns of tier
nodes to the right of the cards (services, a queue, a consumer), the wires between
them, and which node a request moves on to when the engine records it FORWARDED. The
layout places the nodes, the tracker moves the dots along them and the scene draws them
from the facts the lesson gives each node; nothing in shared code names a lesson.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

#: ``Link.start`` for "the right edge of every card in the fleet".
FLEET = "fleet"


class Shape(Enum):
    """How a tier node is drawn."""

    SERVICE = "service"  # a box of instances with its own database
    QUEUE = "queue"  # a pipe of messages that fills with its depth
    CONSUMER = "consumer"  # a box that works the queue off


@dataclass(frozen=True)
class TierNode:
    key: str  # how links, hops and facts name it
    title: str
    shape: Shape = Shape.SERVICE
    short: str = ""  # the title where it does not fit a room's type (presenter mode)


@dataclass(frozen=True)
class Link:
    start: str  # a node key, or FLEET
    end: str
    dashed: bool = False  # asynchronous: nobody waits for an answer on it


@dataclass(frozen=True)
class Topology:
    store: bool = False  # the session store, right of the cards
    columns: tuple[tuple[TierNode, ...], ...] = ()  # left to right, each top to bottom
    links: tuple[Link, ...] = ()
    hops: tuple[str, ...] = ()  # the node a FORWARDED record's detail (an index) names

    @property
    def nodes(self) -> tuple[TierNode, ...]:
        return tuple(node for column in self.columns for node in column)


#: Clients, a balancer and servers (and the store when it is in use): wave 1's picture.
ONE_TIER = Topology()
WITH_STORE = Topology(store=True)


@dataclass(frozen=True)
class NodeFacts:
    """What a tier node shows now (the lesson computes it from the snapshot)."""

    big: str  # the number that matters, large
    unit: str = ""  # what it counts, after it in smaller type when there is room
    lines: tuple[str, ...] = ()  # smaller rows under it
    up: bool = True  # False: drawn as down, in the failure colour
    down_words: str = "✖ DOWN"
    fill: float | None = None  # 0..1: how full (a queue's depth against its scale)
    part_down: str = ""  # a part of it that is down (its database), said on the node
    big_short: str = ""  # ``big`` where it does not fit a room's type (presenter mode)
