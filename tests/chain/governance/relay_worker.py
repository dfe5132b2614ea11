"""A stand-in app worker for the relayer tests: relays signed ballots through the same
service the proposal page uses (configured from the environment, like `coop serve`).

    python -m tests.chain.governance.relay_worker BALLOTS_JSON START_AT THREADS

BALLOTS_JSON is a list of {voter, proposal_id, support, nonce, signature}; the
worker waits until the wall clock reaches START_AT (so two workers start
together), relays them on THREADS threads, and prints one JSON line per ballot:
{voter, tx_hash} or {voter, code, message}.
"""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from coop_dashboard.config import load_settings
from coop_dashboard.services.governance.gasless import relay_ballot
from coop_dashboard.services.governance.relay_policy import RelayRefused


def _relay_one(ballot: dict[str, Any]) -> dict[str, Any]:
    try:
        result = relay_ballot(
            load_settings(),
            ballot["voter"],
            int(ballot["proposal_id"]),
            int(ballot["support"]),
            "",
            int(ballot["nonce"]),
            ballot["signature"],
        )
    except RelayRefused as refused:
        return {"voter": ballot["voter"], "code": refused.code, "message": str(refused)}
    return {"voter": ballot["voter"], "tx_hash": result.tx_hash}


def main(argv: list[str]) -> None:
    ballots = json.loads(argv[0])
    start_at, threads = float(argv[1]), int(argv[2])
    time.sleep(max(0.0, start_at - time.time()))
    with ThreadPoolExecutor(threads) as pool:
        for answer in pool.map(_relay_one, ballots):
            print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
