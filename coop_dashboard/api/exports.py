"""`GET /api/proposals/<id>/votes.csv`: a proposal's votes as a file (public chain data).

Served over HTTP instead of as a data: URL in a websocket event: 100,000 votes
are ~15 MB of CSV, read and formatted chunk by chunk in worker threads
(Starlette iterates a plain iterator in its thread pool) and streamed, while
the page's event only points the browser at this address.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from coop_dashboard.config import load_settings
from coop_dashboard.services.governance.export import VOTES_CSV_ROUTE, proposal_votes_csv_chunks

# A proposal id is a uint256: at most 78 decimal digits.
_MAX_ID_DIGITS = 78


async def votes_csv(request: Request) -> Response:
    text = str(request.path_params["proposal_id"])
    if not text.isdecimal() or len(text) > _MAX_ID_DIGITS or not text.isascii():
        return Response("Not a proposal id.", 400, media_type="text/plain")
    return StreamingResponse(
        proposal_votes_csv_chunks(load_settings(), int(text)),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="votes-{text[:12]}.csv"',
            "X-Content-Type-Options": "nosniff",
        },
    )


ROUTES = [Route(VOTES_CSV_ROUTE, votes_csv, methods=["GET"])]
