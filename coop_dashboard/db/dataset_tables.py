"""Tables of the dataset registry: what the indexer derives from DatasetRegistry's events,
and the facts of dataset cards read from the content store.

Event tables follow chain_tables' conventions (block_number + log_index in the
primary key, lowercase addresses, a rewind deletes rows above the fork).
`dataset_state`, `dataset_current_attestation` and `dataset_curator` are the
present, recomputed by the indexer from the event tables for every dataset
(or account) a batch or a rewind touches (indexer/handlers/datasets.py), so
the catalog filters and sorts 10,000 datasets with indexes instead of replaying
history per query.

`dataset_card` is keyed by the card's CID: content-addressed facts stay true
whatever happens to the chain or the index, so it is not an indexer table.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, SmallInteger, Text
from sqlmodel import Field, SQLModel

from coop_dashboard.db.chain_tables import ADDRESS_LENGTH, HASH_LENGTH
from coop_dashboard.db.uint256 import Uint256

_TABLE_OPTIONS = {"extend_existing": True, "sqlite_with_rowid": False}
CID_LENGTH = 128  # DatasetRegistry.MAX_CID_LENGTH
LABEL_LENGTH = 32  # DatasetRegistry.MAX_LABEL_LENGTH


class DatasetRecord(SQLModel, table=True):
    """A dataset as registered (DatasetRegistered + the LineageRecorded of the same tx)."""

    __tablename__ = "dataset"
    __table_args__ = (
        Index("ux_dataset_dataset_id", "dataset_id", unique=True),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    contributor: str = Field(max_length=ADDRESS_LENGTH)  # who registered (and bonded)
    supersedes: int | None = Field(default=None, sa_type=BigInteger)
    content_digest: str = Field(max_length=HASH_LENGTH)  # 0x-hex sha-256 of the data
    # CIDs, modality and tags as the chain holds them (sanitised: indexer/chain_text.py).
    data_cid: str = Field(sa_type=Text)
    card_cid: str = Field(sa_type=Text)
    modality: str = Field(sa_type=Text)
    tags: str = Field(sa_type=Text)  # JSON list
    bond: int = Field(sa_type=Uint256)
    bond_unlocks_at: int = Field(sa_type=BigInteger)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class DatasetLineage(SQLModel, table=True):
    """How a dataset was made (LineageRecorded): transformation and its note."""

    __tablename__ = "dataset_lineage"
    __table_args__ = (
        Index("ux_dataset_lineage_dataset_id", "dataset_id", unique=True),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    transformation: str = Field(max_length=16)  # chain/dataset_registry.TRANSFORMATIONS
    note_cid: str = Field(sa_type=Text)
    parent_count: int = Field(sa_type=SmallInteger)


class DatasetParent(SQLModel, table=True):
    """One lineage edge: `child_id` was made from `parent_id` (by `transformation`)."""

    __tablename__ = "dataset_parent"
    __table_args__ = (
        Index("ix_dataset_parent_child", "child_id", "parent_id"),
        Index("ix_dataset_parent_parent", "parent_id", "child_id"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    position: int = Field(sa_type=SmallInteger, primary_key=True)
    child_id: int = Field(sa_type=BigInteger)
    parent_id: int = Field(sa_type=BigInteger)
    transformation: str = Field(max_length=16)


class DatasetTag(SQLModel, table=True):
    """One tag of a dataset (for the catalog's tag filter)."""

    __tablename__ = "dataset_tag"
    __table_args__ = (
        Index("ix_dataset_tag_tag", "tag", "dataset_id"),
        Index("ix_dataset_tag_dataset", "dataset_id"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    position: int = Field(sa_type=SmallInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    tag: str = Field(sa_type=Text)


class DatasetStatusEvent(SQLModel, table=True):
    """A change of a dataset's standing or its bond or holder, in chain order.

    kind: superseded (related_id = the newer version) | licensing_paused
    (by_governance) | licensing_resumed | delisted (reason_cid, amount = bond
    slashed to the treasury) | bond_withdrawn (amount, actor = receiver) |
    transferred (actor = new holder; mints are not listed).
    """

    __tablename__ = "dataset_status_event"
    __table_args__ = (
        Index("ix_dataset_status_event_dataset", "dataset_id", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    kind: str = Field(max_length=20)
    actor: str | None = Field(default=None, max_length=ADDRESS_LENGTH)
    by_governance: bool | None = Field(default=None, sa_type=Boolean)
    related_id: int | None = Field(default=None, sa_type=BigInteger)
    reason_cid: str | None = Field(default=None, sa_type=Text)
    amount: int | None = Field(default=None, sa_type=Uint256)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class DatasetAttestationEvent(SQLModel, table=True):
    """A curator attested a dataset or replaced its attestation."""

    __tablename__ = "dataset_attestation"
    __table_args__ = (
        Index("ix_dataset_attestation_dataset", "dataset_id", "curator"),
        Index("ix_dataset_attestation_curator", "curator"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    dataset_id: int = Field(sa_type=BigInteger)
    curator: str = Field(max_length=ADDRESS_LENGTH)
    kind: str = Field(max_length=10)  # attested | updated
    score: int = Field(sa_type=SmallInteger)
    previous_score: int | None = Field(default=None, sa_type=SmallInteger)
    note_cid: str = Field(sa_type=Text)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class DatasetRoleEvent(SQLModel, table=True):
    """A role of DatasetRegistry granted or revoked (by governance, or renounced)."""

    __tablename__ = "dataset_role_event"
    __table_args__ = (
        Index("ix_dataset_role_event_account", "account", "block_number", "log_index"),
        _TABLE_OPTIONS,
    )

    block_number: int = Field(sa_type=BigInteger, primary_key=True)
    log_index: int = Field(sa_type=BigInteger, primary_key=True)
    role: str = Field(max_length=HASH_LENGTH)  # curator | admin | the role's 0x-hex id
    account: str = Field(max_length=ADDRESS_LENGTH)
    granted: bool = Field(sa_type=Boolean)
    sender: str = Field(max_length=ADDRESS_LENGTH)
    tx_hash: str = Field(max_length=HASH_LENGTH)
    block_timestamp: int = Field(sa_type=BigInteger)


class DatasetState(SQLModel, table=True):
    """Each dataset now: the catalog's row (recomputed by the indexer, see the module doc)."""

    __tablename__ = "dataset_state"
    __table_args__ = (
        Index("ix_dataset_state_status", "status", "dataset_id"),
        Index("ix_dataset_state_quality", "quality", "dataset_id"),
        Index("ix_dataset_state_use_count", "use_count", "dataset_id"),
        Index("ix_dataset_state_modality", "modality", "dataset_id"),
        Index("ix_dataset_state_owner", "owner", "dataset_id"),
        Index("ix_dataset_state_card_cid", "card_cid"),
        Index("ix_dataset_state_license", "license", "dataset_id"),
        _TABLE_OPTIONS,
    )

    dataset_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    contributor: str = Field(max_length=ADDRESS_LENGTH)  # who registered
    owner: str = Field(max_length=ADDRESS_LENGTH)  # holds the token now (the contributor role)
    # active | superseded | licensing_paused | delisted (chain/dataset_registry.STATUSES)
    status: str = Field(max_length=20)
    paused_by_governance: bool = Field(sa_type=Boolean)
    delisted_reason_cid: str | None = Field(default=None, sa_type=Text)
    supersedes: int | None = Field(default=None, sa_type=BigInteger)
    superseded_by: int | None = Field(default=None, sa_type=BigInteger)
    content_digest: str = Field(max_length=HASH_LENGTH)
    data_cid: str = Field(sa_type=Text)
    card_cid: str = Field(max_length=CID_LENGTH)
    modality: str = Field(max_length=LABEL_LENGTH)
    tags: str = Field(sa_type=Text)  # JSON list
    transformation: str = Field(max_length=16)
    parent_count: int = Field(sa_type=SmallInteger)
    # Datasets derived from this one; licenses (issue 14) and jobs (issue 15) add theirs.
    use_count: int = Field(sa_type=BigInteger)
    bond: int = Field(sa_type=Uint256)  # still held by the contract
    bond_unlocks_at: int = Field(sa_type=BigInteger)
    attestation_count: int = Field(sa_type=SmallInteger)
    # Mean current score x 100 (0..10000, exact order); -1 without attestations (not
    # NULL: "best first" is then a plain descending index scan on both engines).
    quality: int = Field(sa_type=BigInteger)
    curator_verified: bool = Field(sa_type=Boolean)  # at least one current attestation
    # Lowercase modality, tags, CIDs and addresses, for the catalog's search.
    search_text: str = Field(sa_type=Text)
    # Copied from dataset_card (by the indexer when it recomputes the row, by
    # save_card_facts when the card is read): the catalog filters and searches
    # one table, without a join over every dataset.
    name: str | None = Field(default=None, sa_type=Text)
    license: str | None = Field(default=None, max_length=128)
    card_text: str | None = Field(default=None, sa_type=Text)  # the card's search_text
    registered_block: int = Field(sa_type=BigInteger)
    registered_at: int = Field(sa_type=BigInteger)
    updated_at: int = Field(sa_type=BigInteger)  # block time of the last change


class DatasetCurrentAttestation(SQLModel, table=True):
    """Each curator's current attestation of each dataset."""

    __tablename__ = "dataset_current_attestation"
    __table_args__ = (
        Index("ix_dataset_current_attestation_curator", "curator"),
        _TABLE_OPTIONS,
    )

    dataset_id: int = Field(sa_type=BigInteger, primary_key=True)
    curator: str = Field(max_length=ADDRESS_LENGTH, primary_key=True)
    score: int = Field(sa_type=SmallInteger)
    note_cid: str = Field(sa_type=Text)
    first_attested_at: int = Field(sa_type=BigInteger)
    attested_at: int = Field(sa_type=BigInteger)  # block time of the current version
    revision: int = Field(sa_type=SmallInteger)  # 1 for the first attestation


class DatasetCurator(SQLModel, table=True):
    """Accounts holding CURATOR_ROLE now."""

    __tablename__ = "dataset_curator"
    __table_args__ = _TABLE_OPTIONS

    account: str = Field(max_length=ADDRESS_LENGTH, primary_key=True)
    granted_at: int = Field(sa_type=BigInteger)


class DatasetCard(SQLModel, table=True):
    """Facts of a dataset card, by its CID (filled by the card service, not the indexer)."""

    __tablename__ = "dataset_card"
    __table_args__ = (
        Index("ix_dataset_card_license", "license"),
        _TABLE_OPTIONS,
    )

    card_cid: str = Field(max_length=CID_LENGTH, primary_key=True)
    name: str = Field(sa_type=Text)
    description: str = Field(sa_type=Text)
    license: str | None = Field(default=None, max_length=128)
    search_text: str = Field(sa_type=Text)  # lowercase name + description + license
    fetched_at: int = Field(sa_type=BigInteger)  # wall clock, unix seconds


# Rewound by block like chain_tables.EVENT_TABLES.
DATASET_EVENT_TABLES: tuple[type[SQLModel], ...] = (
    DatasetRecord,
    DatasetLineage,
    DatasetParent,
    DatasetTag,
    DatasetStatusEvent,
    DatasetAttestationEvent,
    DatasetRoleEvent,
)
# Recomputed from the event tables (and wiped with the index).
DATASET_STATE_TABLES: tuple[type[SQLModel], ...] = (
    DatasetState,
    DatasetCurrentAttestation,
    DatasetCurator,
)
