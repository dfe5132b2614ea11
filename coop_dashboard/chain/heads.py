"""New blocks pushed by the node: `eth_subscribe("newHeads")` over a websocket.

A raw JSON-RPC websocket client (the `websockets` package, no web3): the
indexer only needs to know *that* a block arrived, so a notification is a
wake-up and nothing more. The indexer always catches up by block number from
its checkpoint, so a missed, duplicated or reorged notification never loses or
repeats a block; while the socket is down the indexer polls as before, and the
subscription reconnects by itself.

anvil serves websockets on its HTTP port; other nodes need RPC_WS_URL.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import connect
from websockets.sync.connection import Connection

log = logging.getLogger("coop.indexer")

RECONNECT_S = 1.0
CONNECT_TIMEOUT_S = 3.0
MAX_MESSAGE_BYTES = 1 << 20


class NewHeads:
    """A background thread holding a `newHeads` subscription; `wait()` sleeps until a head.

    `connected` says whether pushes arrive (if not, callers poll); `latest` is
    the number of the last head pushed (-1 before any).
    """

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self.latest = -1
        self.connected = False
        self.heads_seen = 0
        self._wake = threading.Event()
        self._wakers: list[Callable[[], None]] = []
        self._stop = threading.Event()
        self._socket: Connection | None = None
        self._thread = threading.Thread(target=self._run, name="coop-new-heads", daemon=True)

    def start(self) -> NewHeads:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        socket = self._socket
        if socket is not None:
            try:
                socket.close()
            except (OSError, WebSocketException) as error:
                log.debug("closing the newHeads websocket failed: %s", error)
        self._thread.join(timeout=5)

    def add_waker(self, waker: Callable[[], None]) -> None:
        """Also call `waker()` (from this object's thread) whenever `wait()` would wake:
        for an event loop, which must not tie up a thread waiting."""
        self._wakers.append(waker)

    def _wake_up(self) -> None:
        self._wake.set()
        for waker in list(self._wakers):
            try:
                waker()
            except RuntimeError as error:  # e.g. its event loop is closed: shutting down
                log.debug("a newHeads waker failed: %s", error)

    def wait(self, timeout: float) -> bool:
        """Sleep until a new head is pushed or `timeout` passes; True if woken by a head."""
        woken = self._wake.wait(timeout)
        self._wake.clear()
        return woken

    def _run(self) -> None:
        logged_down = False
        while not self._stop.is_set():
            try:
                with connect(
                    self.ws_url,
                    open_timeout=CONNECT_TIMEOUT_S,
                    max_size=MAX_MESSAGE_BYTES,
                    ping_interval=10,
                    ping_timeout=10,
                ) as socket:
                    self._socket = socket
                    self._subscribe(socket)
                    self.connected = True
                    logged_down = False
                    log.info("following new blocks pushed by %s", self.ws_url)
                    # A head may have come while the socket was down: look now.
                    self._wake_up()
                    self._receive(socket)
            except (OSError, WebSocketException, TimeoutError, ValueError) as error:
                if not logged_down and not self._stop.is_set():
                    log.info(
                        "the newHeads websocket %s is down (%s): polling for blocks",
                        self.ws_url,
                        error,
                    )
                    logged_down = True
            finally:
                self._socket = None
                self.connected = False
            self._stop.wait(RECONNECT_S)

    @staticmethod
    def _subscribe(socket: Connection) -> None:
        request = {"jsonrpc": "2.0", "id": 1, "method": "eth_subscribe", "params": ["newHeads"]}
        socket.send(json.dumps(request))
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while True:
            reply = json.loads(socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if isinstance(reply, dict) and reply.get("id") == 1:
                if "error" in reply or not isinstance(reply.get("result"), str):
                    raise ValueError(f"eth_subscribe refused: {reply.get('error', reply)!r:.200}")
                return

    def _receive(self, socket: Connection) -> None:
        while not self._stop.is_set():
            message: Any = json.loads(socket.recv())
            if not isinstance(message, dict) or message.get("method") != "eth_subscription":
                continue
            params = message.get("params")
            head = params.get("result") if isinstance(params, dict) else None
            number = head.get("number") if isinstance(head, dict) else None
            if isinstance(number, str) and number.startswith("0x") and len(number) <= 20:
                self.latest = int(number, 16)
            self.heads_seen += 1
            self._wake_up()
