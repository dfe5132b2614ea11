"""Predict, before anyone signs, whether a proposal's actions would execute.

How (and why this way): a passed proposal runs as
`governor.execute` -> `timelock.executeBatch` -> each `target.call{value}(data)`,
with the timelock as `msg.sender`, in one transaction, so earlier actions'
effects are visible to later ones. We replay exactly that last hop with one
`eth_call` of `timelock.executeBatch(...)` sent from the governor, plus two
state overrides that stand in for what voting and queueing would have done:

1. the timelock's `_timestamps[operationId]` = 2, i.e. "scheduled and ready";
2. the governor's `_governanceCall` queue holding keccak(calldata) of every
   action that targets the governor itself, in order.

(2) is what makes governor setters (`setVotingPeriod`, `updateQuorumNumerator`,
...) simulable: they are `onlyGovernance`, which with a timelock executor
requires the sender to be the timelock AND the call to be whitelisted in that
queue by `governor.execute`. A plain eth_call from the timelock pops an empty
queue and panics, which would report every valid setter as failing; validating
bounds statically instead would miss any rule we forgot. With the override the
real setter code runs, and its own errors (GovernorInvalidVotingPeriod,
GovernorInvalidQuorumFraction, ...) are what we report.

The storage slots come from solc's storage layout of the suite's contracts
(OZ 5.7, non-upgradeable: plain sequential slots). They are checked against
the live contracts before use (`storage_layout_matches`); on a mismatch we fall
back to per-action calls from the timelock and say that governor calls were not
simulated, instead of guessing.

What it cannot know: state that changes between now and execution (balances
spent by an earlier proposal, a parameter changed meanwhile) and time-dependent
logic (the call runs at the latest block's timestamp).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_abi import encode
from eth_utils import keccak
from web3 import Web3

from coop_dashboard.chain.eth_call import CallOutcome, eth_call, hex_word
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.governance_types import ProposalCall
from coop_dashboard.chain.revert import DecodedRevert

# Governor storage (solc layout of CoopGovernor, OZ 5.7): the Bytes32Deque
# `_governanceCall` packs _begin (low 128 bits) and _end in slot 5; its
# `_data` mapping(uint128 => bytes32) lives at slot 6. Slot 11 is `_timelock`.
GOVERNANCE_CALL_SLOT = 5
GOVERNANCE_CALL_DATA_SLOT = 6
GOVERNOR_TIMELOCK_SLOT = 11
# TimelockController: `_timestamps` mapping(bytes32 => uint256) at slot 1, `_minDelay` at 2.
TIMELOCK_TIMESTAMPS_SLOT = 1
TIMELOCK_MIN_DELAY_SLOT = 2
_READY_TIMESTAMP = 2  # > DONE_TIMESTAMP (1) and <= any block timestamp: "ready"


@dataclass(frozen=True)
class ActionFailure:
    index: int  # which action (0-based) reverted
    revert: DecodedRevert | None  # decoded custom error / Error(string) / Panic
    message: str  # the node's message, for reverts nothing could decode


@dataclass(frozen=True)
class ExecutionSimulation:
    simulated: bool  # False: the override-based simulation could not be used
    failures: tuple[ActionFailure, ...] = ()
    not_simulated: tuple[int, ...] = ()  # actions that could not be checked at all
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.simulated and not self.failures and not self.not_simulated


def storage_layout_matches(chain: GovernanceChain) -> bool:
    """Whether the governor and timelock store what `simulate_execution` assumes, where it
    assumes (checked through two slots whose values we can read independently)."""
    governor = chain.governor.address
    timelock = chain.timelock.address

    def read() -> bool:
        stored_timelock = chain.w3.eth.get_storage_at(governor, GOVERNOR_TIMELOCK_SLOT)
        stored_delay = chain.w3.eth.get_storage_at(timelock, TIMELOCK_MIN_DELAY_SLOT)
        return (
            int.from_bytes(stored_timelock, "big") == int(timelock, 16)
            and int.from_bytes(stored_delay, "big") == chain.timelock.functions.getMinDelay().call()
        )

    return chain.read(read)


def timelock_salt(governor: str, description_hash: bytes) -> bytes:
    """GovernorTimelockControl's salt: bytes20(governor) ^ descriptionHash."""
    padded = bytes.fromhex(governor[2:]) + bytes(12)
    return bytes(a ^ b for a, b in zip(padded, description_hash, strict=True))


def _operation_id(call: ProposalCall, count: int, salt: bytes) -> bytes:
    return keccak(
        encode(
            ["address[]", "uint256[]", "bytes[]", "bytes32", "bytes32"],
            [
                list(call.targets[:count]),
                list(call.values[:count]),
                list(call.calldatas[:count]),
                bytes(32),
                salt,
            ],
        )
    )


def _overrides(chain: GovernanceChain, call: ProposalCall, count: int, salt: bytes) -> dict:
    governor = chain.governor.address
    operation = _operation_id(call, count, salt)
    timestamp_slot = keccak(encode(["bytes32", "uint256"], [operation, TIMELOCK_TIMESTAMPS_SLOT]))
    queue = [
        keccak(data)
        for target, data in zip(call.targets[:count], call.calldatas[:count], strict=True)
        if target.lower() == governor.lower()
    ]
    governor_slots = {hex_word(GOVERNANCE_CALL_SLOT): hex_word(len(queue) << 128)}  # begin 0
    for index, item in enumerate(queue):
        slot = keccak(encode(["uint128", "uint256"], [index, GOVERNANCE_CALL_DATA_SLOT]))
        governor_slots[hex_word(slot)] = hex_word(item)
    return {
        chain.timelock.address: {
            "stateDiff": {hex_word(timestamp_slot): hex_word(_READY_TIMESTAMP)}
        },
        governor: {"stateDiff": governor_slots},
    }


def _execute_prefix(chain: GovernanceChain, call: ProposalCall, count: int) -> CallOutcome:
    salt = timelock_salt(chain.governor.address, call.description_hash)
    data = chain.timelock.encode_abi(
        "executeBatch",
        args=[
            list(call.targets[:count]),
            list(call.values[:count]),
            list(call.calldatas[:count]),
            bytes(32),
            salt,
        ],
    )
    tx = {"from": chain.governor.address, "to": chain.timelock.address, "data": data}
    return eth_call(chain.w3, tx, state_override=_overrides(chain, call, count, salt))


def _failure(chain: GovernanceChain, index: int, outcome: CallOutcome) -> ActionFailure:
    return ActionFailure(index, chain.revert_decoder.decode(outcome.revert_data), outcome.message)


def _per_action_fallback(chain: GovernanceChain, call: ProposalCall) -> ExecutionSimulation:
    """Each action alone, from the timelock; governor-only calls cannot be checked this way."""
    failures: list[ActionFailure] = []
    skipped: list[int] = []
    governor = chain.governor.address.lower()
    for index, (target, value, data) in enumerate(
        zip(call.targets, call.values, call.calldatas, strict=True)
    ):
        if target.lower() == governor:
            skipped.append(index)
            continue
        tx = {
            "from": chain.timelock.address,
            "to": Web3.to_checksum_address(target),
            "data": "0x" + data.hex(),
            "value": hex(value),
        }
        outcome = eth_call(chain.w3, tx)
        if not outcome.success:
            failures.append(_failure(chain, index, outcome))
    return ExecutionSimulation(
        simulated=False,
        failures=tuple(failures),
        not_simulated=tuple(skipped),
        note="The contracts' storage layout is not the one this app knows, so actions were "
        "checked one by one from the timelock and calls to the governor were not checked.",
    )


def simulate_execution(chain: GovernanceChain, call: ProposalCall) -> ExecutionSimulation:
    """Would `call`'s actions execute, now, as the timelock executes them after a vote?"""
    if not call.targets:
        return ExecutionSimulation(simulated=True)
    if not storage_layout_matches(chain):
        return _per_action_fallback(chain, call)
    count = len(call.targets)
    outcome = _execute_prefix(chain, call, count)
    if outcome.success:
        return ExecutionSimulation(simulated=True)
    # Execution stops at the first failing action: find it by growing prefixes
    # (a proposal has at most a handful of actions, so this is a few calls).
    failing = count - 1
    for prefix in range(1, count):
        partial = _execute_prefix(chain, call, prefix)
        if not partial.success:
            outcome, failing = partial, prefix - 1
            break
    note = (
        f"Actions after #{failing + 1} were not checked: execution stops at the first failure."
        if failing < count - 1
        else ""
    )
    return ExecutionSimulation(
        simulated=True, failures=(_failure(chain, failing, outcome),), note=note
    )


@dataclass(frozen=True)
class ProposeSimulation:
    success: bool
    revert: DecodedRevert | None = None
    message: str = ""


def simulate_propose(
    chain: GovernanceChain, proposer: str, call: ProposalCall
) -> ProposeSimulation:
    """`governor.propose(...)` from `proposer` as an eth_call: threshold, duplicates, shape."""
    data = chain.governor.encode_abi(
        "propose",
        args=[list(call.targets), list(call.values), list(call.calldatas), call.description],
    )
    tx = {"from": Web3.to_checksum_address(proposer), "to": chain.governor.address, "data": data}
    outcome = eth_call(chain.w3, tx)
    if outcome.success:
        return ProposeSimulation(True)
    return ProposeSimulation(
        False, chain.revert_decoder.decode(outcome.revert_data), outcome.message
    )
