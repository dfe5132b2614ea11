"""Tabs keep their state when the app worker serving them dies (Reflex 0.10.1 with Redis).

Reflex's RedisTokenManager records in Redis which worker ("instance") holds each tab's
socket, for an hour, and treats a new socket arriving with a token that has a record as a
duplicated browser tab: it gives it a new token, that is a blank state. A worker killed
with SIGKILL (or by the OOM killer) never deletes its records, so every tab it served
reconnected to a blank page state: filters, drafts and the signed-in header gone
(tests/e2e/test_scaled_deployment.py caught it).

Here every worker subscribes to a Redis channel of its own (`alive_channel`) and holds
it for as long as it lives; Redis drops the subscription the moment the worker's
connection closes, which the kernel does at once when the process dies, however it
dies. Before Reflex's check, a record whose worker has no subscriber is deleted as
stale: the reconnecting tab keeps its token, and its state (which is in Redis) comes
back. A real duplicate (same token, owner alive) still gets a new token.

`install()` runs in `coop serve`'s server process (coop_dashboard/reflex_runner.py)
before the workers are forked from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

ALIVE_CHANNEL_PREFIX = "coop_worker_alive_"
_PATCHED = "_coop_tab_handover"
# While Redis is unreachable, the alive subscription retries this often.
_RETRY_S = 1.0


def alive_channel(instance_id: str) -> str:
    return f"{ALIVE_CHANNEL_PREFIX}{instance_id}"


def install() -> None:
    """Wrap RedisTokenManager.link_token_to_sid (once; harmless without Redis)."""
    from reflex.utils.token_manager import RedisTokenManager

    original: Callable[..., Awaitable[str | None]] = RedisTokenManager.link_token_to_sid
    if getattr(original, _PATCHED, False):
        return

    async def link_token_to_sid(self: Any, token: str, sid: str) -> str | None:
        await _keep_alive(self)
        await _forget_dead_owner(self, token)
        return await original(self, token, sid)

    setattr(link_token_to_sid, _PATCHED, True)
    RedisTokenManager.link_token_to_sid = link_token_to_sid  # type: ignore[method-assign]


async def _keep_alive(manager: Any) -> None:
    """Subscribe this worker to its alive channel (once), and keep the subscription."""
    task: asyncio.Task[None] | None = getattr(manager, "_coop_alive_task", None)
    if task is not None and not task.done():
        return
    pubsub = manager.redis.pubsub()
    await pubsub.subscribe(alive_channel(manager.instance_id))
    # Reading the confirmation makes sure Redis holds the subscription before any tab
    # of this worker can be looked at by another.
    await pubsub.get_message(timeout=1.0)
    manager._coop_alive_task = asyncio.get_running_loop().create_task(_hold(pubsub))


async def _hold(pubsub: Any) -> None:
    """Read the (empty) channel forever: redis-py re-subscribes after a reconnect."""
    try:
        while True:
            try:
                await pubsub.get_message(ignore_subscribe_messages=True, timeout=30.0)
            except Exception as error:  # noqa: BLE001 - Redis away: retry, Reflex logs it too
                log.warning("this worker's alive subscription failed: %s", error)
                await asyncio.sleep(_RETRY_S)
    finally:
        await pubsub.aclose()


async def _owner_alive(manager: Any, owner: str) -> bool:
    counts = await manager.redis.pubsub_numsub(alive_channel(owner))
    return bool(counts and int(counts[0][1]) > 0)


async def _forget_dead_owner(manager: Any, token: str) -> None:
    """Delete `token`'s socket record if the worker it names is gone."""
    with contextlib.suppress(Exception):  # any doubt: leave it to Reflex's own check
        record_key = manager._get_redis_key(token)
        raw = await manager.redis.get(record_key)
        if not raw:
            return
        owner = pickle.loads(raw).instance_id  # written by Reflex itself (SocketRecord)
        if owner == manager.instance_id or await _owner_alive(manager, owner):
            return
        # Only this record: a newer one written meanwhile by a live worker stays.
        async with manager.redis.pipeline(transaction=True) as pipe:
            await pipe.watch(record_key)
            if await pipe.get(record_key) == raw:
                pipe.multi()
                pipe.delete(record_key)
                await pipe.execute()
                log.info("tab %s… reconnected after its worker died: kept its state", token[:8])
