"""Gas of every action of the contract suite, measured on a fresh local anvil.

Usage: .venv/bin/python benchmarks/gas.py [--json]

Deploys the suite (solc 0.8.37, optimizer 200 runs, cancun), runs each action
the dashboard offers once (or a few times where the first call costs more:
cold storage), and prints gasUsed from the receipts beside the anchors the
project compares with: Ocean Protocol's publish / buy measured on the same
anvil (issue 13 / 14), and the governance figures in the toolchain notes.
Governance-only actions of DatasetRegistry are sent by the timelock itself
(impersonated), which is the call an executed proposal makes; the proposal's
own propose / vote / queue / execute costs are listed with the governance rows.
Exits 1 if registering a dataset with two parents costs more than 250,000,
publishing a statement with three topics more than 80,000, or a later buyer's
license purchase with a one-parent split (treasury fee, parent royalty,
contributor) more than 150,000.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.compile import compile_contracts, load_artifacts
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.data_licensing import (
    ETH_CURRENCY,
    LicenseClass,
    Permit,
    TierTerms,
    permit_struct,
    permit_typed_data,
    token_domain,
)
from coop_dashboard.chain.dataset_registry import MAX_PARENTS, Registration
from coop_dashboard.chain.deploy import TOKEN, GovernanceParams, deploy_suite
from coop_dashboard.chain.node import start_anvil
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import PROJECT_ROOT
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest

CONTRACTS_DIR = PROJECT_ROOT / "contracts"
REGISTER_TWO_PARENTS_TARGET = 250_000
# A statement with three topics: the URI and topics are in the event, not in storage.
PUBLISH_STATEMENT_TARGET = 80_000
STATEMENT_TOPICS = ("datasets", "treasury", "open-weights")

# Figures measured elsewhere, printed beside ours (name -> (gas, where from)).
OCEAN_PUBLISH = (1_697_355, "Ocean publish, same anvil (issue 13)")
ANCHORS: dict[str, tuple[int, str]] = {
    "DatasetRegistry.register (source, first)": OCEAN_PUBLISH,
    "DatasetRegistry.register (2 parents)": OCEAN_PUBLISH,
    "CoopToken.delegate (first)": (95_600, "TOOLCHAIN.md"),
    "CoopGovernor.propose": (67_900, "TOOLCHAIN.md (79.1k seeded)"),
    "CoopGovernor.castVote (first, reaches quorum)": (83_200, "TOOLCHAIN.md (first in its column)"),
    "CoopGovernor.castVote (after)": (67_400, "TOOLCHAIN.md (68.7k seeded)"),
    "CoopGovernor.castVoteWithReason": (87_700, "TOOLCHAIN.md, seeded median"),
    "CoopGovernor.castVoteBySig": (97_700, "TOOLCHAIN.md"),
    "CoopGovernor.queue": (146_000, "TOOLCHAIN.md (147.4k seeded)"),
    "CoopGovernor.execute (1 ETH transfer)": (119_600, "TOOLCHAIN.md (121.8k seeded)"),
    "DelegateRegistry.publishStatement": (260_000, "before issue 11 (URI, topics stored)"),
}
# Issue 14: a later buyer of a one-parent dataset, beside Ocean's buy on the same anvil.
BUY_ONE_PARENT_LATER = "DataLicensing.buy (ETH, 1 parent, later buyer)"
BUY_ONE_PARENT_TARGET = 150_000
OCEAN_BUY_FIRST = (368_032, "Ocean buy, first buyer, same anvil (issue 14)")
OCEAN_BUY_LATER = (265_444, "Ocean buy, later buyer, same anvil (issue 14)")
ANCHORS |= {
    "DataLicensing.buy (ETH, 1 parent, first buyer)": OCEAN_BUY_FIRST,
    BUY_ONE_PARENT_LATER: OCEAN_BUY_LATER,
}


@dataclass
class Measured:
    action: str
    gas: int


class GasRun:
    """Sends the actions and keeps their gasUsed, in order."""

    def __init__(self, w3: Web3, deployment: Deployment) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.rows: list[Measured] = []

    def send(self, action: str, who: Sender, function: Any, value: int = 0) -> Any:
        receipt = who.call(function, what=action, value=value)
        self.rows.append(Measured(action, int(receipt["gasUsed"])))
        return receipt

    def contract(self, name: str) -> Contract:
        return self.deployment.contract(self.w3, name)


def _registration(name: str, parents: tuple[int, ...] = (), supersedes: int = 0) -> Registration:
    data = f"{name}: rows of data\n".encode()
    return Registration(
        content_digest=sha256_digest(data),
        data_cid=cid_for_bytes(data),
        card_cid=cid_for_bytes(f'{{"name": "{name}"}}'.encode()),
        modality="tabular",
        tags=("tabular", "benchmark"),
        parents=parents,
        transformation="cleaning" if parents else "source",
        transformation_note_cid=cid_for_bytes(f"{name} note".encode()) if parents else "",
        supersedes=supersedes,
    )


def _impersonate(w3: Web3, address: str) -> Sender:
    w3.provider.make_request("anvil_impersonateAccount", [address])  # type: ignore[arg-type]
    w3.provider.make_request("anvil_setBalance", [address, hex(10**22)])  # type: ignore[arg-type]
    return Sender.unlocked(w3, address)


def measure_governance(run: GasRun, accounts: list[Sender]) -> None:
    w3 = run.w3
    token = run.contract("CoopToken").functions
    governor = run.contract("CoopGovernor")
    deployer = Sender.unlocked(w3, run.deployment.deployer)
    voters = accounts[1:5]
    for index, voter in enumerate(voters):
        label = "CoopToken.transfer (to a new holder)" if index == 0 else None
        # The first voter alone reaches the 4% quorum, so its vote carries the late-quorum
        # bookkeeping and the later votes show the plain cost.
        amount = (500_000 if index == 0 else 50_000) * TOKEN
        receipt = deployer.call(token.transfer(voter.address, amount), what="fund")
        if label:
            run.rows.append(Measured(label, int(receipt["gasUsed"])))
        if index == 0:
            run.send("CoopToken.delegate (first)", voter, token.delegate(voter.address))
        else:
            voter.call(token.delegate(voter.address), what="delegate")
    deployer.transfer_eth(run.deployment.address("CoopTimelock"), 10 * TOKEN, what="fund treasury")
    devchain.increase_time(w3, 1)

    recipient = accounts[9].address
    targets, values, calldatas = [recipient], [1 * TOKEN], [b""]
    description = "# Pay for a GPU week\n\nOne ETH to the compute provider."
    run.send(
        "CoopGovernor.propose",
        voters[0],
        governor.functions.propose(targets, values, calldatas, description),
    )
    description_hash = keccak(text=description)
    proposal_id = governor.functions.hashProposal(
        targets, values, calldatas, description_hash
    ).call()
    devchain.increase_time(w3, governor.functions.votingDelay().call() + 1)
    vote = governor.functions
    run.send(
        "CoopGovernor.castVote (first, reaches quorum)", voters[0], vote.castVote(proposal_id, 1)
    )
    run.send("CoopGovernor.castVote (after)", voters[1], vote.castVote(proposal_id, 1))
    run.send(
        "CoopGovernor.castVoteWithReason",
        voters[2],
        vote.castVoteWithReason(proposal_id, 1, "The provider delivered last time."),
    )
    signature = _ballot_signature(w3, governor, proposal_id, voters[3].address)
    relayer = accounts[6]
    run.send(
        "CoopGovernor.castVoteBySig",
        relayer,
        vote.castVoteBySig(proposal_id, 1, voters[3].address, signature),
    )
    devchain.increase_time(
        w3, vote.proposalDeadline(proposal_id).call() - devchain.latest_timestamp(w3) + 1
    )
    run.send(
        "CoopGovernor.queue", voters[0], vote.queue(targets, values, calldatas, description_hash)
    )
    eta = vote.proposalEta(proposal_id).call()
    devchain.increase_time(w3, eta - devchain.latest_timestamp(w3) + 1)
    run.send(
        "CoopGovernor.execute (1 ETH transfer)",
        voters[0],
        vote.execute(targets, values, calldatas, description_hash),
    )
    registry = run.contract("DelegateRegistry").functions
    for label, document in (
        ("DelegateRegistry.publishStatement", b"# Statement\n"),
        ("DelegateRegistry.publishStatement (edit)", b"# Statement\n\nEdited.\n"),
    ):
        run.send(
            label,
            voters[0],
            registry.publishStatement(
                f"ipfs://{cid_for_bytes(document)}",
                sha256_digest(document),
                list(STATEMENT_TOPICS),
                True,
            ),
        )
    run.send(
        "DelegateRegistry.setSeekingDelegation", voters[0], registry.setSeekingDelegation(False)
    )
    run.send("DelegateRegistry.clearStatement", voters[0], registry.clearStatement())


def _ballot_signature(w3: Web3, governor: Contract, proposal_id: int, voter: str) -> bytes:
    """An EIP-712 Ballot signed by anvil's unlocked `voter` (eth_signTypedData_v4)."""
    _, name, version, chain_id, verifying, _, _ = governor.functions.eip712Domain().call()
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Ballot": [
                {"name": "proposalId", "type": "uint256"},
                {"name": "support", "type": "uint8"},
                {"name": "voter", "type": "address"},
                {"name": "nonce", "type": "uint256"},
            ],
        },
        "primaryType": "Ballot",
        "domain": {
            "name": name,
            "version": version,
            "chainId": chain_id,
            "verifyingContract": verifying,
        },
        "message": {
            "proposalId": str(proposal_id),
            "support": 1,
            "voter": voter,
            "nonce": str(governor.functions.nonces(voter).call()),
        },
    }
    reply = w3.provider.make_request("eth_signTypedData_v4", [voter, json.dumps(typed)])  # type: ignore[arg-type]
    return bytes.fromhex(str(reply["result"])[2:])


def measure_datasets(run: GasRun, accounts: list[Sender], params: GovernanceParams) -> None:
    w3 = run.w3
    registry = run.contract("DatasetRegistry")
    functions = registry.functions
    bond = params.dataset_minimum_bond
    alice, bob = accounts[10], accounts[11]
    governance = _impersonate(w3, run.deployment.address("CoopTimelock"))

    def register(action: str | None, who: Sender, registration: Registration) -> int:
        function = functions.register(registration.as_struct())
        if action is None:
            who.call(function, what="register", value=bond)
        else:
            run.send(action, who, function, value=bond)
        return int(functions.datasetCount().call())

    first = register("DatasetRegistry.register (source, first)", alice, _registration("a"))
    second = register("DatasetRegistry.register (source, next)", alice, _registration("b"))
    register("DatasetRegistry.register (1 parent)", bob, _registration("c", (first,)))
    two = register("DatasetRegistry.register (2 parents)", bob, _registration("d", (first, second)))
    sources = [register(None, alice, _registration(f"s{i}")) for i in range(MAX_PARENTS - 2)]
    parents = (first, second, *sources)
    register("DatasetRegistry.register (16 parents)", bob, _registration("e", parents))
    newer = register(
        "DatasetRegistry.register (superseding its own)",
        alice,
        _registration("a v2", supersedes=first),
    )
    role = functions.CURATOR_ROLE().call()
    curators = accounts[12:14]
    for index, curator in enumerate(curators):
        grant = functions.grantRole(role, curator.address)
        if index == 0:
            run.send("DatasetRegistry.grantRole (curator, by governance)", governance, grant)
        else:
            governance.call(grant, what="grant")
    run.send(
        "DatasetRegistry.attest (first on a dataset)",
        curators[0],
        functions.attest(two, 88, "bafynote"),
    )
    run.send("DatasetRegistry.attest (second curator)", curators[1], functions.attest(two, 70, ""))
    run.send(
        "DatasetRegistry.updateAttestation",
        curators[0],
        functions.updateAttestation(two, 91, "bafynote2"),
    )
    run.send("DatasetRegistry.pauseLicensing (contributor)", alice, functions.pauseLicensing(newer))
    run.send(
        "DatasetRegistry.resumeLicensing (contributor)", alice, functions.resumeLicensing(newer)
    )
    run.send(
        "DatasetRegistry.transferFrom (dataset token)",
        bob,
        functions.transferFrom(bob.address, alice.address, two),
    )
    run.send(
        "DatasetRegistry.setMinimumBond (by governance)",
        governance,
        functions.setMinimumBond(2 * bond),
    )
    run.send(
        "DatasetRegistry.setBondWaitingPeriod (by governance)",
        governance,
        functions.setBondWaitingPeriod(7 * 86_400),
    )
    run.send(
        "DatasetRegistry.delist (by governance, bond to treasury)",
        governance,
        functions.delist(second, "bafkreidelistingreason"),
    )
    devchain.increase_time(w3, params.dataset_bond_waiting_period_s + 1)
    run.send("DatasetRegistry.withdrawBond", alice, functions.withdrawBond(first))


# A key of the benchmark's own: a permit is signed off-chain (anvil's accounts are unlocked).
PERMIT_BUYER_KEY = "0x" + "a1" * 32


def _signed_permit(w3: Web3, token: Contract, owner: Sender, spender: str, value: int) -> Any:
    """`DataLicensing.PermitSignature` for `owner` (a local key) letting `spender` take `value`."""
    domain = token_domain(token)
    assert domain is not None and owner.key is not None
    nonce = int(token.functions.nonces(owner.address).call())
    permit = Permit(owner.address, spender, value, nonce, devchain.latest_timestamp(w3) + 3_600)
    signable = encode_typed_data(full_message=permit_typed_data(domain, permit))
    signature = Account.sign_message(signable, private_key=owner.key.key).signature
    return permit_struct(permit, bytes(signature))


def measure_licensing(run: GasRun, accounts: list[Sender], params: GovernanceParams) -> None:
    """Tiers, purchases (first and later buyer; 1 parent; lineage depth 1..4; cUSD),
    renewal, withdrawal and governance's revocation. Lineages are single-parent chains."""
    w3 = run.w3
    registry = run.contract("DatasetRegistry").functions
    licensing = run.contract("DataLicensing")
    functions = licensing.functions
    cusd = run.contract("MockStablecoin")
    governance = _impersonate(w3, run.deployment.address("CoopTimelock"))
    contributors = accounts[14:19]
    buyers = accounts[5:10]
    price = 10**16

    def register(who: Sender, name: str, parents: tuple[int, ...] = ()) -> int:
        function = registry.register(_registration(name, parents).as_struct())
        who.call(function, what="register", value=registry.minimumBond().call())
        return int(registry.datasetCount().call())

    lineage = [register(contributors[0], "licensed root")]
    for depth in range(1, 5):
        lineage.append(register(contributors[depth], f"licensed d{depth}", (lineage[-1],)))
    declared = LicenseClass("all", attribution=True, share_alike=False).as_struct()
    for dataset in lineage[:-1]:
        owner = Sender.unlocked(w3, registry.contributorOf(dataset).call())
        owner.call(functions.declareLicense(dataset, declared), what="declare")
    tier = TierTerms(price=price).as_struct()
    for depth, dataset in enumerate(lineage):
        owner = Sender.unlocked(w3, registry.contributorOf(dataset).call())
        action = f"DataLicensing.setTier (new tier, {depth} ancestors checked)"
        if depth in (0, 1):
            run.send(action, owner, functions.setTier(dataset, 0, tier))
        else:
            owner.call(functions.setTier(dataset, 0, tier), what="set tier")
    one_parent = lineage[1]
    run.send(
        "DataLicensing.buy (ETH, 1 parent, first buyer)",
        buyers[0],
        functions.buy(one_parent, 0, buyers[0].address),
        value=price,
    )
    run.send(
        BUY_ONE_PARENT_LATER,
        buyers[1],
        functions.buy(one_parent, 0, buyers[1].address),
        value=price,
    )
    run.send(
        "DataLicensing.buy (ETH, 1 parent, for another address)",
        buyers[1],
        functions.buy(one_parent, 0, buyers[3].address),
        value=price,
    )
    buyers[0].call(functions.buy(lineage[0], 0, buyers[0].address), what="buy", value=price)
    run.send(
        "DataLicensing.buy (ETH, source, later buyer)",
        buyers[2],
        functions.buy(lineage[0], 0, buyers[2].address),
        value=price,
    )
    for depth in range(2, 5):
        buyers[0].call(functions.buy(lineage[depth], 0, buyers[0].address), what="buy", value=price)
        # A buyer holding no pass yet, like the 1-parent later buyer: rows stay comparable.
        fresh = _impersonate(w3, Web3.to_checksum_address(f"0x{0xC0FFEE00 + depth:040x}"))
        run.send(
            f"DataLicensing.buy (ETH, lineage depth {depth}, later buyer)",
            fresh,
            functions.buy(lineage[depth], 0, fresh.address),
            value=price,
        )
    token = functions.passId(buyers[1].address, one_parent, 0).call()
    run.send("DataLicensing.renew (unexpired pass)", buyers[1], functions.renew(token), value=price)
    cusd_tier = TierTerms(price=25_000_000, currency=cusd.address).as_struct()
    contributors[1].call(functions.setTier(one_parent, 1, cusd_tier), what="cusd tier")
    for buyer in buyers[3:5]:
        buyer.call(cusd.functions.mint(buyer.address, 10**9), what="faucet")
    buyers[3].call(cusd.functions.approve(licensing.address, 10**9), what="approve")
    run.send(
        "MockStablecoin.approve (before a cUSD buy)",
        buyers[4],
        cusd.functions.approve(licensing.address, 10**9),
    )
    buyers[3].call(functions.buy(one_parent, 1, buyers[3].address), what="buy cusd")
    run.send(
        "DataLicensing.buy (cUSD, 1 parent, later buyer)",
        buyers[4],
        functions.buy(one_parent, 1, buyers[4].address),
    )
    # The same purchase with an EIP-2612 permit instead of the approval: one transaction.
    signer = Sender.from_private_key(w3, PERMIT_BUYER_KEY)
    accounts[0].transfer_eth(signer.address, 10**18, what="gas for the permit buyer")
    signer.call(cusd.functions.mint(signer.address, 10**9), what="faucet")
    run.send(
        "DataLicensing.buyWithPermit (cUSD, 1 parent, later buyer)",
        signer,
        functions.buyWithPermit(
            one_parent,
            1,
            signer.address,
            _signed_permit(w3, cusd, signer, licensing.address, 25_000_000),
        ),
    )
    permit_pass = functions.passId(signer.address, one_parent, 0).call()
    run.send(
        "DataLicensing.renewWithPermit (unexpired pass)",
        signer,
        functions.renewWithPermit(
            permit_pass, _signed_permit(w3, cusd, signer, licensing.address, 25_000_000)
        ),
    )
    run.send("DataLicensing.withdraw (ETH)", contributors[1], functions.withdraw(ETH_CURRENCY))
    run.send("DataLicensing.withdraw (cUSD)", contributors[1], functions.withdraw(cusd.address))
    run.send(
        "DataLicensing.revokePass (by governance)",
        governance,
        functions.revokePass(token, "bafkreirevocationreason"),
    )
    run.send(
        "DataLicensing.setShares (by governance)", governance, functions.setShares(400, 400, 800)
    )


def measure_jobs(run: GasRun, accounts: list[Sender]) -> None:
    """A job's life on two licensed datasets: post (ETH, cUSD), bid, accept (two passes
    checked), submit, finalize (model recorded), challenge and resolve both ways, cancel,
    a missed delivery reopened or refunded, withdrawals."""
    w3 = run.w3
    registry = run.contract("DatasetRegistry").functions
    licensing = run.contract("DataLicensing").functions
    board = run.contract("JobBoard")
    f = board.functions
    cusd = run.contract("MockStablecoin")
    governance = _impersonate(w3, run.deployment.address("CoopTimelock"))
    contributor, poster, challenger, arbiter = accounts[19], accounts[2], accounts[3], accounts[4]
    providers = accounts[10:13]
    datasets = []
    for name in ("job data a", "job data b"):
        function = registry.register(_registration(name).as_struct())
        contributor.call(function, what="register", value=registry.minimumBond().call())
        dataset = int(registry.datasetCount().call())
        tier = TierTerms(price=10**15).as_struct()
        contributor.call(licensing.setTier(dataset, 0, tier), what="tier")
        for provider in providers:
            provider.call(licensing.buy(dataset, 0, provider.address), what="pass", value=10**15)
        datasets.append(dataset)
    run.send(
        "JobBoard.grantRole (arbiter, by governance)",
        governance,
        f.grantRole(f.ARBITER_ROLE().call(), arbiter.address),
    )
    bounty, stake, bond = TOKEN, TOKEN // 10, f.challengeBond().call()

    def terms(asset: str = ETH_CURRENCY, amount: int = bounty) -> tuple[object, ...]:
        now = devchain.latest_timestamp(w3)
        spec = cid_for_bytes(b"job spec")
        return (spec, datasets, 0, asset, amount, now + 86_400, now + 7 * 86_400, stake, 86_400)

    def post(label: str | None = None) -> int:
        function = f.postJob(terms())
        if label:
            run.send(label, poster, function, value=bounty)
        else:
            poster.call(function, what="post", value=bounty)
        return int(f.jobCount().call())

    def bid(job: int, provider: Sender, label: str | None = None) -> None:
        function = f.placeBid(job, bounty // 2, f.jobOf(job).call()[2])
        if label:
            run.send(label, provider, function, value=stake)
        else:
            provider.call(function, what="bid", value=stake)

    checkpoint, metrics = cid_for_bytes(b"checkpoint"), cid_for_bytes(b"metrics")

    def to_review(job: int, label: str | None = None) -> None:
        poster.call(f.acceptBid(job, providers[0].address), what="accept")
        function = f.submitResult(job, checkpoint, metrics, 9_100)
        if label:
            run.send(label, providers[0], function)
        else:
            providers[0].call(function, what="submit")

    job = post("JobBoard.postJob (ETH, 2 datasets)")
    poster.call(cusd.functions.mint(poster.address, 10**9), what="faucet")
    poster.call(cusd.functions.approve(board.address, 10**9), what="approve")
    run.send("JobBoard.postJob (cUSD, 2 datasets)", poster, f.postJob(terms(cusd.address, 10**9)))
    cusd_job = int(f.jobCount().call())
    bid(job, providers[0], "JobBoard.placeBid (first bid)")
    bid(job, providers[1], "JobBoard.placeBid (second bid)")
    run.send(
        "JobBoard.acceptBid (2 passes checked)", poster, f.acceptBid(job, providers[0].address)
    )
    run.send("JobBoard.withdrawBid (not accepted)", providers[1], f.withdrawBid(job))
    run.send("JobBoard.submitResult", providers[0], f.submitResult(job, checkpoint, metrics, 9_100))
    devchain.increase_time(w3, 86_401)
    run.send("JobBoard.finalizeJob (model recorded)", challenger, f.finalizeJob(job))
    for upheld in (True, False):
        job = post()
        bid(job, providers[0])
        to_review(job)
        challenge = f.challengeResult(job, cid_for_bytes(b"evidence"))
        if upheld:
            run.send("JobBoard.challengeResult", challenger, challenge, value=bond)
        else:
            challenger.call(challenge, what="challenge", value=bond)
        label = "upheld, job finalized" if upheld else "provider wrong, stake slashed"
        run.send(
            f"JobBoard.resolveChallenge ({label})",
            arbiter,
            f.resolveChallenge(job, upheld, cid_for_bytes(b"reason")),
        )
    run.send("JobBoard.cancelJob", poster, f.cancelJob(post()))
    missed = [post(), post()]
    for job in missed:
        bid(job, providers[0])
        poster.call(f.acceptBid(job, providers[0].address), what="accept")
    devchain.increase_time(w3, 7 * 86_400 + 1)
    now = devchain.latest_timestamp(w3)
    run.send(
        "JobBoard.reopenJob (missed delivery, slashed)",
        poster,
        f.reopenJob(missed[0], now + 86_400, now + 7 * 86_400),
    )
    run.send("JobBoard.refundMissedDelivery (slashed)", poster, f.refundMissedDelivery(missed[1]))
    run.send("JobBoard.withdraw (ETH)", providers[0], f.withdraw(ETH_CURRENCY))
    poster.call(f.cancelJob(cusd_job), what="cancel the cUSD job")
    run.send("JobBoard.withdraw (cUSD)", poster, f.withdraw(cusd.address))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    compile_contracts(CONTRACTS_DIR)
    artifacts = load_artifacts(CONTRACTS_DIR / "out")
    params = GovernanceParams()
    with tempfile.TemporaryDirectory(prefix="coop-gas-") as directory:
        node = start_anvil(CONTRACTS_DIR, log_path=Path(directory) / "anvil.log")
        try:
            w3 = make_web3(node.rpc_url, timeout_s=30)
            accounts = [Sender.unlocked(w3, a) for a in w3.eth.accounts]
            deployment = deploy_suite(w3, artifacts, accounts[0], params)
            run = GasRun(w3, deployment)
            measure_governance(run, accounts)
            measure_datasets(run, accounts, params)
            measure_licensing(run, accounts, params)
            measure_jobs(run, accounts)
        finally:
            node.stop()
    rows = run.rows
    if args.json:
        print(
            json.dumps(
                {
                    "measured": {row.action: row.gas for row in rows},
                    "anchors": {name: gas for name, (gas, _) in ANCHORS.items()},
                },
                indent=1,
            )
        )
    else:
        width = max(len(row.action) for row in rows)
        print(f"{'action':<{width}}  {'gas':>9}  anchor")
        for row in rows:
            anchor = ANCHORS.get(row.action)
            note = f"{anchor[0]:>9,}  {anchor[1]}" if anchor else ""
            print(f"{row.action:<{width}}  {row.gas:>9,}  {note}")
    measured = {row.action: row.gas for row in rows}
    failed = False
    for action, target in (
        ("DatasetRegistry.register (2 parents)", REGISTER_TWO_PARENTS_TARGET),
        ("DelegateRegistry.publishStatement", PUBLISH_STATEMENT_TARGET),
        (BUY_ONE_PARENT_LATER, BUY_ONE_PARENT_TARGET),
    ):
        if measured[action] > target:
            print(
                f"{action} costs {measured[action]:,} gas, over the {target:,} target",
                file=sys.stderr,
            )
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
