"""The exception queue's own words: how long an exception has been open, and filters
that fall back to the default view instead of an error."""

from __future__ import annotations

from datetime import timedelta

import pytest

from doorstep.web.console.exceptions_page import Filters, age_words


@pytest.mark.parametrize(
    ("age", "words"),
    [
        (timedelta(seconds=20), "under a minute"),
        (timedelta(minutes=4, seconds=59), "4 min"),
        (timedelta(minutes=60), "1 h"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
        (timedelta(days=3, hours=1), "3 days"),
    ],
)
def test_age_words(age: timedelta, words: str) -> None:
    assert age_words(age) == words


def test_filters_fall_back_to_the_open_queue() -> None:
    assert Filters.read(None, None) == Filters("open", "")
    assert Filters.read("resolved", "mis_sort").query == "state=resolved&kind=mis_sort"
    assert Filters.read("\x00", "<script>") == Filters("open", "")
    assert Filters.read("all", "").query == "state=all"
