"""A tab whose worker died keeps its token (and so its state) on another worker; a real
duplicate of a live tab still gets a new one. Reflex's own token managers on the local Redis."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import pytest
from redis.asyncio import Redis
from reflex.utils.token_manager import RedisTokenManager

from coop_dashboard import tab_handover
from tests.support.redis_db import redis_database_url


@pytest.fixture
def redis_url() -> Iterator[str]:
    with redis_database_url() as url:
        yield url


async def _die(manager: RedisTokenManager) -> None:
    """What SIGKILL leaves behind: the socket records; no connection, so no subscriber."""
    task = manager._coop_alive_task  # type: ignore[attr-defined]
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task  # closes its alive subscription's connection
    await manager.close()  # its other Redis listeners stop; its records stay


async def _close(manager: RedisTokenManager) -> None:
    task = getattr(manager, "_coop_alive_task", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await manager.close()


def test_a_dead_workers_tab_keeps_its_token(redis_url: str) -> None:
    tab_handover.install()

    async def scenario() -> tuple[str | None, str | None]:
        first = RedisTokenManager(Redis.from_url(redis_url))
        second = RedisTokenManager(Redis.from_url(redis_url))
        try:
            assert await first.link_token_to_sid("tab-1", "sid-a") is None
            # A live owner: the same token from another socket is a duplicated tab.
            duplicate = await second.link_token_to_sid("tab-1", "sid-b")
            await _die(first)
            reconnected = await second.link_token_to_sid("tab-1", "sid-c")
        finally:
            await _close(second)
        return duplicate, reconnected

    duplicate, reconnected = asyncio.run(scenario())
    assert duplicate is not None and duplicate != "tab-1"
    assert reconnected is None  # None: the tab goes on with its own token
