"""Empty query values are dropped; everything else, including wrong values, is kept."""

from doorstep.api.query import without_empty_values


def test_drops_only_the_empty_values_and_keeps_the_order() -> None:
    assert without_empty_values(b"state=&limit=5&reference=&cursor=abc") == b"limit=5&cursor=abc"


def test_leaves_a_query_without_empty_values_untouched() -> None:
    assert (
        without_empty_values(b"reference=A%20B&state=created") == b"reference=A%20B&state=created"
    )
