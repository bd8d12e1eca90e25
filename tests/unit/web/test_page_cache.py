import time

import pytest

from doorstep.web import page_cache
from doorstep.web.page_cache import PageCache


def test_a_kept_page_is_fresh_then_stale_then_gone() -> None:
    cache = PageCache(0.05)
    cache.put("tok", 200, "<p>page</p>")
    assert cache.get("tok") == (200, "<p>page</p>")
    assert cache.lookup("tok") == (200, "<p>page</p>", True)
    time.sleep(0.06)
    assert cache.get("tok") is None
    assert cache.lookup("tok") == (200, "<p>page</p>", False)
    time.sleep(0.06)
    assert cache.lookup("tok") is None


def test_only_one_caller_renders_a_stale_page_anew() -> None:
    cache = PageCache(1.0)
    assert cache.claim("tok")
    assert not cache.claim("tok")
    cache.release("tok")
    assert cache.claim("tok")


def test_a_cache_of_zero_seconds_keeps_nothing() -> None:
    cache = PageCache(0)
    cache.put("tok", 200, "x")
    assert cache.get("tok") is None and cache.lookup("tok") is None


def test_a_change_to_one_of_its_channels_drops_a_page_and_no_other() -> None:
    cache = PageCache(60)
    cache.put("tok_a", 200, "a", channels=("order:a", "route:r"), mark=cache.mark())
    cache.put("tok_b", 200, "b", channels=("order:b",), mark=cache.mark())
    cache.changed("route:r")
    assert cache.get("tok_a") is None and cache.lookup("tok_a") is None
    assert cache.get("tok_b") == (200, "b")


def test_a_page_read_before_a_change_to_its_channels_is_not_kept() -> None:
    cache = PageCache(60)
    mark = cache.mark()  # the read begins
    cache.changed("order:a")  # the order changes while the page is rendered
    cache.put("tok_a", 200, "old", channels=("order:a",), mark=mark)
    assert cache.get("tok_a") is None
    cache.put("tok_b", 200, "b", channels=("order:b",), mark=mark)  # another order's change
    assert cache.get("tok_b") == (200, "b")
    cache.put("tok_a", 200, "new", channels=("order:a",), mark=cache.mark())
    assert cache.get("tok_a") == (200, "new")


def test_when_changes_are_forgotten_an_older_read_is_not_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(page_cache, "CHANGE_LIMIT", 3)
    cache = PageCache(60)
    mark = cache.mark()
    for n in range(4):  # the fourth change forgets the first three
        cache.changed(f"order:{n}")
    cache.put("tok_0", 200, "old", channels=("order:0",), mark=mark)
    assert cache.get("tok_0") is None
    cache.put("tok_0", 200, "new", channels=("order:0",), mark=cache.mark())
    assert cache.get("tok_0") == (200, "new")
