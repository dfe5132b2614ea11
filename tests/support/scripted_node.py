"""A JSON-RPC node of our own over real HTTP: one that refuses batches, and hostile ones."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# What a scripted node answers a request body with: (HTTP status, response bytes).
Answer = Callable[[Any], tuple[int, bytes]]


class ScriptedNode:
    """An HTTP JSON-RPC endpoint answering with `answer(body) -> (status, bytes)`."""

    def __init__(self, answer: Answer) -> None:
        node = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                node.received.append(body)
                status, payload = answer(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_args: Any) -> None:
                pass

        self.received: list[Any] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# The `node_factory` fixture (tests/unit/chain/conftest.py): node_factory(answer) -> a node.
NodeFactory = Callable[[Answer], ScriptedNode]
