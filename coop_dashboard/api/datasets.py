"""`GET /api/datasets/<id>/{croissant,prov,card.md,car}`: a dataset's public exports;
`GET /api/datasets/<id>/file`: its data file, for a bearer token with access (the
access log's `via` is how that token's session was opened: browser or api).

Answers come from services.datasets.downloads, built in a worker thread; a
CAR streams block by block (Starlette iterates the sync iterator in its
thread pool), never held whole.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from coop_dashboard.config import load_settings
from coop_dashboard.services.api_auth import JsonAnswer, bearer_session
from coop_dashboard.services.datasets.downloads import DATASET_EXPORT_ROUTE, dataset_export
from coop_dashboard.services.datasets.gated_download import FILE_ROUTE, FileAnswer, licensed_file


async def dataset_export_route(request: Request) -> Response:
    answer = await asyncio.to_thread(
        dataset_export,
        load_settings(),
        str(request.path_params["dataset_id"]),
        str(request.path_params["kind"]),
    )
    if isinstance(answer.body, bytes):
        return Response(answer.body, answer.status, answer.headers, media_type=answer.media_type)
    if request.method == "HEAD":
        # Headers only (Content-Length included): a HEAD never reads the file's blocks.
        return Response(b"", answer.status, answer.headers, media_type=answer.media_type)
    return StreamingResponse(
        answer.body, answer.status, answer.headers, media_type=answer.media_type
    )


def _file_answer(authorization: str | None, id_text: str, range_header: str | None) -> FileAnswer:
    settings = load_settings()
    session = bearer_session(settings, authorization)
    if isinstance(session, JsonAnswer):
        return FileAnswer(session.status, error=session.payload["error"])
    # Logged as the session was opened: the app's sign-in ("browser") or a script's ("api").
    return licensed_file(settings, session.address, id_text, range_header, via=session.channel)


async def dataset_file_route(request: Request) -> Response:
    answer = await asyncio.to_thread(
        _file_answer,
        request.headers.get("authorization"),
        str(request.path_params["dataset_id"]),
        request.headers.get("range"),
    )
    if answer.error:
        return JSONResponse({"error": answer.error}, answer.status, answer.headers)
    if isinstance(answer.body, bytes):
        return Response(answer.body, answer.status, answer.headers)
    return StreamingResponse(answer.body, answer.status, answer.headers)


# The file route first: the export route's {kind} would match "file" too.
ROUTES = [
    Route(FILE_ROUTE, dataset_file_route, methods=["GET"]),
    Route(DATASET_EXPORT_ROUTE, dataset_export_route, methods=["GET"]),
]
