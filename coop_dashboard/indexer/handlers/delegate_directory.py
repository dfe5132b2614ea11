"""The delegate directory's present, kept in step with the event tables.

Each batch recomputes, from the event tables, the directory rows of the
delegates it touched (power changed, delegated to or away from, voted,
statement events), of those whose week-old power moved because the clock
passed one of their changes, and the current delegation of each account that
delegated. When a proposal's snapshot passes, every delegate that had power
then (all untouched rows with power: their power has not moved since) gets
one more proposal it could vote on, in one UPDATE. A rewind recomputes
everything up to the fork block (rare; seconds at 10,000 delegates).

"As of" is the timestamp of the latest indexed event of the tables read here,
so two indexes of the same chain agree whatever their batch boundaries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, func, select, true, update

from coop_dashboard.db.bulk_insert import bulk_insert, bulk_upsert
from coop_dashboard.db.chain_tables import (
    DelegateStatementEvent,
    Delegation,
    IndexedContract,
    Proposal,
    TokenTransfer,
    Vote,
    VotingPowerChange,
    table_of,
)
from coop_dashboard.db.delegate_history import (
    PowerHistory,
    eligible_proposals,
    participation_bp,
    random_draw,
    replay_statement,
    search_text,
    week_window,
)
from coop_dashboard.db.delegate_tables import (
    CHANGE_OFFSET,
    RANDOM_BITS,
    DelegateCurrentDelegation,
    DelegateDirectoryClock,
    DelegateDirectoryRow,
    DelegateDocument,
    DelegateTopic,
)
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.handlers.registry import Row, RowSink

_CHUNK = 500
_VOTES_TOKEN = "CoopToken"
# The tables whose events move the directory's clock.
_CLOCK_MODELS = (VotingPowerChange, Delegation, Vote, Proposal, DelegateStatementEvent)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _upto(table: Table, block: int | None) -> Any:
    return table.c.block_number <= block if block is not None else true()


class DelegateDirectory:
    """delegate_directory, delegate_topic, delegate_current_delegation and the clock."""

    def __init__(self) -> None:
        self._rows = table_of(DelegateDirectoryRow)
        self._topics = table_of(DelegateTopic)
        self._current = table_of(DelegateCurrentDelegation)
        self._clock = table_of(DelegateDirectoryClock)
        self._documents = table_of(DelegateDocument)
        self._power = table_of(VotingPowerChange)
        self._delegations = table_of(Delegation)
        self._votes = table_of(Vote)
        self._proposals = table_of(Proposal)
        self._statements = table_of(DelegateStatementEvent)
        self._transfers = table_of(TokenTransfer)
        self._contracts = table_of(IndexedContract)

    # -- the Aggregate protocol ----------------------------------------------------------

    def apply(self, connection: Connection, sink: RowSink) -> None:
        old_as_of, supply = self._load_clock(connection)
        stamps = [row["block_timestamp"] for m in _CLOCK_MODELS for row in sink.of(m)]
        as_of = max([old_as_of, *stamps])
        supply += self._supply_delta(connection, sink.of(TokenTransfer))
        touched: set[str] = {row["delegate"] for row in sink.of(VotingPowerChange)}
        touched |= {row["delegate"] for row in sink.of(DelegateStatementEvent)}
        touched |= {row["voter"] for row in sink.of(Vote)}
        latest: dict[str, Row] = {}
        for row in sink.of(Delegation):
            latest[row["delegator"]] = row
            touched |= {row["from_delegate"], row["to_delegate"]}
        self._set_current(connection, latest.values())
        if as_of > old_as_of:
            expired = select(self._rows.c.address).where(self._rows.c.window_expires_at <= as_of)
            touched |= {address for (address,) in connection.execute(expired)}
        settled = self._settled(connection, sink.of(Proposal), old_as_of, as_of)
        if settled:
            self._count_settled(connection, settled)
        touched.discard(ZERO_ADDRESS)
        self._save_clock(connection, as_of, supply)
        self.refresh(connection, sorted(touched), None, as_of)

    def revert(self, connection: Connection, block: int) -> None:
        d = self._delegations
        moved = {
            delegator
            for (delegator,) in connection.execute(
                select(d.c.delegator).where(d.c.block_number > block).distinct()
            )
        }
        for chunk in _chunks(sorted(moved)):
            connection.execute(delete(self._current).where(self._current.c.delegator.in_(chunk)))
            latest: dict[str, Row] = {}
            rows = connection.execute(
                select(d)
                .where(d.c.delegator.in_(chunk), d.c.block_number <= block)
                .order_by(d.c.block_number, d.c.log_index)
            ).mappings()
            for row in rows:
                latest[row["delegator"]] = dict(row)
            self._set_current(connection, latest.values())
        self.rebuild(connection, block)

    # -- recomputation ----------------------------------------------------------------------

    def rebuild(self, connection: Connection, block: int | None) -> None:
        """Recompute every row from the event tables (up to `block`; None: all)."""
        as_of = 0
        for model in _CLOCK_MODELS:
            table = table_of(model)
            stamp = connection.execute(
                select(func.max(table.c.block_timestamp)).where(_upto(table, block))
            ).scalar()
            as_of = max(as_of, int(stamp or 0))
        supply = self._supply_delta(
            connection,
            connection.execute(select(self._transfers).where(_upto(self._transfers, block)))
            .mappings()
            .all(),
        )
        self._save_clock(connection, as_of, supply)
        addresses: set[str] = set()
        for table, column in ((self._power, "delegate"), (self._statements, "delegate")):
            addresses.update(
                value
                for (value,) in connection.execute(
                    select(table.c[column]).where(_upto(table, block)).distinct()
                )
            )
        connection.execute(delete(self._rows))
        connection.execute(delete(self._topics))
        self.refresh(connection, sorted(addresses), block, as_of)

    def refresh(
        self, connection: Connection, addresses: Sequence[str], block: int | None, as_of: int
    ) -> None:
        """Recompute the rows of `addresses` from the event tables up to `block`."""
        if not addresses:
            return
        p = self._proposals
        snapshots = [
            int(start)
            for (start,) in connection.execute(
                select(p.c.vote_start).where(_upto(p, block), p.c.vote_start <= as_of)
            )
        ]
        for chunk in _chunks(addresses):
            rows, topics = self._rows_for(connection, chunk, block, as_of, snapshots)
            connection.execute(delete(self._rows).where(self._rows.c.address.in_(chunk)))
            connection.execute(delete(self._topics).where(self._topics.c.address.in_(chunk)))
            bulk_insert(connection, self._rows, rows)
            bulk_insert(connection, self._topics, topics)

    def _rows_for(
        self,
        connection: Connection,
        chunk: Sequence[str],
        block: int | None,
        as_of: int,
        snapshots: list[int],
    ) -> tuple[list[Row], list[Row]]:
        w = self._power
        stamps: dict[str, list[int]] = defaultdict(list)
        powers: dict[str, list[int]] = defaultdict(list)
        for delegate, stamp, votes in connection.execute(
            select(w.c.delegate, w.c.block_timestamp, w.c.new_votes)
            .where(w.c.delegate.in_(chunk), _upto(w, block))
            .order_by(w.c.delegate, w.c.block_number, w.c.log_index)
        ):
            stamps[delegate].append(int(stamp))
            powers[delegate].append(int(votes))
        s = self._statements
        statement_rows: dict[str, list[Any]] = defaultdict(list)
        for row in connection.execute(
            select(s)
            .where(s.c.delegate.in_(chunk), _upto(s, block))
            .order_by(s.c.block_number, s.c.log_index)
        ).mappings():
            statement_rows[row["delegate"]].append(row)
        v = self._votes
        votes_cast: dict[str, int] = defaultdict(int)
        last_vote: dict[str, int] = defaultdict(int)
        for voter, weight, stamp in connection.execute(
            select(v.c.voter, v.c.weight, v.c.block_timestamp).where(
                v.c.voter.in_(chunk), _upto(v, block)
            )
        ):
            votes_cast[voter] += int(int(weight) > 0)
            last_vote[voter] = max(last_vote[voter], int(stamp))
        c = self._current
        counts = select(c.c.delegate, func.count()).where(c.c.delegate.in_(chunk))
        delegators: dict[str, int] = dict(connection.execute(counts.group_by(c.c.delegate)).all())
        statements = {a: replay_statement(r) for a, r in statement_rows.items()}
        digests = [st.digest for st in statements.values() if st is not None]
        names: dict[str, str] = {}
        if digests:
            names = dict(
                connection.execute(
                    select(self._documents.c.digest, self._documents.c.name).where(
                        self._documents.c.digest.in_(digests)
                    )
                ).all()
            )
        rows: list[Row] = []
        topic_rows: list[Row] = []
        for address in chunk:
            history = PowerHistory(stamps.get(address, []), powers.get(address, []))
            statement = statements.get(address)
            if not history.votes and address not in statement_rows:
                continue
            window = week_window(history, as_of)
            eligible = eligible_proposals(history, snapshots, as_of)
            topics = statement.topics if statement else []
            name = names.get(statement.digest, "") if statement else ""
            rows.append(
                {
                    "address": address,
                    "listed": history.now > 0 or statement is not None,
                    "voting_power": history.now,
                    "power_tokens": history.now / 10**18,
                    "random_draw": random_draw(address, RANDOM_BITS),
                    "power_7d_ago": window.power_week_ago,
                    "power_change_key": history.now - window.power_week_ago + CHANGE_OFFSET,
                    "window_expires_at": window.expires_at,
                    "delegator_count": int(delegators.get(address, 0)),
                    "votes_cast": votes_cast.get(address, 0),
                    "eligible_proposals": eligible,
                    "participation_bp": participation_bp(votes_cast.get(address, 0), eligible),
                    "last_vote_at": last_vote.get(address, 0),
                    "has_statement": statement is not None,
                    "seeking_delegation": bool(statement and statement.seeking_delegation),
                    "statement_version": _last_version(statement_rows.get(address, [])),
                    "statement_uri": statement.uri if statement else None,
                    "statement_digest": statement.digest if statement else None,
                    "statement_updated_at": statement.updated_at if statement else None,
                    "topics": json.dumps(topics),
                    "name": name,
                    "search_text": search_text(address, name, topics),
                }
            )
            topic_rows.extend(
                {"topic": topic, "address": address} for topic in {t.lower() for t in topics}
            )
        return rows, topic_rows

    # -- pieces -------------------------------------------------------------------------------

    def _set_current(self, connection: Connection, latest: Iterable[Row]) -> None:
        keep: list[Row] = []
        drop: list[str] = []
        for row in latest:
            if row["to_delegate"] == ZERO_ADDRESS:
                drop.append(row["delegator"])
            else:
                keep.append(
                    {
                        "delegator": row["delegator"],
                        "delegate": row["to_delegate"],
                        "since_block": row["block_number"],
                        "since_timestamp": row["block_timestamp"],
                    }
                )
        for chunk in _chunks(drop):
            connection.execute(delete(self._current).where(self._current.c.delegator.in_(chunk)))
        bulk_upsert(connection, self._current, keep, ["delegator"])

    def _settled(
        self, connection: Connection, new_proposals: list[Row], old_as_of: int, as_of: int
    ) -> int:
        """How many proposals' snapshots passed with this batch."""
        p = self._proposals
        count = int(
            connection.execute(
                select(func.count()).where(p.c.vote_start > old_as_of, p.c.vote_start <= as_of)
            ).scalar()
            or 0
        )
        # A proposal whose snapshot is not after the clock already stood (delay 0).
        return count + sum(1 for row in new_proposals if int(row["vote_start"]) <= old_as_of)

    def _count_settled(self, connection: Connection, settled: int) -> None:
        r = self._rows
        connection.execute(
            update(r)
            .where(r.c.voting_power > 0)
            .values(
                eligible_proposals=r.c.eligible_proposals + settled,
                participation_bp=(r.c.votes_cast * 10_000) / (r.c.eligible_proposals + settled),
            )
        )

    def _supply_delta(self, connection: Connection, transfers: Iterable[Any]) -> int:
        token = connection.execute(
            select(self._contracts.c.address).where(self._contracts.c.name == _VOTES_TOKEN)
        ).scalar()
        delta = 0
        for transfer in transfers:
            if transfer["token"] != token:
                continue
            if transfer["from_address"] == ZERO_ADDRESS:
                delta += int(transfer["value"])
            if transfer["to_address"] == ZERO_ADDRESS:
                delta -= int(transfer["value"])
        return delta

    def _load_clock(self, connection: Connection) -> tuple[int, int]:
        row = connection.execute(select(self._clock.c.as_of, self._clock.c.total_supply)).first()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def _save_clock(self, connection: Connection, as_of: int, supply: int) -> None:
        bulk_upsert(
            connection, self._clock, [{"id": 1, "as_of": as_of, "total_supply": supply}], ["id"]
        )


def _last_version(rows: list[Any]) -> int:
    versions = [int(row["version"]) for row in rows if row["version"] is not None]
    return max(versions, default=0)
