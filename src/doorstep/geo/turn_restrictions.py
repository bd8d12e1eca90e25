"""Turn restrictions for vans ("no right turn", "only straight on") from OSM relations.

A node-based graph cannot say "from this street you may not turn right here": the
junction node is the same whoever arrives. So, for each street a restriction starts
from, the junction gets a copy that only arrivals from that street use, and the copy
keeps only the exits that are allowed from it. Searching the graph is unchanged; the
copies are never snapping targets (a door is not "arriving from" any street).

Handled: ``type=restriction`` relations with one ``from`` way, one ``via`` node and one
``to`` way, tagged ``restriction`` or ``restriction:motorcar``/``:goods``, unless
``except`` names motor cars or goods vehicles. Restrictions through a ``via`` way
(a few percent in London) and time-conditional ones are skipped.
See https://wiki.openstreetmap.org/wiki/Relation:restriction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import osmium

_KEYS = ("restriction:goods", "restriction:motorcar", "restriction")
_EXEMPT = frozenset({"motorcar", "motor_vehicle", "goods", "delivery"})


@dataclass(frozen=True, slots=True)
class Restriction:
    from_way: int
    via_node: int
    to_way: int
    only: bool  # "only_*": every other exit is banned; "no_*": this exit is banned


def _kind(tags: Mapping[str, str]) -> str | None:
    if tags.get("type") != "restriction" or _EXEMPT & set(tags.get("except", "").split(";")):
        return None
    return next((tags[key] for key in _KEYS if key in tags), None)


def read_restrictions(path: Path) -> Iterator[Restriction]:
    for relation in osmium.FileProcessor(str(path), osmium.osm.RELATION):
        if not isinstance(relation, osmium.osm.Relation):
            continue
        kind = _kind(dict(relation.tags))
        if kind is None or not kind.startswith(("no_", "only_")):
            continue
        roles: dict[str, list[Any]] = defaultdict(list)
        for member in relation.members:
            roles[member.role].append(member)
        parts = (roles["from"], roles["via"], roles["to"])
        if [len(p) for p in parts] != [1, 1, 1] or roles["via"][0].type != "n":
            continue
        if roles["from"][0].type != "w" or roles["to"][0].type != "w":
            continue
        yield Restriction(
            roles["from"][0].ref, roles["via"][0].ref, roles["to"][0].ref, kind.startswith("only_")
        )


def _beside(refs: list[int] | None, node: int) -> int | None:
    """The node next to ``node`` on a way that starts or ends there (else ambiguous)."""
    if not refs or len(refs) < 2:
        return None
    if refs[0] == node:
        return refs[1]
    if refs[-1] == node:
        return refs[-2]
    return None


@dataclass
class Split:
    """Edges after splitting, and the copy -> original node of each added copy."""

    tail: list[int]
    head: list[int]
    kmh: list[float]
    copies: dict[int, int]


def _rules(
    restrictions: list[Restriction], way_refs: Mapping[int, list[int]]
) -> dict[tuple[int, int], tuple[bool, set[int]]]:
    """Per approach (u -> v): whether the listed exits are the only ones, and the exits."""
    rules: dict[tuple[int, int], tuple[bool, set[int]]] = {}
    for r in restrictions:
        u = _beside(way_refs.get(r.from_way), r.via_node)
        w = _beside(way_refs.get(r.to_way), r.via_node)
        if u is None or w is None:
            continue
        only, exits = rules.get((u, r.via_node), (r.only, set()))
        if only == r.only:  # an "only" rule overrides "no" rules of the same approach
            exits.add(w)
        elif r.only:
            only, exits = True, {w}
        rules[(u, r.via_node)] = (only, exits)
    return rules


def apply(
    restrictions: list[Restriction],
    way_refs: Mapping[int, list[int]],
    edges: tuple[list[int], list[int], list[float]],
    next_id: int,
) -> Split:
    """Give each restricted approach (u -> v) its own copy of v with the allowed exits.

    ``next_id`` is the first id to use for copies; ids count down from it.
    """
    tail, head, kmh = list(edges[0]), list(edges[1]), list(edges[2])
    exits: dict[int, list[tuple[int, float]]] = defaultdict(list)
    position: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, (a, b, speed) in enumerate(zip(tail, head, kmh, strict=True)):
        exits[a].append((b, speed))
        position[(a, b)].append(k)
    allowed: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for (u, v), (only, listed) in _rules(restrictions, way_refs).items():
        kept = [(x, s) for x, s in exits[v] if (x in listed) == only]
        if position[(u, v)] and kept:  # never strand a street: skip rules that would
            allowed[(u, v)] = kept
    copy_of = {approach: next_id - n for n, approach in enumerate(sorted(allowed))}
    for (u, v), copy in copy_of.items():
        for k in position[(u, v)]:
            head[k] = copy
        for x, speed in allowed[(u, v)]:
            # Leaving the copy towards x may itself be a restricted approach to x.
            tail.append(copy)
            head.append(copy_of.get((v, x), x))
            kmh.append(speed)
    return Split(tail, head, kmh, {copy: v for (_, v), copy in copy_of.items()})
