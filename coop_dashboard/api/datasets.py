"""`GET /api/datasets/<id>/{croissant,prov,card.md,car}`: a dataset's public exports.

Answers come from services.datasets.downloads, built in a worker thread; a
CAR streams block by block (Starlette iterates the sync iterator in its
thread pool), never held whole.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from coop_dashboard.config import load_settings
from coop_dashboard.services.datasets.downloads import DATASET_EXPORT_ROUTE, dataset_export


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


ROUTES = [Route(DATASET_EXPORT_ROUTE, dataset_export_route, methods=["GET"])]
