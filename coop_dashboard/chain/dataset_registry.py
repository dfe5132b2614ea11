"""DatasetRegistry's vocabulary on the Python side: its enums and `register`'s argument.

The enums mirror `DatasetRegistry.Status` and `DatasetRegistry.Transformation`
(order matters: the chain carries their index). The indexer stores the names,
the proposal builder and the seed build `Registration` tuples from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.governance_chain import GovernanceChain

# DatasetRegistry.Transformation, by index.
TRANSFORMATIONS: tuple[str, ...] = (
    "source",
    "cleaning",
    "filtering",
    "augmentation",
    "labeling",
    "split",
    "merge",
    "normalization",
    "deduplication",
    "other",
)
# DatasetRegistry.Status, by index.
STATUSES: tuple[str, ...] = ("active", "superseded", "licensing_paused", "delisted")

MAX_PARENTS = 16
MAX_TAGS = 16
MAX_LABEL_LENGTH = 32
MAX_CID_LENGTH = 128
MAX_SCORE = 100


def transformation_name(index: int) -> str:
    """The name of a Transformation index ("unknown" for an index this code does not know)."""
    return TRANSFORMATIONS[index] if 0 <= index < len(TRANSFORMATIONS) else "unknown"


def transformation_index(name: str) -> int:
    """The index of a Transformation name; ValueError for an unknown one."""
    return TRANSFORMATIONS.index(name)


@dataclass(frozen=True)
class Registration:
    """What `DatasetRegistry.register` takes (its `Registration` struct)."""

    content_digest: bytes
    data_cid: str
    card_cid: str
    modality: str
    tags: tuple[str, ...] = ()
    parents: tuple[int, ...] = ()
    transformation: str = "source"
    transformation_note_cid: str = ""
    supersedes: int = 0

    def as_struct(self) -> tuple[object, ...]:
        """The struct as web3 encodes it (a tuple in declaration order; parents sorted)."""
        return (
            self.content_digest,
            self.data_cid,
            self.card_cid,
            self.modality,
            list(self.tags),
            sorted(self.parents),
            transformation_index(self.transformation),
            self.transformation_note_cid,
            self.supersedes,
        )


REGISTRY_CONTRACT = "DatasetRegistry"


def read_minimum_bond(chain: GovernanceChain) -> int:
    """The registry's minimum bond now, in wei (what `register` must send at least)."""
    registry = chain.contract(REGISTRY_CONTRACT)
    return int(chain.read(lambda: registry.functions.minimumBond().call()))
