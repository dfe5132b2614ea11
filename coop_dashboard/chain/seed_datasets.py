"""The demo's datasets on the chain: registrations with lineage, a new version, two
curators granted and one dataset delisted by an executed proposal, attestations.

What to register comes from above (services/datasets/demo.py builds the files and
cards from real data and stores them); this module only sends the transactions,
in order, and resolves each dataset's parents and predecessor by key. A card
names its parents by id, which exists only once they are registered: each
`DemoDataset.card` is called with the parent ids and returns the card's CID.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eth_utils import keccak

from coop_dashboard.chain import devchain
from coop_dashboard.chain.dataset_registry import REGISTRY_CONTRACT, Registration

if TYPE_CHECKING:
    from coop_dashboard.chain.seed import _Seeder

# Members (seed.MEMBERS indexes) who curate, and who proposes and votes the grant.
CURATORS = (8, 2)  # Ines Duarte, Chen Wei
PROPOSER = 0
VOTERS = (0, 1, 2)
_FOR = 1


@dataclass(frozen=True)
class DemoDataset:
    """One dataset of the demo, ready to register (its files already stored)."""

    key: str
    owner: int  # seed.MEMBERS index
    data_cid: str
    content_digest: bytes  # sha-256 of the data
    card: Callable[[tuple[int, ...]], str]  # parent ids -> the card's CID
    modality: str
    tags: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()  # keys of datasets registered before
    transformation: str = "source"
    note_cid: str = ""
    supersedes: str = ""  # key of the dataset this is a new version of
    # (curator: index into CURATORS, score 0-100, note CID)
    attestations: tuple[tuple[int, int, str], ...] = ()
    delist_reason_cid: str = ""  # delisted by the seed's executed proposal


def seed_datasets(seeder: _Seeder, datasets: Sequence[DemoDataset]) -> dict[str, int]:
    """Register `datasets` in order, pass the curators-and-delisting proposal, attest.

    Returns dataset id by key. The proposal takes the voting delay, the voting
    period and the timelock delay on the chain's clock (about a week by default).
    """
    w3 = seeder.w3
    registry = seeder.deployment.contract(w3, REGISTRY_CONTRACT)
    functions = registry.functions
    bond = int(functions.minimumBond().call())
    ids: dict[str, int] = {}
    for dataset in datasets:
        parents = tuple(ids[key] for key in dataset.parents)
        registration = Registration(
            content_digest=dataset.content_digest,
            data_cid=dataset.data_cid,
            card_cid=dataset.card(parents),
            modality=dataset.modality,
            tags=dataset.tags,
            parents=parents,
            transformation=dataset.transformation,
            transformation_note_cid=dataset.note_cid,
            supersedes=ids[dataset.supersedes] if dataset.supersedes else 0,
        )
        seeder.members[dataset.owner].call(
            functions.register(registration.as_struct()),
            what=f"register dataset {dataset.key}",
            value=bond,
        )
        ids[dataset.key] = int(functions.datasetCount().call())

    role = functions.CURATOR_ROLE().call()
    targets: list[str] = []
    calldatas: list[bytes] = []
    for curator in CURATORS:
        targets.append(registry.address)
        calldatas.append(
            seeder._encode(registry, "grantRole", [role, seeder.members[curator].address])
        )
    delisted = [d for d in datasets if d.delist_reason_cid]
    for dataset in delisted:
        targets.append(registry.address)
        calldatas.append(
            seeder._encode(
                registry, "delist", [ids[dataset.key], f"ipfs://{dataset.delist_reason_cid}"]
            )
        )
    names = ", ".join(f"#{ids[d.key]}" for d in delisted)
    description = (
        "# Appoint two dataset curators; delist " + (names or "nothing") + "\n\n"
        "Ines Duarte and Chen Wei review the datasets members register and attest "
        "their quality. The mirrored digits teach labels that are wrong for most "
        "digits (a mirrored 3 is not a 3): the set is delisted and its bond goes "
        "to the treasury.\n"
    )
    _pass(seeder, targets, calldatas, description)

    for dataset in datasets:
        for curator, score, note_cid in dataset.attestations:
            seeder.members[CURATORS[curator]].call(
                functions.attest(ids[dataset.key], score, note_cid),
                what=f"attest dataset {dataset.key}",
            )
    return ids


def _pass(seeder: _Seeder, targets: list[str], calldatas: list[bytes], description: str) -> None:
    """Propose, vote For, queue and execute one proposal."""
    governor = seeder.governor.functions
    values = [0] * len(targets)
    seeder.members[PROPOSER].call(
        governor.propose(targets, values, calldatas, description), what="propose curators"
    )
    key = (targets, values, calldatas, keccak(text=description))
    proposal_id = int(governor.hashProposal(*key).call())
    devchain.increase_time(seeder.w3, seeder.params("voting_delay_s") + 1)
    for voter in VOTERS:
        seeder.vote(proposal_id, voter, _FOR)
    devchain.increase_time(seeder.w3, seeder.params("voting_period_s") + 1)
    anyone = seeder.members[11]
    anyone.call(governor.queue(*key), what="queue curators")
    devchain.increase_time(seeder.w3, seeder.params("timelock_delay_s") + 1)
    anyone.call(governor.execute(*key), what="execute curators")
