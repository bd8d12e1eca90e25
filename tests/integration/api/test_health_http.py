"""``/health`` for load balancers: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import httpx

from tests.integration.live_server import LiveApi


def test_health_answers_ok_with_the_version_and_a_strict_page_policy(live_api: LiveApi) -> None:
    answer = httpx.get(f"{live_api.base_url}/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"
    assert answer.json()["database"] == "ok"
    home = httpx.get(f"{live_api.base_url}/")
    assert 'href="/health"' in home.text
    for page in (home, httpx.get(f"{live_api.base_url}/docs")):
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "http" not in policy  # no other origin: everything is served from here
        assert "server" not in page.headers
