"""What the proposal page offers next (queue / execute / cancel), from the indexed view."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import insert

from coop_dashboard.chain.governance_types import ProposalState
from coop_dashboard.db.chain_tables import GovernanceSettingChange, table_of
from coop_dashboard.db.engine import create_tables, get_engine
from coop_dashboard.db.queries import current_setting
from coop_dashboard.services.governance.eligibility import can_cancel, can_execute, can_queue
from coop_dashboard.services.governance.feed_view import ProposalCard
from coop_dashboard.services.governance.proposal_view import ProposalView, lifecycle_facts

PROPOSER = "0x" + "22" * 20
OTHER = "0x" + "33" * 20
DAY = 86_400
NOW = 1_800_000_000

SUCCEEDED = ProposalView(
    card=ProposalCard(proposal_id="42"),
    state="succeeded",
    proposer=PROPOSER,
    now=NOW,
    timelock_delay=2 * DAY,
)


def test_the_view_feeds_the_eligibility_rules() -> None:
    facts = lifecycle_facts(SUCCEEDED)
    assert facts is not None and facts.state is ProposalState.SUCCEEDED
    assert facts.proposal_id == 42 and facts.clock == NOW
    queue = can_queue(facts)
    assert queue.allowed and "can be executed 2 days after it is queued" in queue.reason

    queued = lifecycle_facts(replace(SUCCEEDED, state="queued", eta=NOW + 3_600))
    assert queued is not None
    waiting = can_execute(queued)
    assert (
        not waiting.allowed
        and "executable at" in waiting.reason
        and "(in 1 hour)" in waiting.reason
    )
    ready = lifecycle_facts(replace(SUCCEEDED, state="queued", eta=NOW))
    assert ready is not None and can_execute(ready).allowed

    pending = lifecycle_facts(replace(SUCCEEDED, state="pending"))
    assert pending is not None
    assert can_cancel(pending, PROPOSER.upper().replace("0X", "0x")).allowed
    assert not can_cancel(pending, OTHER).allowed


def test_nothing_is_offered_before_the_view_loads() -> None:
    assert lifecycle_facts(ProposalView()) is None


def test_current_setting_is_the_latest_indexed_change(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'settings.db'}")
    create_tables(engine)
    assert current_setting(engine, "timelock_min_delay") is None
    rows = [
        (5, 0, "0", str(2 * DAY)),  # the constructor's MinDelayChange
        (9, 3, str(2 * DAY), str(DAY)),  # a governance change
    ]
    with engine.begin() as connection:
        for block, log_index, old, new in rows:
            connection.execute(
                insert(table_of(GovernanceSettingChange)).values(
                    block_number=block,
                    log_index=log_index,
                    contract="0x" + "44" * 20,
                    setting="timelock_min_delay",
                    old_value=old,
                    new_value=new,
                    tx_hash="0x" + "00" * 32,
                    block_timestamp=NOW + block,
                )
            )
    assert current_setting(engine, "timelock_min_delay") == DAY
    assert current_setting(engine, "voting_period") is None
