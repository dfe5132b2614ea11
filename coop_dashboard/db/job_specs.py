"""The spec facts the job board searches and shows (task, recipe, metric, target, title),
saved by spec CID.

Written by the spec service (services/jobs/spec_facts.py), which reads each job's
spec from the content store; a CID names fixed bytes, so facts are saved once and
never go stale. The board matches `job_spec.search_text` by the job's spec CID
(db/job_queries._filters), so nothing here touches job_state: the indexer stays the
only writer of the board's rows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, select

from coop_dashboard.db.bulk_insert import bulk_upsert
from coop_dashboard.db.chain_tables import table_of
from coop_dashboard.db.job_tables import NAME_LENGTH, TITLE_LENGTH, JobSpecFacts, JobState

_specs = table_of(JobSpecFacts)
_states = table_of(JobState)
MAX_SEARCH_TEXT = 4_000
MAX_PROBLEM_LENGTH = 300


@dataclass(frozen=True)
class SpecFacts:
    """What a spec says, or (all None) why it is not a spec."""

    task: str | None = None
    recipe: str | None = None
    metric: str | None = None
    target_units: int | None = None  # millionths
    words: tuple[str, ...] = ()  # what the board's search matches
    problem: str | None = None
    title: str | None = None  # the board's one-line title (None: not a spec)


def _clean(text: str, limit: int) -> str:
    # PostgreSQL refuses NUL in text; specs are written by strangers.
    return text.replace("\x00", "\ufffd")[:limit]


def save_spec_facts(engine: Engine, spec_cid: str, facts: SpecFacts) -> None:
    """Insert or replace the facts of the spec at `spec_cid`."""
    row = {
        "spec_cid": spec_cid,
        "task": _clean(facts.task, NAME_LENGTH) if facts.task else None,
        "recipe": _clean(facts.recipe, NAME_LENGTH) if facts.recipe else None,
        "metric": _clean(facts.metric, NAME_LENGTH) if facts.metric else None,
        "target_units": facts.target_units,
        "problem": _clean(facts.problem, MAX_PROBLEM_LENGTH) if facts.problem else None,
        "title": _clean(facts.title, TITLE_LENGTH) if facts.title else None,
        "search_text": _clean(" ".join(facts.words).lower(), MAX_SEARCH_TEXT),
        "read_at": int(time.time()),
    }
    with engine.begin() as connection:
        bulk_upsert(connection, _specs, [row], ["spec_cid"])


def spec_facts(engine: Engine, spec_cid: str) -> SpecFacts | None:
    """The saved facts of `spec_cid` (None: not read yet); `words` holds the search text."""
    with engine.connect() as connection:
        row = connection.execute(select(_specs).where(_specs.c.spec_cid == spec_cid)).first()
    if row is None:
        return None
    return SpecFacts(
        task=row.task,
        recipe=row.recipe,
        metric=row.metric,
        target_units=None if row.target_units is None else int(row.target_units),
        words=(row.search_text,) if row.search_text else (),
        problem=row.problem,
        title=row.title,
    )


def unread_spec_cids(engine: Engine, limit: int) -> list[str]:
    """Spec CIDs of indexed jobs with no saved facts yet, newest jobs first."""
    statement = (
        select(_states.c.spec_cid)
        .where(~select(_specs.c.spec_cid).where(_specs.c.spec_cid == _states.c.spec_cid).exists())
        .order_by(_states.c.job_id.desc())
        .limit(limit)
    )
    with engine.connect() as connection:
        return list(dict.fromkeys(str(cid) for (cid,) in connection.execute(statement)))
