"""`GET /ipfs/<cid>`: the content store over HTTP (policy in services.content_gateway).

An ASGI middleware rather than a route: every path under /ipfs/ is answered
here, including the ones a route pattern would not match and would hand on to
the frontend (`/ipfs/<cid>/more`, a name ending in an encoded newline).
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from coop_dashboard.config import load_settings
from coop_dashboard.services.content_gateway import (
    GATEWAY_PREFIX,
    SAFETY_HEADERS,
    gateway_answer,
)


class IpfsGateway:
    """Answers GET/HEAD under GATEWAY_PREFIX; everything else goes on to `app`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(GATEWAY_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            refused = Response("Only GET and HEAD.", 405, {**SAFETY_HEADERS, "Allow": "GET, HEAD"})
            await refused(scope, receive, send)
            return
        cid = path[len(GATEWAY_PREFIX) :]
        range_header = Headers(scope=scope).get("range")
        answer = await asyncio.to_thread(
            gateway_answer, load_settings().content_dir, cid, range_header
        )
        response: Response
        if scope["method"] == "HEAD":
            # Headers only (Content-Length included); a streamed body is never read.
            response = Response(b"", answer.status, answer.headers)
            if isinstance(answer.body, bytes):
                response.headers["Content-Length"] = str(len(answer.body))
        elif isinstance(answer.body, bytes):
            response = Response(answer.body, answer.status, answer.headers)
        else:
            # Starlette iterates a sync iterator in its thread pool: the loop never reads disk.
            response = StreamingResponse(answer.body, answer.status, answer.headers)
        await response(scope, receive, send)
