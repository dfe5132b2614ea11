"""`POST /api/auth/nonce` and `POST /api/auth/verify`: sign in with Ethereum over HTTP.

Scripts get a bearer token the same way the browser gets its session
(services.api_auth); the work runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.services.api_auth import (
    MAX_BODY_BYTES,
    NONCE_ROUTE,
    VERIFY_ROUTE,
    JsonAnswer,
    nonce_answer,
    refusal,
    verify_answer,
)


def respond(answer: JsonAnswer) -> JSONResponse:
    return JSONResponse(answer.payload, answer.status, headers={"Cache-Control": "no-store"})


async def json_body(request: Request) -> object | JsonAnswer:
    """The request's JSON body, or a 400 for one too large or not JSON."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return refusal(400, f"The request body is over {MAX_BODY_BYTES:,} bytes.")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return refusal(400, "The request body is not JSON.")


async def _answer(
    request: Request, handle: Callable[[Settings, object], JsonAnswer]
) -> JSONResponse:
    body = await json_body(request)
    if isinstance(body, JsonAnswer):
        return respond(body)
    return respond(await asyncio.to_thread(handle, load_settings(), body))


async def nonce_route(request: Request) -> JSONResponse:
    ip = request.client.host if request.client else ""
    return await _answer(request, lambda settings, body: nonce_answer(settings, body, ip))


async def verify_route(request: Request) -> JSONResponse:
    return await _answer(request, verify_answer)


ROUTES = [
    Route(NONCE_ROUTE, nonce_route, methods=["POST"]),
    Route(VERIFY_ROUTE, verify_route, methods=["POST"]),
]
