"""ERC20 / ERC20Votes events: transfers, delegations, voting power; treasury ERC20 flows."""

from __future__ import annotations

from coop_dashboard.db.chain_tables import (
    Delegation,
    TokenTransfer,
    TreasuryMovement,
    VotingPowerChange,
)
from coop_dashboard.indexer.decoders import FOREIGN_ERC20, DecodedLog
from coop_dashboard.indexer.handlers.registry import (
    HandlerContext,
    HandlerRegistry,
    RowSink,
    log_fields,
)


def on_transfer(log: DecodedLog, context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        TokenTransfer,
        log_fields(log)
        | {
            "token": log.address,
            "from_address": args["from"],
            "to_address": args["to"],
            "value": args["value"],
        },
    )
    on_treasury_transfer(log, context, sink)


def on_treasury_transfer(log: DecodedLog, context: HandlerContext, sink: RowSink) -> None:
    """Any ERC20 Transfer from or to the treasury is a treasury movement."""
    sender, receiver = log.args["from"], log.args["to"]
    treasury = context.treasury
    if sender == receiver:
        return  # a self-transfer moves nothing
    if receiver == treasury:
        direction, counterparty = "in", sender
    elif sender == treasury:
        direction, counterparty = "out", receiver
    else:
        return
    sink.add(
        TreasuryMovement,
        log_fields(log)
        | {
            "asset": log.address,
            "direction": direction,
            "counterparty": counterparty,
            "amount": log.args["value"],
            "source": "erc20_transfer",
        },
    )


def on_delegate_changed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        Delegation,
        log_fields(log)
        | {
            "delegator": args["delegator"],
            "from_delegate": args["fromDelegate"],
            "to_delegate": args["toDelegate"],
        },
    )


def on_delegate_votes_changed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        VotingPowerChange,
        log_fields(log)
        | {
            "delegate": args["delegate"],
            "previous_votes": args["previousVotes"],
            "new_votes": args["newVotes"],
        },
    )


def register_erc20(registry: HandlerRegistry, contract: str) -> None:
    """A token of the manifest: every transfer is kept."""
    registry.register(contract, "Transfer", on_transfer)
    registry.add_event_tables(TokenTransfer, TreasuryMovement)


def register_votes_token(registry: HandlerRegistry, contract: str = "CoopToken") -> None:
    register_erc20(registry, contract)
    registry.register(contract, "DelegateChanged", on_delegate_changed)
    registry.register(contract, "DelegateVotesChanged", on_delegate_votes_changed)
    registry.add_event_tables(Delegation, VotingPowerChange)


def register_foreign_erc20(registry: HandlerRegistry) -> None:
    """Tokens outside the manifest: only their moves of treasury funds are fetched."""
    registry.register(FOREIGN_ERC20, "Transfer", on_treasury_transfer)
    registry.add_event_tables(TreasuryMovement)
