"""ETH received by the treasury, which no event reports.

The timelock's `receive()` emits nothing, so inflows are found by balance
reconciliation: over blocks a..b, `balance(b) - balance(a-1) + logged outflows`
(CallExecuted values, the only way ETH leaves a TimelockController) is the ETH
received. Inflows are never negative, so when a range sums to zero every block
in it does, and bisection finds the blocks that received ETH with
O(k log n) eth_getBalance calls (k such blocks, usually none). In each such
block, transactions sending ETH straight to the timelock are recorded one by
one (`eth_tx`, with sender and hash); ETH arriving otherwise (from a contract's
internal call) is one `eth_internal` row for the block, sender unknown.

Synthesised rows take negative log indexes (they have no log): -(1 + tx index)
for a transaction, INTERNAL_LOG_INDEX for the rest of the block.

This needs the node to serve balances at past blocks within the scanned range
(anvil and archive nodes do). When it cannot, the range's inflows are skipped
with a warning rather than stalling the indexer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from coop_dashboard.chain.rpc import RpcClient
from coop_dashboard.indexer.handlers.registry import Row

log = logging.getLogger("coop.indexer")

INTERNAL_LOG_INDEX = -(2**31)


class EthInflowFinder:
    """Finds the ETH the treasury received in a block range."""

    def __init__(self, rpc: RpcClient, treasury: str) -> None:
        self._rpc = rpc
        self.treasury = treasury.lower()

    def _balance(self, block: int, known: dict[int, int]) -> int:
        if block < 0:
            return 0
        cached = known.get(block)
        if cached is None:
            cached = int(self._rpc.call("eth_getBalance", [self.treasury, hex(block)]), 16)
            known[block] = cached
        return cached

    def find(
        self,
        first: int,
        last: int,
        balance_before: int,
        balance_after: int,
        outflows: Mapping[int, int],
    ) -> list[Row]:
        """Rows for every inflow in blocks first..last (balances known at first-1 and last)."""
        # Local, not on self: the scanner may prepare two ranges in two threads.
        known = {first - 1: balance_before, last: balance_after}
        prefix_outflows = sorted(outflows.items())

        def outflow_between(low: int, high: int) -> int:
            return sum(value for block, value in prefix_outflows if low <= block <= high)

        def received(low: int, high: int) -> int:
            return (
                self._balance(high, known)
                - self._balance(low - 1, known)
                + outflow_between(low, high)
            )

        blocks: dict[int, int] = {}

        def bisect(low: int, high: int, amount: int) -> None:
            if amount <= 0:
                if amount < 0:
                    log.warning(
                        "treasury ETH in blocks %d..%d fell %d wei more than logged calls sent",
                        low,
                        high,
                        -amount,
                    )
                return
            if low == high:
                blocks[low] = amount
                return
            middle = (low + high) // 2
            left = received(low, middle)
            bisect(low, middle, left)
            bisect(middle + 1, high, amount - left)

        bisect(first, last, balance_after - balance_before + outflow_between(first, last))
        rows: list[Row] = []
        for block_number, amount in sorted(blocks.items()):
            rows.extend(self._attribute(block_number, amount))
        return rows

    def _attribute(self, block_number: int, amount: int) -> list[Row]:
        block = self._rpc.call("eth_getBlockByNumber", [hex(block_number), True])
        timestamp = int(block["timestamp"], 16)
        direct = [
            tx
            for tx in block["transactions"]
            if (tx.get("to") or "").lower() == self.treasury and int(tx["value"], 16) > 0
        ]
        receipts = (
            self._rpc.batch([("eth_getTransactionReceipt", [tx["hash"]]) for tx in direct])
            if direct
            else []
        )
        rows: list[Row] = []
        attributed = 0
        for tx, receipt in zip(direct, receipts, strict=True):
            if receipt is None or int(receipt["status"], 16) != 1:
                continue  # a reverted transaction moved no ETH
            value = int(tx["value"], 16)
            attributed += value
            rows.append(
                {
                    "block_number": block_number,
                    "log_index": -(1 + int(tx["transactionIndex"], 16)),
                    "asset": "eth",
                    "direction": "in",
                    "counterparty": str(tx["from"]).lower(),
                    "amount": value,
                    "source": "eth_tx",
                    "tx_hash": str(tx["hash"]).lower(),
                    "block_timestamp": timestamp,
                }
            )
        if attributed > amount:
            # Cannot happen with a TimelockController (all outflows are logged);
            # keep the reconciled figure rather than the transactions' sum.
            log.warning("block %d: direct ETH transfers exceed the reconciled inflow", block_number)
            rows, attributed = [], 0
        if attributed < amount:
            rows.append(
                {
                    "block_number": block_number,
                    "log_index": INTERNAL_LOG_INDEX,
                    "asset": "eth",
                    "direction": "in",
                    "counterparty": None,
                    "amount": amount - attributed,
                    "source": "eth_internal",
                    "tx_hash": None,
                    "block_timestamp": timestamp,
                }
            )
        return rows
