"""The spec service: reads the specs of newly indexed jobs and saves what they say.

The chain carries only a job's spec CID; the board's search also matches the
spec's task, recipe, metric, label column and description, and the board shows
the spec's title, which only the spec document in the content store holds (a
board page reads no spec: it takes the title saved here). This reads each unread spec (bounded,
verified against its CID by the store), parses the bytes as hostile
(services/jobs/spec.parse) and saves its facts (db/job_specs.save_spec_facts).
A spec not in this store stays unread (it may arrive later); one that is no
JobSpec (not a CID, too large, not JSON, an unknown recipe...) is saved with the
reason and no facts, so it is not read again.

`fill_missing_spec_facts` blocks (a worker thread); `job_spec_housekeeping` is
the app's lifespan task that runs it. Like the card service it runs in
services/index_housekeeping's loop: the database migrated first, then a round
whenever the live-data hub sees the set of unread specs change at an indexed
head: no polling. A spec not in this store yet is looked for again every
`RETRY_UNREAD_S`.
"""

from __future__ import annotations

import asyncio

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.job_specs import SpecFacts, save_spec_facts, unread_spec_cids
from coop_dashboard.services.index_housekeeping import run_on_index_changes
from coop_dashboard.services.jobs.display import spec_heading
from coop_dashboard.services.jobs.spec import (
    MAX_SPEC_BYTES,
    METRIC_LABELS,
    RECIPES,
    JobSpecError,
    parse,
)
from coop_dashboard.services.jobs.stored import read_blob
from coop_dashboard.services.live_data import LiveView

MAX_SPECS_PER_RUN = 200
# A spec posted before its bytes reached this store is looked for again this often.
RETRY_UNREAD_S = 60.0
_MAX_CID_CHARS = 128  # JobBoard.MAX_CID_LENGTH


def _unread_specs(database_url: str) -> tuple[str, ...]:
    return tuple(unread_spec_cids(get_engine(database_url), MAX_SPECS_PER_RUN))


# The specs waiting to be read (keyed by database URL), re-read by the hub per head.
UNREAD_SPECS: LiveView[str, tuple[str, ...]] = LiveView("unread_job_specs", _unread_specs)


def facts_of(raw: bytes) -> SpecFacts:
    """What the spec bytes say, or (no facts) why they are not a JobSpec."""
    try:
        spec = parse(raw)
    except JobSpecError as error:
        return SpecFacts(problem=str(error))
    words = (
        spec.task,
        spec.recipe,
        RECIPES[spec.recipe].label,
        spec.metric,
        METRIC_LABELS.get(spec.metric, spec.metric),
        spec.label_column,
        spec.description,
    )
    return SpecFacts(
        task=spec.task,
        recipe=spec.recipe,
        metric=spec.metric,
        target_units=spec.target_units,
        words=words,
        title=spec_heading(spec),
    )


def read_spec_facts(store: LocalContentStore, spec_cid: str) -> SpecFacts | None:
    """The facts of the spec at `spec_cid`; None while its bytes are not in `store`."""
    cid = spec_cid.strip().removeprefix("ipfs://")
    if cid and len(cid) <= _MAX_CID_CHARS and is_cid(cid) and not store.has(cid):
        return None
    blob = read_blob(store, spec_cid, MAX_SPEC_BYTES)
    if blob.data is None:
        return SpecFacts(problem=blob.problem)
    return facts_of(blob.data)


def fill_missing_spec_facts(settings: Settings, limit: int = MAX_SPECS_PER_RUN) -> int:
    """Read up to `limit` unread specs; returns how many got facts saved."""
    engine = get_engine(settings.database_url)
    store = LocalContentStore(settings.content_dir)
    saved = 0
    for spec_cid in unread_spec_cids(engine, limit):
        facts = read_spec_facts(store, spec_cid)
        if facts is not None:
            save_spec_facts(engine, spec_cid, facts)
            saved += 1
    return saved


async def job_spec_housekeeping(retry_s: float = RETRY_UNREAD_S) -> None:
    """The app's lifespan task: read new jobs' specs when they are indexed (the shared
    loop of services/index_housekeeping.py: migrate first, wake on the hub)."""
    settings = load_settings()

    async def read_new_specs() -> None:
        await asyncio.to_thread(fill_missing_spec_facts, settings)

    await run_on_index_changes(
        UNREAD_SPECS, read_new_specs, what="job spec housekeeping", retry_s=retry_s
    )
