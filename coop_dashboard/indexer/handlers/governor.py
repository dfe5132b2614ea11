"""CoopGovernor events: proposals, their life cycle, votes, settings."""

from __future__ import annotations

from eth_utils import keccak

from coop_dashboard.chain.proposal_text import proposal_title
from coop_dashboard.db.chain_tables import (
    GovernanceSettingChange,
    Proposal,
    ProposalAction,
    ProposalTransition,
    Vote,
)
from coop_dashboard.indexer.chain_text import exact_bytes
from coop_dashboard.indexer.decoders import DecodedLog
from coop_dashboard.indexer.handlers.registry import (
    Handler,
    HandlerContext,
    HandlerRegistry,
    RowSink,
    log_fields,
)

# Settings events -> the setting's name in gov_setting_change.
SETTING_EVENTS: dict[str, tuple[str, str, str]] = {
    "VotingDelaySet": ("voting_delay", "oldVotingDelay", "newVotingDelay"),
    "VotingPeriodSet": ("voting_period", "oldVotingPeriod", "newVotingPeriod"),
    "ProposalThresholdSet": (
        "proposal_threshold",
        "oldProposalThreshold",
        "newProposalThreshold",
    ),
    "QuorumNumeratorUpdated": ("quorum_numerator", "oldQuorumNumerator", "newQuorumNumerator"),
    "LateQuorumVoteExtensionSet": (
        "late_quorum_extension",
        "oldVoteExtension",
        "newVoteExtension",
    ),
    "TimelockChange": ("timelock", "oldTimelock", "newTimelock"),
}


def on_proposal_created(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    proposal_id = args["proposalId"]
    position = log_fields(log)
    targets = args["targets"]
    description = args["description"]
    sink.add(
        Proposal,
        position
        | {
            "proposal_id": proposal_id,
            "governor": log.address,
            "proposer": args["proposer"],
            "title": proposal_title(description),
            "description": description,
            "description_hash": "0x" + keccak(exact_bytes(description)).hex(),
            "vote_start": args["voteStart"],
            "vote_end": args["voteEnd"],
            "action_count": len(targets),
        },
    )
    for index, (target, value, signature, calldata) in enumerate(
        zip(targets, args["values"], args["signatures"], args["calldatas"], strict=True)
    ):
        sink.add(
            ProposalAction,
            {
                "block_number": log.block_number,
                "log_index": log.log_index,
                "action_index": index,
                "proposal_id": proposal_id,
                "target": target,
                "value": value,
                "signature": signature,
                "calldata": calldata,
            },
        )
    _transition(log, sink, "created")


def _transition(
    log: DecodedLog,
    sink: RowSink,
    kind: str,
    *,
    eta: int | None = None,
    extended_deadline: int | None = None,
) -> None:
    sink.add(
        ProposalTransition,
        log_fields(log)
        | {
            "proposal_id": log.args["proposalId"],
            "kind": kind,
            "eta": eta,
            "extended_deadline": extended_deadline,
        },
    )


def on_proposal_queued(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _transition(log, sink, "queued", eta=log.args["etaSeconds"])


def on_proposal_executed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _transition(log, sink, "executed")


def on_proposal_canceled(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _transition(log, sink, "canceled")


def on_proposal_extended(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    _transition(log, sink, "extended", extended_deadline=log.args["extendedDeadline"])


def on_vote_cast(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
    args = log.args
    sink.add(
        Vote,
        log_fields(log)
        | {
            "proposal_id": args["proposalId"],
            "voter": args["voter"],
            "support": args["support"],
            "weight": args["weight"],
            "reason": args["reason"],
            "params": args.get("params"),
        },
    )


def setting_change_handler(settings: dict[str, tuple[str, str, str]]) -> Handler:
    """A handler writing gov_setting_change rows for `settings` (event -> name, old, new)."""

    def on_setting_changed(log: DecodedLog, _context: HandlerContext, sink: RowSink) -> None:
        assert log.event is not None
        setting, old_name, new_name = settings[log.event]
        sink.add(
            GovernanceSettingChange,
            log_fields(log)
            | {
                "contract": log.address,
                "setting": setting,
                "old_value": str(log.args[old_name]),
                "new_value": str(log.args[new_name]),
            },
        )

    return on_setting_changed


on_setting_changed = setting_change_handler(SETTING_EVENTS)


def register_governor(registry: HandlerRegistry, contract: str = "CoopGovernor") -> None:
    registry.register(contract, "ProposalCreated", on_proposal_created)
    registry.register(contract, "ProposalQueued", on_proposal_queued)
    registry.register(contract, "ProposalExecuted", on_proposal_executed)
    registry.register(contract, "ProposalCanceled", on_proposal_canceled)
    registry.register(contract, "ProposalExtended", on_proposal_extended)
    registry.register(contract, "VoteCast", on_vote_cast)
    registry.register(contract, "VoteCastWithParams", on_vote_cast)
    for event in SETTING_EVENTS:
        registry.register(contract, event, on_setting_changed)
    registry.add_event_tables(
        Proposal, ProposalAction, ProposalTransition, Vote, GovernanceSettingChange
    )
