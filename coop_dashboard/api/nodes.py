"""`POST /api/nodes/{heartbeat,reproduction,content}`: what the compute nodes report,
each behind a bearer token (services.nodes.reports checks and stores; worker threads)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from coop_dashboard.api.auth import json_body, respond
from coop_dashboard.config import load_settings
from coop_dashboard.services.api_auth import JsonAnswer, bearer_address, refusal
from coop_dashboard.services.jobs.live import JOB_PAGE, PROVIDER_PAGE
from coop_dashboard.services.live_data import live_hub
from coop_dashboard.services.nodes.reports import (
    CONTENT_ROUTE,
    HEARTBEAT_ROUTE,
    MAX_CONTENT_BYTES,
    REPRODUCTION_ROUTE,
    content_answer,
    heartbeat_answer,
    reproduction_answer,
)


async def _signed_in(request: Request) -> str | JsonAnswer:
    settings = load_settings()
    return await asyncio.to_thread(bearer_address, settings, request.headers.get("authorization"))


async def heartbeat_route(request: Request) -> JSONResponse:
    address = await _signed_in(request)
    if isinstance(address, JsonAnswer):
        return respond(address)
    body = await json_body(request)
    if isinstance(body, JsonAnswer):
        return respond(body)
    answer = await asyncio.to_thread(heartbeat_answer, load_settings(), address, body)
    if answer.status == 200:  # the provider's page shows its last heartbeat
        live_hub().refresh(PROVIDER_PAGE, address.lower())
    return respond(_shown(answer, body))


async def reproduction_route(request: Request) -> JSONResponse:
    address = await _signed_in(request)
    if isinstance(address, JsonAnswer):
        return respond(address)
    body = await json_body(request)
    if isinstance(body, JsonAnswer):
        return respond(body)
    answer = await asyncio.to_thread(reproduction_answer, load_settings(), address, body)
    return respond(_shown(answer, body))


def _shown(answer: JsonAnswer, body: object) -> JsonAnswer:
    """A stored report reaches the job pages watching it now, on every worker:
    heartbeats and reproductions are rows no indexed block announces, so the hub is
    told here (it tells the other workers' hubs)."""
    if answer.status == 200 and isinstance(body, dict):  # stored: its job id was checked
        live_hub().refresh(JOB_PAGE, int(body["job_id"]))
    return answer


async def content_route(request: Request) -> JSONResponse:
    address = await _signed_in(request)
    if isinstance(address, JsonAnswer):
        return respond(address)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_CONTENT_BYTES:
        return respond(refusal(413, f"The file is over {MAX_CONTENT_BYTES:,} bytes."))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_CONTENT_BYTES:
            return respond(refusal(413, f"The file is over {MAX_CONTENT_BYTES:,} bytes."))
        chunks.append(chunk)
    return respond(await asyncio.to_thread(content_answer, load_settings(), b"".join(chunks)))


ROUTES = [
    Route(HEARTBEAT_ROUTE, heartbeat_route, methods=["POST"]),
    Route(REPRODUCTION_ROUTE, reproduction_route, methods=["POST"]),
    Route(CONTENT_ROUTE, content_route, methods=["POST"]),
]
