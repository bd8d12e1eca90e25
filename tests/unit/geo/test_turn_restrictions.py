"""Junction splitting for turn restrictions, on hand-made edge lists."""

from doorstep.geo.turn_restrictions import Restriction, Split, _kind, apply

# A T-junction at 2: street 10 runs 1-2, street 11 runs 2-3, street 12 runs 2-4 (two-way).
WAYS = {10: [1, 2], 11: [2, 3], 12: [2, 4]}
PAIRS = [(1, 2), (2, 1), (2, 3), (3, 2), (2, 4), (4, 2)]
EDGES = ([a for a, _ in PAIRS], [b for _, b in PAIRS], [30.0] * len(PAIRS))


def exits(split: Split, node: int) -> set[int]:
    return {b for a, b in zip(split.tail, split.head, strict=True) if a == node}


def test_no_turn_gives_the_approach_a_junction_copy_without_that_exit() -> None:
    split = apply([Restriction(10, 2, 11, only=False)], WAYS, EDGES, next_id=-100)
    assert split.copies == {-100: 2}
    assert exits(split, 1) == {-100}  # arriving from 1 now reaches the copy
    assert exits(split, -100) == {1, 4}  # no turn into street 11
    assert exits(split, 2) == {1, 3, 4}  # arriving from 3 or 4: unchanged


def test_only_turn_keeps_just_that_exit() -> None:
    split = apply([Restriction(10, 2, 12, only=True)], WAYS, EDGES, next_id=-100)
    assert exits(split, -100) == {4}


def test_rule_that_would_leave_no_exit_is_skipped() -> None:
    one_way_out = ([1, 2], [2, 3], [30.0, 30.0])  # 1 -> 2 -> 3 only
    split = apply([Restriction(10, 2, 11, only=False)], WAYS, one_way_out, next_id=-100)
    assert split.copies == {}
    assert (split.tail, split.head) == ([1, 2], [2, 3])


def test_restriction_from_a_way_not_ending_at_the_via_node_is_ignored() -> None:
    ways = {**WAYS, 10: [0, 2, 5]}  # passes through 2: ambiguous approach
    split = apply([Restriction(10, 2, 11, only=False)], ways, EDGES, next_id=-100)
    assert split.copies == {}


def test_leaving_a_copy_into_another_restricted_approach_uses_that_copy() -> None:
    ways = {**WAYS, 13: [3, 5], 14: [3, 6]}
    pairs = [*PAIRS, (3, 5), (5, 3), (3, 6), (6, 3)]
    edges = ([a for a, _ in pairs], [b for _, b in pairs], [30.0] * len(pairs))
    rules = [Restriction(10, 2, 12, only=False), Restriction(11, 3, 13, only=False)]
    split = apply(rules, ways, edges, next_id=-100)
    copy_2 = next(c for c, v in split.copies.items() if v == 2)
    copy_3 = next(c for c, v in split.copies.items() if v == 3)
    assert copy_3 in exits(split, copy_2)  # 1 -> 2 -> 3 still meets the ban at 3
    assert exits(split, copy_3) == {2, 6}


def test_exemptions_for_delivery_vans_lift_the_restriction() -> None:
    assert _kind({"type": "restriction", "restriction": "no_left_turn"}) == "no_left_turn"
    assert _kind({"type": "restriction", "restriction": "no_left_turn", "except": "goods"}) is None
    assert _kind({"type": "multipolygon"}) is None
