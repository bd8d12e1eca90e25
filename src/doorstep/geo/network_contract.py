"""Shrink a road graph to its junctions, and route between points on the original nodes.

Most OSM nodes only draw a street's curve: three quarters of Camden's van nodes have
exactly two neighbours. A many-to-many Dijkstra costs time per node, so we replace each
*chain* of such nodes between two junctions by one edge (a junction is any node with a
neighbour count other than two, or whose one-way pattern changes). Points still snap
to any original node: a node inside a chain remembers its two junctions and the cost to
and from each, in each direction the chain allows.

A matrix query adds one virtual source and one virtual target per distinct snapped node,
linked to the junctions around it, so one Dijkstra run per source answers everything.
Two points inside the same chain may also go straight along it; that is the only path
the junction graph cannot see, and it is added afterwards.

Weights are the packed integers of :mod:`doorstep.geo.road_network` (time in the high
bits, length in the low bits), so sums and minimums here stay exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_SOURCES_PER_RUN = 256  # bounds memory: one run holds 256 x nodes float64


@dataclass(frozen=True)
class Contracted:
    """The junction graph, and where every original node sits on it.

    Arrays indexed by original node: ``start``/``end`` are the compact indices of the
    chain's junctions (a junction points at itself), the four costs are from the start
    junction, to the end junction, from the end and to the start (``inf`` where the
    chain is one-way against it; 0 at a junction), ``chain`` is -1 at junctions.
    """

    graph: csr_matrix
    compact: IntArray
    start: IntArray
    end: IntArray
    from_start: FloatArray
    to_end: FloatArray
    from_end: FloatArray
    to_start: FloatArray
    chain: IntArray

    @property
    def junctions(self) -> int:
        return int(self.graph.shape[0])


def _neighbours(graph: csr_matrix) -> tuple[list[set[int]], dict[tuple[int, int], float]]:
    coo = graph.tocoo()
    rows, cols = coo.row.tolist(), coo.col.tolist()
    weight = dict(zip(zip(rows, cols, strict=True), coo.data.tolist(), strict=True))
    around: list[set[int]] = [set() for _ in range(graph.shape[0])]
    for u, v in zip(rows, cols, strict=True):
        around[u].add(v)
        around[v].add(u)
    return around, weight


def _is_through(x: int, around: list[set[int]], weight: dict[tuple[int, int], float]) -> bool:
    """Two neighbours and both edges the same kind: two-way, or one-way in line."""
    if len(around[x]) != 2:
        return False
    a, b = around[x]
    pattern = ((a, x) in weight, (x, b) in weight, (b, x) in weight, (x, a) in weight)
    return pattern in (
        (True, True, True, True),
        (True, True, False, False),
        (False, False, True, True),
    )


def _walk(k: int, first: int, around: list[set[int]], through: npt.NDArray[np.bool_]) -> list[int]:
    chain, previous, current = [k, first], k, first
    while through[current] and current != k:
        (following,) = around[current] - {previous}
        previous, current = current, following
        chain.append(current)
    return chain


def _touched(graph: csr_matrix) -> npt.NDArray[np.bool_]:
    """Nodes with at least one edge, in or out."""
    degree = np.diff(graph.indptr) + np.bincount(graph.indices, minlength=graph.shape[0])
    return np.asarray(degree > 0)


def contract(graph: csr_matrix) -> Contracted:
    """Contract every chain of ``graph``, whose weights are packed integers."""
    n = graph.shape[0]
    around, weight = _neighbours(graph)
    through = np.array([_is_through(x, around, weight) for x in range(n)], dtype=bool)
    visited = np.zeros(n, dtype=bool)
    chains: list[list[int]] = []
    for k in np.flatnonzero(~through & _touched(graph)):
        for first in around[k]:
            if through[first] and not visited[first]:
                chain = _walk(int(k), first, around, through)
                visited[chain[1:-1]] = True
                chains.append(chain)
    through &= visited  # a ring with no junction at all keeps its nodes as junctions
    return _assemble(graph, through, chains, weight)


def _assemble(
    graph: csr_matrix,
    through: npt.NDArray[np.bool_],
    chains: list[list[int]],
    weight: dict[tuple[int, int], float],
) -> Contracted:
    n = graph.shape[0]
    kept = np.flatnonzero(~through & _touched(graph))
    compact = np.full(n, -1, dtype=np.int64)
    compact[kept] = np.arange(len(kept))
    start, end, chain_of = compact.copy(), compact.copy(), np.full(n, -1, dtype=np.int64)
    place = {key: np.full(n, np.inf) for key in ("from_start", "to_end", "from_end", "to_start")}
    for costs in place.values():
        costs[kept] = 0.0
    coo = graph.tocoo()
    direct = ~(through[coo.row] | through[coo.col])  # edges between two junctions stay
    edges = [(compact[coo.row[direct]], compact[coo.col[direct]], coo.data[direct])]
    for number, chain in enumerate(chains):
        inner = chain[1:-1]
        start[inner], end[inner], chain_of[inner] = compact[chain[0]], compact[chain[-1]], number
        for forward, path in ((True, chain), (False, chain[::-1])):
            if (path[0], path[1]) not in weight:
                continue  # one-way the other way
            steps = list(itertools.accumulate(weight[pair] for pair in itertools.pairwise(path)))
            inner_steps = np.array(steps[:-1] if forward else steps[-2::-1])
            place["from_start" if forward else "from_end"][inner] = inner_steps
            place["to_end" if forward else "to_start"][inner] = steps[-1] - inner_steps
            edges.append((compact[[path[0]]], compact[[path[-1]]], np.array([steps[-1]])))
    tails, heads, costs = (np.concatenate(part) for part in zip(*edges, strict=True))
    return Contracted(
        graph=_min_graph(len(kept), tails, heads, costs),
        compact=compact, start=start, end=end, chain=chain_of, **place,
    )  # fmt: skip


def _min_graph(k: int, tails: IntArray, heads: IntArray, costs: FloatArray) -> csr_matrix:
    """CSR keeping the cheapest of parallel edges (scipy would add them up), no self-loops."""
    keep = tails != heads
    tails, heads, costs = tails[keep], heads[keep], costs[keep]
    order = np.lexsort((costs, heads, tails))
    tails, heads, costs = tails[order], heads[order], costs[order]
    first = np.ones(len(tails), dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    return csr_matrix((costs[first], (tails[first], heads[first])), shape=(k, k))


def _virtual_edges(
    c: Contracted, nodes: IntArray, offset: int, outgoing: bool
) -> tuple[IntArray, IntArray, FloatArray]:
    """Edges joining virtual nodes ``offset + i`` to the junctions around ``nodes[i]``.

    Every cost is raised by 1 (a tenth of a millimetre's worth of the packed weight)
    so that a point on a junction still gets an edge; route() takes it off again.
    """
    virtual = offset + np.arange(len(nodes))
    if outgoing:
        ends, costs = (c.end[nodes], c.start[nodes]), (c.to_end[nodes], c.to_start[nodes])
    else:
        ends, costs = (c.start[nodes], c.end[nodes]), (c.from_start[nodes], c.from_end[nodes])
    junction = np.concatenate(ends)
    cost = np.concatenate(costs) + 1.0
    ok = np.isfinite(cost)
    v = np.concatenate([virtual, virtual])[ok]
    if outgoing:
        return v, junction[ok], cost[ok]
    return junction[ok], v, cost[ok]


def _along_chain(c: Contracted, sources: IntArray, targets: IntArray) -> FloatArray:
    """Cost of going straight along a shared chain (``inf`` elsewhere)."""
    same = (c.chain[sources][:, None] == c.chain[targets][None, :]) & (
        c.chain[sources][:, None] >= 0
    )
    direct = np.full(same.shape, np.inf)
    with np.errstate(invalid="ignore"):
        for along in (c.from_start, c.from_end):
            step = along[targets][None, :] - along[sources][:, None]
            ok = same & np.isfinite(step) & (step >= 0)
            direct[ok] = np.minimum(direct[ok], step[ok])
    return direct


def route(c: Contracted, sources: IntArray, targets: IntArray) -> FloatArray:
    """Packed cost of the cheapest path from each source node to each target node."""
    k, s, t = c.junctions, len(sources), len(targets)
    parts = [
        _virtual_edges(c, sources, k, outgoing=True),
        _virtual_edges(c, targets, k + s, outgoing=False),
    ]
    coo = c.graph.tocoo()
    tails = np.concatenate([coo.row, *(p[0] for p in parts)])
    heads = np.concatenate([coo.col, *(p[1] for p in parts)])
    costs = np.concatenate([coo.data, *(p[2] for p in parts)])
    graph = _min_graph(k + s + t, tails, heads, costs)
    packed = np.empty((s, t))
    for first in range(0, s, _SOURCES_PER_RUN):
        chunk = np.arange(first, min(first + _SOURCES_PER_RUN, s))
        packed[chunk] = dijkstra(graph, indices=k + chunk)[:, k + s :] - 2.0
    return np.minimum(packed, _along_chain(c, sources, targets))
