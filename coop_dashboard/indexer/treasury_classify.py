"""File each treasury movement of a batch under a category and the proposal that caused it.

Runs after the handlers and the ETH inflow finder, over the whole batch (a
transaction's logs are always in one batch: ranges are whole blocks):
- ETH a contract pushed to the treasury by an internal call, announced by an
  event of `ETH_PUSH_EVENTS` (a slashed bond), is booked under that event's
  transaction, log and contract instead of as an anonymous `eth_internal` row;
- the proposal is the one whose `ProposalExecuted` is in the movement's
  transaction (Governor.execute is the only way the timelock runs a call);
- the category comes from `CLASSIFIERS` (the counterparty's event in the same
  transaction), then mints (tokens from the zero address), then proposal
  payments, else "other".
"""

from __future__ import annotations

import logging
from collections import defaultdict

from coop_dashboard.db.chain_tables import TreasuryMovement
from coop_dashboard.db.treasury_categories import (
    CLASSIFIERS,
    ETH_PUSH_EVENTS,
    ETH_PUSH_RECIPIENTS,
    Category,
)
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import Row, RowSink

log = logging.getLogger("coop.indexer")

GOVERNOR = "CoopGovernor"
TIMELOCK = "CoopTimelock"


def classify_movements(decoded: list[DecodedLog], sink: RowSink) -> None:
    """Set `category` and `proposal_id` on every TreasuryMovement row of the batch."""
    rows = sink.of(TreasuryMovement)
    if not rows:
        return
    _book_pushed_eth(decoded, rows)
    proposal_of_tx: dict[str, int] = {}
    logs_of_tx: dict[str, list[DecodedLog]] = defaultdict(list)
    for item in decoded:
        if item.contract == GOVERNOR and item.event == "ProposalExecuted":
            proposal_of_tx[item.tx_hash] = item.args["proposalId"]
        elif (item.contract or "", item.event or "") in CLASSIFIERS:
            logs_of_tx[item.tx_hash].append(item)
    for row in rows:
        tx_hash = row.get("tx_hash")
        proposal_id = proposal_of_tx.get(tx_hash) if tx_hash else None
        row["proposal_id"] = proposal_id
        row["category"] = _category(row, proposal_id, logs_of_tx.get(tx_hash or "", []))


def _category(row: Row, proposal_id: int | None, classified: list[DecodedLog]) -> Category:
    counterparty = row.get("counterparty")
    for item in classified:
        if item.address == counterparty:
            return CLASSIFIERS[(item.contract or "", item.event or "")]
    if row["direction"] == "in" and row["asset"] != "eth" and counterparty == ZERO_ADDRESS:
        return Category.MINT
    if row["direction"] == "out" and proposal_id is not None:
        return Category.PROPOSAL_TRANSFER
    return Category.OTHER


def _book_pushed_eth(decoded: list[DecodedLog], rows: list[Row]) -> None:
    """Replace the anonymous internal ETH inflow of a block by the pushes its events announce."""
    internal = {
        row["block_number"]: row
        for row in rows
        if row["asset"] == "eth" and row["source"] == "eth_internal"
    }
    if not internal:
        return
    # The treasury acts only through the timelock, which logs every call it executes.
    timelock_of_tx = {item.tx_hash: item.address for item in decoded if item.contract == TIMELOCK}
    pushes: dict[int, list[tuple[DecodedLog, int]]] = defaultdict(list)
    for item in decoded:
        key = (item.contract or "", item.event or "")
        argument = ETH_PUSH_EVENTS.get(key)
        if argument is None or item.block_number not in internal or item.args[argument] <= 0:
            continue
        recipient = ETH_PUSH_RECIPIENTS.get(key)
        if recipient is not None and (
            item.args[recipient[0]] != timelock_of_tx.get(item.tx_hash)
            or item.args[recipient[1]] != ZERO_ADDRESS
        ):
            continue  # paid to someone else, or not in ETH
        pushes[item.block_number].append((item, item.args[argument]))
    for block_number, found in pushes.items():
        row = internal[block_number]
        pushed = sum(amount for _, amount in found)
        if pushed > row["amount"]:
            log.warning(
                "block %d: events announce %d wei pushed to the treasury, only %d arrived",
                block_number,
                pushed,
                row["amount"],
            )
            continue
        for item, amount in found:
            rows.append(
                {
                    "block_number": block_number,
                    "log_index": item.log_index,
                    "asset": "eth",
                    "direction": "in",
                    "counterparty": item.address,
                    "amount": amount,
                    "source": "eth_push",
                    "tx_hash": item.tx_hash,
                    "block_timestamp": item.block_timestamp,
                }
            )
        row["amount"] -= pushed
        if row["amount"] == 0:
            rows.remove(row)
