"""Demo data for a local chain: members, delegations, statements, a funded
treasury, and proposals in every Governor state with votes and reasons.

Everything is deterministic (anvil's default accounts, fixed amounts), so the
demo looks the same on every machine and tests can assert on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.seed_datasets import DemoDataset, seed_datasets
from coop_dashboard.chain.seed_jobs import JobContent, JobsReport, seed_jobs
from coop_dashboard.chain.seed_licensing import LicensingReport, seed_licensing
from coop_dashboard.chain.seed_treasury import seed_treasury_history
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import sha256_digest
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.errors import ChainError
from coop_dashboard.evm import ZERO_ADDRESS

USD = 10**6  # MockStablecoin has 6 decimals
FOR, AGAINST, ABSTAIN = 1, 0, 2


@dataclass(frozen=True)
class MemberSpec:
    name: str
    tokens: int  # whole COOP
    delegate_to: int | None  # index into MEMBERS; itself = self-delegation; None = not delegated
    statement: str | None = None
    topics: tuple[str, ...] = ()
    seeking_delegation: bool = False


MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec(
        "Amara Okafor",
        900_000,
        0,
        "Machine-learning researcher. I vote for open weights, documented datasets and "
        "paying contributors fairly. I publish a rationale for every vote.",
        ("data-governance", "open-weights", "treasury"),
        True,
    ),
    MemberSpec(
        "Bjorn Lindqvist",
        650_000,
        1,
        "I run a 64-GPU cluster for the cooperative. I care about predictable bounties, "
        "fast verification and slashing only for provable fraud.",
        ("compute", "job-board", "verification"),
        True,
    ),
    MemberSpec(
        "Chen Wei",
        500_000,
        2,
        "Data curator. Every dataset we license should have provenance, consent records "
        "and a data card. I will vote against spending that skips evaluation.",
        ("datasets", "provenance", "licensing"),
        False,
    ),
    MemberSpec("Dana Reyes", 420_000, 0),
    MemberSpec(
        "Elif Yilmaz",
        250_000,
        4,
        "Infrastructure engineer. Priorities: reproducible training runs, audited "
        "contracts, and a treasury runway of at least 18 months.",
        ("infrastructure", "security", "treasury"),
        True,
    ),
    MemberSpec("Farid Haddad", 300_000, 1),
    MemberSpec("Grace Mbeki", 180_000, 0),
    MemberSpec("Hiro Tanaka", 120_000, 7),
    MemberSpec("Ines Duarte", 90_000, 2),
    MemberSpec("Jonas Weber", 60_000, 4),
    MemberSpec("Kavya Iyer", 40_000, None),
    MemberSpec("Luca Romano", 25_000, None),
)

# Members whose statements and delegations change during the seed (indexes into MEMBERS).
AMARA, BJORN, ELIF, KAVYA = 0, 1, 4, 10

TREASURY_ETH = 250
TREASURY_USD = 1_250_000


@dataclass(frozen=True)
class ProposalSpec:
    key: str  # the Governor state the seed leaves it in, lower case
    proposer: int
    title: str
    body: str


@dataclass
class SeedReport:
    """What the seed created, for the CLI summary and for tests."""

    members: list[str] = field(default_factory=list)  # addresses, in MEMBERS order
    proposals: dict[str, int] = field(default_factory=dict)  # expected state -> proposal id
    statements: dict[str, str] = field(default_factory=dict)  # address -> statement CID
    datasets: dict[str, int] = field(default_factory=dict)  # demo dataset key -> token id
    licensing: LicensingReport | None = None  # tiers, sales, expired and revoked passes
    jobs: JobsReport | None = None  # job ids by status, models, providers, arbiter


@dataclass(frozen=True)
class _Proposal:
    targets: list[str]
    values: list[int]
    calldatas: list[bytes]
    description: str

    @property
    def description_hash(self) -> bytes:
        return keccak(text=self.description)

    def args(self) -> tuple[list[str], list[int], list[bytes], bytes]:
        return self.targets, self.values, self.calldatas, self.description_hash


def _statement_document(spec: MemberSpec, address: str) -> bytes:
    topics = ", ".join(spec.topics)
    return (
        f"# {spec.name}\n\n**Address:** `{address}`  \n**Topics:** {topics}\n\n{spec.statement}\n"
    ).encode()


def _description(title: str, body: str) -> str:
    return f"# {title}\n\n{body.strip()}\n"


class _Seeder:
    def __init__(self, w3: Web3, deployment: Deployment, store: LocalContentStore) -> None:
        self.w3 = w3
        self.deployment = deployment
        self.store = store
        self.token = deployment.contract(w3, "CoopToken")
        self.governor = deployment.contract(w3, "CoopGovernor")
        self.timelock = deployment.contract(w3, "CoopTimelock")
        self.registry = deployment.contract(w3, "DelegateRegistry")
        self.stablecoin: Contract = deployment.contract(w3, "MockStablecoin")
        accounts = w3.eth.accounts
        if len(accounts) < len(MEMBERS) + 1:
            raise ChainError(
                f"The node has {len(accounts)} unlocked accounts; the seed needs "
                f"{len(MEMBERS) + 1}. Start anvil with --accounts 20 (coop node does)."
            )
        self.deployer = Sender.unlocked(w3, deployment.deployer)
        self.members = [Sender.unlocked(w3, a) for a in accounts[1 : len(MEMBERS) + 1]]
        self.report = SeedReport(members=[m.address for m in self.members])

    def _encode(self, contract: Contract, fn: str, args: list[Any]) -> bytes:
        return bytes.fromhex(contract.encode_abi(fn, args=args)[2:])

    def distribute(self) -> None:
        token = self.token.functions
        for member, spec in zip(self.members, MEMBERS, strict=True):
            self.deployer.call(
                token.transfer(member.address, spec.tokens * TOKEN), what=f"pay {spec.name}"
            )
        remaining = token.balanceOf(self.deployer.address).call()
        # The deployer keeps nothing: the rest of the supply is the treasury's.
        self.deployer.call(
            token.transfer(self.timelock.address, remaining), what="fund treasury (COOP)"
        )
        self.deployer.transfer_eth(
            self.timelock.address, TREASURY_ETH * 10**18, what="fund treasury (ETH)"
        )
        self.deployer.call(
            self.stablecoin.functions.mint(self.timelock.address, TREASURY_USD * USD),
            what="fund treasury (cUSD)",
        )

    def delegate(self) -> None:
        for member, spec in zip(self.members, MEMBERS, strict=True):
            if spec.delegate_to is None:
                continue
            target = self.members[spec.delegate_to].address
            member.call(self.token.functions.delegate(target), what=f"{spec.name} delegates")

    def publish_statements(self) -> None:
        for member, spec in zip(self.members, MEMBERS, strict=True):
            if spec.statement is None:
                continue
            document = _statement_document(spec, member.address)
            cid = self.store.put(document)
            digest = sha256_digest(document)
            member.call(
                self.registry.functions.publishStatement(
                    f"ipfs://{cid}", digest, list(spec.topics), spec.seeking_delegation
                ),
                what=f"{spec.name} publishes a statement",
            )
            self.report.statements[member.address] = cid

    def edit_statement(self, member_index: int, addition: str) -> None:
        """Publish a new version of a member's statement (its history shows the edits)."""
        member, spec = self.members[member_index], MEMBERS[member_index]
        previous = self.store.get(self.report.statements[member.address])
        document = previous + f"\n{addition}\n".encode()
        cid = self.store.put(document)
        member.call(
            self.registry.functions.publishStatement(
                f"ipfs://{cid}", sha256_digest(document), list(spec.topics), True
            ),
            what=f"{spec.name} edits the statement",
        )
        self.report.statements[member.address] = cid

    def clear_statement(self, member_index: int) -> None:
        member = self.members[member_index]
        member.call(self.registry.functions.clearStatement(), what="clear a statement")
        self.report.statements.pop(member.address, None)

    def move_delegation(self, member_index: int, to: int | None) -> None:
        """Re-delegate a member (None: to nobody), so power moves over the seeded weeks."""
        target = ZERO_ADDRESS if to is None else self.members[to].address
        self.members[member_index].call(
            self.token.functions.delegate(target), what="move a delegation"
        )

    def propose(self, spec: ProposalSpec, proposal: _Proposal) -> int:
        proposer = self.members[spec.proposer]
        proposer.call(
            self.governor.functions.propose(
                proposal.targets, proposal.values, proposal.calldatas, proposal.description
            ),
            what=f"propose {spec.title!r}",
        )
        proposal_id: int = self.governor.functions.hashProposal(*proposal.args()).call()
        self.report.proposals[spec.key] = proposal_id
        return proposal_id

    def vote(self, proposal_id: int, voter: int, support: int, reason: str = "") -> None:
        sender = self.members[voter]
        function = (
            self.governor.functions.castVoteWithReason(proposal_id, support, reason)
            if reason
            else self.governor.functions.castVote(proposal_id, support)
        )
        sender.call(function, what=f"{MEMBERS[voter].name} votes on {proposal_id}")

    def params(self, name: str) -> int:
        return int(self.deployment.parameters[name])


def _proposals(seeder: _Seeder) -> dict[str, tuple[ProposalSpec, _Proposal]]:
    """The demo proposals, each with the actions it would execute."""
    m = seeder.members
    stable = seeder.stablecoin
    governor = seeder.governor
    timelock = seeder.timelock
    token = seeder.token
    gov_address = governor.address
    specs = [
        (
            ProposalSpec(
                "executed",
                0,
                "Fund pretraining run: coop-lm-1B on the community corpus",
                "We propose to pay **120,000 cUSD** to Elif Yilmaz's cluster for a 1B-parameter "
                "pretraining run on the cooperative's community corpus (v3, 410B tokens).\n\n"
                "- Budget: 120,000 cUSD, paid up front from the treasury\n"
                "- Deliverables: checkpoints every 10B tokens, evaluation report, training logs\n"
                "- Licence of the resulting weights: Coop Open Weights v1",
            ),
            _Proposal(
                [stable.address],
                [0],
                [seeder._encode(stable, "transfer", [m[4].address, 120_000 * USD])],
                "",
            ),
        ),
        (
            ProposalSpec(
                "queued",
                1,
                "Raise the quorum to 5% of supply",
                "Participation has been above 30% for three months. A 5% quorum makes it "
                "harder for a small group to pass proposals while nobody is watching.",
            ),
            _Proposal(
                [gov_address], [0], [seeder._encode(governor, "updateQuorumNumerator", [5])], ""
            ),
        ),
        (
            ProposalSpec(
                "succeeded",
                0,
                "Grant 25 ETH to the data-cleaning working group",
                "Hiro Tanaka's working group deduplicated and PII-scrubbed 1.2 TB of the speech "
                "corpus. This grant covers storage and annotator stipends for Q1.",
            ),
            _Proposal([m[7].address], [25 * 10**18], [b""], ""),
        ),
        (
            ProposalSpec(
                "defeated",
                0,
                "Shorten the voting period to 2 days",
                "Five days slows us down. Two days is enough for an active membership.",
            ),
            _Proposal(
                [gov_address], [0], [seeder._encode(governor, "setVotingPeriod", [2 * 86_400])], ""
            ),
        ),
        (
            ProposalSpec(
                "canceled",
                4,
                "Mint 200,000 COOP for a contributor rewards pool",
                "Withdrawn by the author: the rewards pool will come from the treasury instead "
                "of new issuance.",
            ),
            _Proposal(
                [token.address],
                [0],
                [seeder._encode(token, "mint", [m[4].address, 200_000 * TOKEN])],
                "",
            ),
        ),
        (
            ProposalSpec(
                "active",
                2,
                "Pay the annotators of the medical-imaging dataset",
                "Pay **18,500 cUSD** to Ines Duarte, who coordinated 14 annotators labelling "
                "42,000 radiology images with double review. Consent records are on file.",
            ),
            _Proposal(
                [stable.address],
                [0],
                [seeder._encode(stable, "transfer", [m[8].address, 18_500 * USD])],
                "",
            ),
        ),
        (
            ProposalSpec(
                "pending",
                1,
                "Extend the timelock delay to 3 days",
                "Gives members a full weekend to react to a queued proposal before it executes.",
            ),
            _Proposal(
                [timelock.address], [0], [seeder._encode(timelock, "updateDelay", [3 * 86_400])], ""
            ),
        ),
    ]
    return {
        spec.key: (
            spec,
            _Proposal(p.targets, p.values, p.calldatas, _description(spec.title, spec.body)),
        )
        for spec, p in specs
    }


def seed_demo(
    w3: Web3,
    deployment: Deployment,
    store: LocalContentStore,
    *,
    treasury_history: bool = False,
    datasets: Sequence[DemoDataset] = (),
    licensing: bool = False,
    jobs: JobContent | None = None,
) -> SeedReport:
    """Fill a freshly deployed local suite with the demo cooperative.

    `treasury_history` first plays a year of treasury activity (seed_treasury.py:
    revenue, monthly grants, a budget, a slashed bond; the clock moves ~360 days),
    as `coop seed` does; tests that count proposals or votes leave it out.
    `datasets` (services/datasets/demo.py builds them) are registered next, with
    one more executed proposal (two curators, one delisting) and attestations;
    `licensing` then sells licenses to them (seed_licensing.py, one more executed
    proposal: a revocation); `jobs` (coop_dashboard/demo/job_content.py builds it)
    then posts training jobs in every status (seed_jobs.py, two more executed
    proposals: an arbiter and treasury-funded jobs; a cancellation and the
    treasury's JobBoard credits withdrawn)."""
    if not devchain.is_dev_node(w3):
        raise ChainError("Seeding needs a local anvil node (it moves the chain's clock).")
    if "MockStablecoin" not in deployment.contracts:
        raise ChainError("Seeding needs the MockStablecoin, deployed only on local chains.")
    seeder = _Seeder(w3, deployment, store)
    token = seeder.token.functions
    if token.balanceOf(deployment.deployer).call() != token.totalSupply().call():
        raise ChainError("This deployment was already seeded or used: seed a fresh deployment.")
    seeder.distribute()
    seeder.delegate()
    seeder.publish_statements()
    # Proposers' votes are read at clock() - 1: delegations must be a second old.
    devchain.increase_time(w3, 1)
    if treasury_history:
        seed_treasury_history(seeder)
    if datasets:
        seeder.report.datasets = seed_datasets(seeder, datasets)
        if licensing:
            seeder.report.licensing = seed_licensing(seeder, seeder.report.datasets)
            if jobs is not None:
                seeder.report.jobs = seed_jobs(seeder, seeder.report.datasets, jobs)

    voting_delay = seeder.params("voting_delay_s")
    voting_period = seeder.params("voting_period_s")
    timelock_delay = seeder.params("timelock_delay_s")
    proposals = _proposals(seeder)
    ids = {
        key: seeder.propose(spec, p)
        for key, (spec, p) in proposals.items()
        if key in ("executed", "queued", "succeeded", "defeated", "canceled")
    }

    canceled = proposals["canceled"][1]
    seeder.members[proposals["canceled"][0].proposer].call(
        seeder.governor.functions.cancel(*canceled.args()), what="cancel proposal"
    )

    devchain.increase_time(w3, voting_delay + 1)
    # History for the delegate pages (after the snapshots above, so no vote's weight moves):
    # Kavya lends her 40,000 COOP to Amara, later to Bjorn, and takes them back at the end;
    # Amara edits her statement twice; Elif clears hers.
    seeder.move_delegation(KAVYA, AMARA)
    seeder.vote(ids["executed"], 0, FOR, "The corpus is ready and the budget is itemised.")
    seeder.vote(ids["executed"], 1, FOR, "Happy to see our cluster used; terms are fair.")
    seeder.vote(ids["executed"], 2, ABSTAIN, "Conflict of interest: I curated part of v3.")
    seeder.vote(ids["executed"], 4, FOR)
    seeder.vote(ids["executed"], 7, AGAINST, "I'd rather fund evaluation first.")
    seeder.vote(ids["queued"], 0, FOR, "Quorum should grow with participation.")
    seeder.vote(ids["queued"], 1, FOR)
    seeder.vote(ids["queued"], 4, AGAINST, "Too early; wait for another quarter of data.")
    seeder.vote(ids["succeeded"], 0, FOR, "The scrubbed corpus is already in use. Well earned.")
    seeder.vote(ids["succeeded"], 2, FOR)
    seeder.vote(ids["succeeded"], 1, AGAINST, "Should be paid in cUSD, not ETH.")
    seeder.vote(ids["defeated"], 0, FOR, "Faster decisions help the job board.")
    seeder.vote(ids["defeated"], 1, AGAINST, "Members in other time zones need the time.")
    seeder.vote(ids["defeated"], 2, AGAINST, "Two days is too short for dataset reviews.")
    seeder.vote(ids["defeated"], 4, AGAINST)

    devchain.increase_time(w3, voting_period + 1)
    seeder.move_delegation(KAVYA, BJORN)
    seeder.edit_statement(AMARA, "Update: I now also publish my votes' rationale on the forum.")
    executed = proposals["executed"][1]
    queued = proposals["queued"][1]
    anyone = seeder.members[11]
    anyone.call(seeder.governor.functions.queue(*executed.args()), what="queue proposal")
    devchain.increase_time(w3, timelock_delay + 1)
    anyone.call(seeder.governor.functions.execute(*executed.args()), what="execute proposal")
    anyone.call(seeder.governor.functions.queue(*queued.args()), what="queue proposal")
    seeder.edit_statement(AMARA, "Second update: I abstain when I have a conflict of interest.")
    seeder.clear_statement(ELIF)

    active_spec, active = proposals["active"]
    active_id = seeder.propose(active_spec, active)
    devchain.increase_time(w3, voting_delay + 1)
    seeder.vote(active_id, 2, FOR, "I reviewed the labels myself: quality is excellent.")
    seeder.vote(active_id, 4, FOR)
    seeder.vote(active_id, 7, AGAINST, "The rate per image is above our guideline.")

    seeder.move_delegation(KAVYA, None)
    pending_spec, pending = proposals["pending"]
    seeder.propose(pending_spec, pending)
    return seeder.report
