"""Only governance (the timelock) can change parameters or move treasury funds,
and the deployer keeps no power after deployment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.transact import Sender
from coop_dashboard.evm import ZERO_ADDRESS
from tests.support.chains import Chain
from tests.support.governance import pass_proposal
from tests.support.reverts import decoder_for, revert_of

# (contract, function) -> (arguments builder, expected custom error for outsiders)
Builder = Callable[[dict[str, Contract], str], list[Any]]
PRIVILEGED: dict[tuple[str, str], tuple[Builder, str]] = {
    ("CoopToken", "mint"): (lambda c, who: [who, 1 * TOKEN], "OwnableUnauthorizedAccount"),
    ("CoopToken", "transferOwnership"): (lambda c, who: [who], "OwnableUnauthorizedAccount"),
    # Disabled for the owner too (CoopTokenRenounceDisabled, tests/chain/test_token_supply.py).
    ("CoopToken", "renounceOwnership"): (lambda c, who: [], "OwnableUnauthorizedAccount"),
    # Two-step ownership: only the pending owner (none after deployment) accepts.
    ("CoopToken", "acceptOwnership"): (lambda c, who: [], "OwnableUnauthorizedAccount"),
    ("CoopGovernor", "setVotingDelay"): (lambda c, who: [60], "GovernorOnlyExecutor"),
    ("CoopGovernor", "setVotingPeriod"): (lambda c, who: [600], "GovernorOnlyExecutor"),
    ("CoopGovernor", "setProposalThreshold"): (lambda c, who: [0], "GovernorOnlyExecutor"),
    ("CoopGovernor", "updateQuorumNumerator"): (lambda c, who: [1], "GovernorOnlyExecutor"),
    ("CoopGovernor", "setLateQuorumVoteExtension"): (lambda c, w: [0], "GovernorOnlyExecutor"),
    ("CoopGovernor", "updateTimelock"): (lambda c, who: [who], "GovernorOnlyExecutor"),
    ("CoopGovernor", "relay"): (lambda c, who: [who, 1, b""], "GovernorOnlyExecutor"),
    ("CoopTimelock", "updateDelay"): (lambda c, who: [0], "TimelockUnauthorizedCaller"),
    ("CoopTimelock", "schedule"): (
        lambda c, who: [who, 10**18, b"", b"\0" * 32, b"\1" * 32, 2 * 86_400],
        "AccessControlUnauthorizedAccount",
    ),
    ("CoopTimelock", "scheduleBatch"): (
        lambda c, who: [[who], [10**18], [b""], b"\0" * 32, b"\1" * 32, 2 * 86_400],
        "AccessControlUnauthorizedAccount",
    ),
    ("CoopTimelock", "cancel"): (lambda c, who: [b"\1" * 32], "AccessControlUnauthorizedAccount"),
    # Only the governor executes: every execution goes through Governor.execute.
    ("CoopTimelock", "execute"): (
        lambda c, who: [who, 0, b"", b"\0" * 32, b"\1" * 32],
        "AccessControlUnauthorizedAccount",
    ),
    ("CoopTimelock", "executeBatch"): (
        lambda c, who: [[who], [0], [b""], b"\0" * 32, b"\1" * 32],
        "AccessControlUnauthorizedAccount",
    ),
    ("CoopTimelock", "grantRole"): (
        lambda c, who: [c["CoopTimelock"].functions.PROPOSER_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
    ("CoopTimelock", "revokeRole"): (
        lambda c, who: [
            c["CoopTimelock"].functions.PROPOSER_ROLE().call(),
            c["CoopGovernor"].address,
        ],
        "AccessControlUnauthorizedAccount",
    ),
    ("DatasetRegistry", "setMinimumBond"): (lambda c, w: [0], "AccessControlUnauthorizedAccount"),
    ("DatasetRegistry", "setBondWaitingPeriod"): (
        lambda c, who: [0],
        "AccessControlUnauthorizedAccount",
    ),
    ("DatasetRegistry", "delist"): (
        lambda c, who: [1, "bafyreason"],
        "AccessControlUnauthorizedAccount",
    ),
    ("DatasetRegistry", "grantRole"): (
        lambda c, who: [c["DatasetRegistry"].functions.CURATOR_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
    ("DatasetRegistry", "revokeRole"): (
        lambda c, who: [c["DatasetRegistry"].functions.CURATOR_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
    # Curators only (a role governance grants): outsiders are refused by role.
    ("DatasetRegistry", "attest"): (lambda c, w: [1, 50, ""], "AccessControlUnauthorizedAccount"),
    ("DatasetRegistry", "updateAttestation"): (
        lambda c, who: [1, 50, ""],
        "AccessControlUnauthorizedAccount",
    ),
    ("DataLicensing", "setShares"): (
        lambda c, who: [100, 100, 100],
        "AccessControlUnauthorizedAccount",
    ),
    ("DataLicensing", "setCurrencyAllowed"): (
        lambda c, who: [c["CoopToken"].address, True],
        "AccessControlUnauthorizedAccount",
    ),
    ("DataLicensing", "revokePass"): (
        lambda c, who: [1, "bafyreason"],
        "AccessControlUnauthorizedAccount",
    ),
    ("DataLicensing", "grantRole"): (
        lambda c, who: [c["DataLicensing"].functions.DEFAULT_ADMIN_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
    ("DataLicensing", "revokeRole"): (
        lambda c, who: [
            c["DataLicensing"].functions.DEFAULT_ADMIN_ROLE().call(),
            c["CoopTimelock"].address,
        ],
        "AccessControlUnauthorizedAccount",
    ),
    ("JobBoard", "setAssetAllowed"): (
        lambda c, who: [c["CoopToken"].address, True],
        "AccessControlUnauthorizedAccount",
    ),
    ("JobBoard", "setChallengeBond"): (lambda c, w: [1], "AccessControlUnauthorizedAccount"),
    ("JobBoard", "setChallengerShare"): (lambda c, w: [1], "AccessControlUnauthorizedAccount"),
    ("JobBoard", "setEscalationPeriod"): (lambda c, w: [60], "AccessControlUnauthorizedAccount"),
    # Arbiters are appointed by governance alone.
    ("JobBoard", "grantRole"): (
        lambda c, who: [c["JobBoard"].functions.ARBITER_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
    ("JobBoard", "revokeRole"): (
        lambda c, who: [c["JobBoard"].functions.ARBITER_ROLE().call(), who],
        "AccessControlUnauthorizedAccount",
    ),
}

# Functions anyone may call by design (each guarded by its own rules, not by role).
PUBLIC: set[tuple[str, str]] = {
    *(
        ("CoopToken", f)
        for f in (
            "approve",
            "transfer",
            "transferFrom",
            "delegate",
            "delegateBySig",
            "permit",
        )
    ),
    *(
        ("CoopGovernor", f)
        for f in (
            "propose",
            "queue",
            "execute",
            "cancel",
            "castVote",
            "castVoteWithReason",
            "castVoteWithReasonAndParams",
            "castVoteBySig",
            "castVoteWithReasonAndParamsBySig",
            "onERC721Received",
            "onERC1155Received",
            "onERC1155BatchReceived",
        )
    ),
    *(
        ("CoopTimelock", f)
        for f in (
            "renounceRole",
            "onERC721Received",
            "onERC1155Received",
            "onERC1155BatchReceived",
        )
    ),
    *(
        ("DelegateRegistry", f)
        for f in (
            "publishStatement",
            "setSeekingDelegation",
            "clearStatement",
        )
    ),
    # register (bonded), withdrawBond (own token only), pause/resume (contributor or
    # governance), renounceRole (own role only) and the ERC-721 transfers and approvals.
    *(
        ("DatasetRegistry", f)
        for f in (
            "register",
            "withdrawBond",
            "pauseLicensing",
            "resumeLicensing",
            "renounceRole",
            "approve",
            "setApprovalForAll",
            "transferFrom",
            "safeTransferFrom",
        )
    ),
    # Tiers and declarations (the dataset's contributor only), buying and renewing (paid;
    # with a permit only the caller's own tokens: tests/chain/test_data_licensing_permit.py),
    # withdrawing (own credits only), renounceRole (own role only). Pass transfers and
    # approvals are `pure` and always revert (soulbound), so they are not listed.
    *(
        ("DataLicensing", f)
        for f in (
            "setTier",
            "setTierActive",
            "declareLicense",
            "buy",
            "renew",
            "buyWithPermit",
            "renewWithPermit",
            "withdraw",
            "renounceRole",
        )
    ),
    # Jobs: each guarded by the job's own rules (poster, provider, deadlines, status);
    # resolveChallenge by ARBITER_ROLE, then governance once escalated (refusals in
    # tests/chain/test_job_board.py); withdraw (own credits only).
    *(
        ("JobBoard", f)
        for f in (
            "postJob",
            "placeBid",
            "withdrawBid",
            "acceptBid",
            "cancelJob",
            "reopenJob",
            "refundMissedDelivery",
            "submitResult",
            "challengeResult",
            "resolveChallenge",
            "finalizeJob",
            "withdraw",
            "renounceRole",
        )
    ),
}


def _contracts(chain: Chain, deployment: Deployment) -> dict[str, Contract]:
    return {name: deployment.contract(chain.w3, name) for name in deployment.contracts}


def _function(contract: Contract, name: str, args: list[Any]) -> ContractFunction:
    return contract.get_function_by_name(name)(*args)


def test_every_state_changing_function_is_classified(
    compiled_artifacts: dict[str, Artifact],
) -> None:
    """A new external function must be added to PRIVILEGED or PUBLIC (and so be tested)."""
    for name in (
        "CoopToken",
        "CoopGovernor",
        "CoopTimelock",
        "DelegateRegistry",
        "DatasetRegistry",
        "DataLicensing",
        "JobBoard",
    ):
        for entry in compiled_artifacts[name].abi:
            if entry["type"] != "function" or entry["stateMutability"] in ("view", "pure"):
                continue
            key = (name, entry["name"])
            assert key in PRIVILEGED or key in PUBLIC, f"unclassified function {key}"


@pytest.mark.parametrize("key", sorted(PRIVILEGED), ids=lambda k: f"{k[0]}.{k[1]}")
def test_outsiders_are_refused(
    key: tuple[str, str],
    chain: Chain,
    deployment: Deployment,
    compiled_artifacts: dict[str, Artifact],
) -> None:
    contracts = _contracts(chain, deployment)
    build, expected_error = PRIVILEGED[key]
    decoder = decoder_for(compiled_artifacts)
    member = chain.w3.eth.accounts[5]
    for outsider in (deployment.deployer, member):
        function = _function(contracts[key[0]], key[1], build(contracts, outsider))
        decoded = revert_of(decoder, function, outsider)
        assert decoded is not None, f"{key} succeeded for {outsider}"
        assert decoded.name == expected_error, f"{key}: {decoded}"
        assert outsider in decoded.args or key[0] == "CoopTimelock" and key[1] == "updateDelay"


@pytest.mark.parametrize(
    "key",
    [
        ("CoopToken", "mint"),
        ("CoopToken", "transferOwnership"),
        ("CoopTimelock", "updateDelay"),
        ("DatasetRegistry", "setMinimumBond"),
        ("DatasetRegistry", "grantRole"),
        ("DataLicensing", "setShares"),
        ("DataLicensing", "setCurrencyAllowed"),
        ("JobBoard", "setChallengeBond"),
        ("JobBoard", "grantRole"),
    ],
    ids=lambda k: f"{k[0]}.{k[1]}",
)
def test_the_timelock_is_allowed(
    key: tuple[str, str], chain: Chain, deployment: Deployment
) -> None:
    """The same calls succeed from the timelock (so "refused" is not "broken")."""
    contracts = _contracts(chain, deployment)
    timelock = deployment.address("CoopTimelock")
    build, _ = PRIVILEGED[key]
    function = _function(contracts[key[0]], key[1], build(contracts, chain.w3.eth.accounts[5]))
    function.call({"from": timelock})  # raises if it reverts


def test_governance_changes_governor_settings(chain: Chain, deployment: Deployment) -> None:
    """Governor setters only work through a proposal executed by the timelock (a direct
    call, even from the timelock, is not a governance call)."""
    w3 = chain.w3
    governor = deployment.contract(w3, "CoopGovernor")
    calls = [
        ("setVotingDelay", [3_600]),
        ("setVotingPeriod", [3 * 86_400]),
        ("setProposalThreshold", [5_000 * TOKEN]),
        ("updateQuorumNumerator", [6]),
        ("setLateQuorumVoteExtension", [7_200]),
    ]
    calldatas = [bytes.fromhex(governor.encode_abi(name, args=args)[2:]) for name, args in calls]
    voter = Sender.unlocked(w3, w3.eth.accounts[6])
    pass_proposal(
        w3,
        deployment,
        voter,
        [governor.address] * len(calls),
        [0] * len(calls),
        calldatas,
        "# Tune the governor\n\nNew settings.",
    )
    settings = governor.functions
    assert settings.votingDelay().call() == 3_600
    assert settings.votingPeriod().call() == 3 * 86_400
    assert settings.proposalThreshold().call() == 5_000 * TOKEN
    assert settings.quorumNumerator().call() == 6
    assert settings.lateQuorumVoteExtension().call() == 7_200


def test_deployer_keeps_no_power(chain: Chain, deployment: Deployment) -> None:
    contracts = _contracts(chain, deployment)
    timelock = contracts["CoopTimelock"].functions
    governor = deployment.address("CoopGovernor")
    roles = {
        "admin": timelock.DEFAULT_ADMIN_ROLE().call(),
        "proposer": timelock.PROPOSER_ROLE().call(),
        "executor": timelock.EXECUTOR_ROLE().call(),
        "canceller": timelock.CANCELLER_ROLE().call(),
    }
    for role in roles.values():
        assert not timelock.hasRole(role, deployment.deployer).call()
    assert timelock.hasRole(roles["admin"], deployment.address("CoopTimelock")).call()
    assert timelock.hasRole(roles["proposer"], governor).call()
    assert timelock.hasRole(roles["canceller"], governor).call()
    assert timelock.hasRole(roles["executor"], governor).call()
    assert not timelock.hasRole(roles["executor"], ZERO_ADDRESS).call()
    assert contracts["CoopToken"].functions.owner().call() == deployment.address("CoopTimelock")
    # Owned by the timelock from construction: no transfer is pending for anyone to accept.
    assert contracts["CoopToken"].functions.pendingOwner().call() == ZERO_ADDRESS
    assert contracts["CoopGovernor"].functions.timelock().call() == deployment.address(
        "CoopTimelock"
    )
    assert Web3.is_checksum_address(deployment.deployer)
