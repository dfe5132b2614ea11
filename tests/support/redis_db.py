"""A Redis database of a test's own on the machine's Redis (127.0.0.1:6379)."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from redis import Redis
from redis.exceptions import RedisError

REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
# Database 0 is left to people; a default Redis has 16 (0..15).
TEST_DATABASES = range(1, 16)


@contextmanager
def redis_database_url() -> Iterator[str]:
    """redis://.../<n> for an empty database n, flushed afterwards (skips the test when
    Redis is not reachable). Reflex's keys and its keyspace notifications are per
    database, so two tests on different numbers never see each other's tabs."""
    candidates = list(TEST_DATABASES)
    random.shuffle(candidates)
    try:
        for number in candidates:
            client = Redis.from_url(f"{REDIS_SERVER}/{number}", socket_connect_timeout=2)
            if client.dbsize() == 0:
                break
            client.close()
        else:
            pytest.skip("every test database of the local Redis holds keys")
    except RedisError:
        pytest.skip(f"Redis is not reachable at {REDIS_SERVER}")
    try:
        yield f"{REDIS_SERVER}/{number}"
    finally:
        client.flushdb()
        client.close()
