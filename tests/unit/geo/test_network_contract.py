"""The junction graph must give exactly the costs of the full graph."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from doorstep.geo.network_contract import contract, route


def graph_of(n: int, edges: list[tuple[int, int, int]]) -> csr_matrix:
    tails, heads, costs = zip(*edges, strict=True)
    return csr_matrix((np.array(costs, dtype=float), (tails, heads)), shape=(n, n))


def street(nodes: list[int], cost: int, one_way: bool) -> list[tuple[int, int, int]]:
    pairs = list(itertools.pairwise(nodes))
    edges = [(a, b, cost) for a, b in pairs]
    return edges if one_way else edges + [(b, a, cost + 1) for a, b in pairs]


def test_chain_nodes_are_contracted_away() -> None:
    # Junctions 0 and 4 joined by a curving two-way street 0-1-2-3-4 and a shortcut;
    # dead ends 5 and 6 hang off them.
    edges = [*street([0, 1, 2, 3, 4], 10, False), *street([4, 0], 100, False)]
    graph = graph_of(7, [*edges, *street([0, 5], 5, False), *street([4, 6], 5, False)])
    contracted = contract(graph)
    assert contracted.junctions == 4
    nodes = np.arange(7)
    assert np.array_equal(route(contracted, nodes, nodes), dijkstra(graph))


def test_points_on_one_way_chain_go_round_to_reach_a_point_behind_them() -> None:
    # A one-way chain 0>1>2>3 and a two-way way back 3-5-0 (5 is a junction of three ways).
    edges = [
        *street([0, 1, 2, 3], 10, True),
        *street([3, 5, 0], 7, False),
        *street([5, 6], 3, False),
    ]
    graph = graph_of(7, edges)
    contracted = contract(graph)
    nodes = np.array([0, 1, 2, 3, 5, 6])
    costs = route(contracted, nodes, nodes)
    assert np.array_equal(costs, dijkstra(graph)[np.ix_(nodes, nodes)])
    assert costs[1, 2] == 10  # straight along the chain
    assert costs[2, 1] > 10  # round the block


@st.composite
def road_graphs(draw: st.DrawFn) -> csr_matrix:
    """Random streets (paths of 2-6 nodes, one- or two-way) over up to 25 nodes."""
    n = draw(st.integers(3, 25))
    edges: list[tuple[int, int, int]] = []
    for _ in range(draw(st.integers(1, 12))):
        nodes = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=6, unique=True))
        edges += street(nodes, draw(st.integers(1, 50)), draw(st.booleans()))
    return graph_of(n, edges)


@settings(max_examples=150, deadline=None)
@given(road_graphs())
def test_contracted_routes_equal_full_dijkstra_on_random_street_maps(graph: csr_matrix) -> None:
    graph.sum_duplicates()  # two streets over the same pair of nodes: keep it simple
    nodes = np.flatnonzero(
        np.diff(graph.indptr) + np.bincount(graph.indices, minlength=graph.shape[0])
    )
    expected = dijkstra(graph)[np.ix_(nodes, nodes)]
    assert np.array_equal(route(contract(graph), nodes, nodes), expected)
