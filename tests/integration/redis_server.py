"""The Redis server for tests, from ``DOORSTEP_TEST_REDIS_URL``: skipped visibly when it is
not set or not reachable, a failure when ``DOORSTEP_REQUIRE_REDIS=1``."""

from __future__ import annotations

import os

import pytest
import redis

REDIS_URL_ENV = "DOORSTEP_TEST_REDIS_URL"
REQUIRE_REDIS_ENV = "DOORSTEP_REQUIRE_REDIS"


def redis_url() -> str:
    url = os.environ.get(REDIS_URL_ENV)
    reason = f"{REDIS_URL_ENV} is not set"
    if url:
        try:
            redis.Redis.from_url(url).ping()
            return url
        except redis.RedisError as error:
            reason = f"cannot reach {url}: {error}"
    if os.environ.get(REQUIRE_REDIS_ENV) == "1":
        pytest.fail(f"Redis required ({REQUIRE_REDIS_ENV}=1) but {reason}")
    pytest.skip(f"Redis tests skipped: {reason}")
