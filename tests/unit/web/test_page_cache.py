import time

from doorstep.web.tracking import PageCache


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
