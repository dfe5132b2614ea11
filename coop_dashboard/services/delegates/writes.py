"""Statement and delegation writes: checked on the server, then prepared for the wallet.

Any client can call any handler with any arguments, so everything is validated
here with a sentence a member can act on (ValidationError), before anything is
stored or sent: the document's size, the topics (DelegateRegistry's limits), the
delegate's address, and that the delegator holds tokens. Blocking I/O: call from
a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.config import Settings
from coop_dashboard.content.cid import sha256_digest
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db import delegate_queries as dq
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ValidationError
from coop_dashboard.services.account import prepare_delegation
from coop_dashboard.services.address_input import parse_address_input
from coop_dashboard.services.delegates.directory import token_text
from coop_dashboard.services.delegates.statement import STATEMENT_MAX_BYTES
from coop_dashboard.services.display import short_address
from coop_dashboard.services.transactions import ChainContext, PreparedWrite, prepare_call

MAX_TOPICS = 8  # DelegateRegistry.MAX_TOPICS
MAX_TOPIC_BYTES = 32  # DelegateRegistry.MAX_TOPIC_LENGTH
SUGGESTED_TOPICS = (
    "treasury",
    "datasets",
    "open-weights",
    "compute",
    "licensing",
    "security",
    "infrastructure",
    "data-governance",
)


def clean_topics(raw: object) -> list[str]:
    """Topics as the registry accepts them: trimmed, lowercase, unique, 1..32 bytes, <= 8."""
    if isinstance(raw, str):
        items: list[object] = list(raw.split(","))
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ValidationError("Topics must be a list of short tags.")
    topics: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError("Each topic must be text.")
        topic = " ".join(item.split()).lower()
        if not topic or topic in topics:
            continue
        if len(topic.encode()) > MAX_TOPIC_BYTES:
            raise ValidationError(
                f"The topic {topic[:40]!r} is longer than {MAX_TOPIC_BYTES} bytes; shorten it."
            )
        topics.append(topic)
    if len(topics) > MAX_TOPICS:
        raise ValidationError(f"At most {MAX_TOPICS} topics; you gave {len(topics)}.")
    return topics


def clean_document(raw: object) -> bytes:
    """The statement as UTF-8 bytes, within STATEMENT_MAX_BYTES and not empty."""
    if not isinstance(raw, str):
        raise ValidationError("The statement must be text.")
    document = raw.replace("\r\n", "\n").replace("\x00", "")
    data = document.encode("utf-8", "replace")
    if not document.strip():
        raise ValidationError("Write a statement first (it is empty).")
    if len(data) > STATEMENT_MAX_BYTES:
        raise ValidationError(
            f"The statement is {len(data):,} bytes; the limit is {STATEMENT_MAX_BYTES:,}. "
            "Shorten it."
        )
    return data


@dataclass(frozen=True)
class StatementDraft:
    data: bytes
    topics: list[str]
    seeking: bool


def check_statement(document: object, topics: object, seeking: object) -> StatementDraft:
    if not isinstance(seeking, bool):
        raise ValidationError("The seeking-delegation switch must be on or off.")
    return StatementDraft(clean_document(document), clean_topics(topics), seeking)


def prepare_publish(settings: Settings, signer: str, draft: StatementDraft) -> PreparedWrite:
    """Store the document (CIDv1) and prepare publishStatement(uri, sha-256, topics, flag)."""
    cid = LocalContentStore(settings.content_dir).put(draft.data)
    return prepare_call(
        ChainContext.load(settings),
        description=f"Publish your delegate statement (ipfs://{cid[:16]}…)",
        sender=signer,
        contract="DelegateRegistry",
        function="publishStatement",
        args=[f"ipfs://{cid}", sha256_digest(draft.data), draft.topics, draft.seeking],
    )


def prepare_seeking(settings: Settings, signer: str, seeking: bool) -> PreparedWrite:
    return prepare_call(
        ChainContext.load(settings),
        description="Seek delegations" if seeking else "Stop seeking delegations",
        sender=signer,
        contract="DelegateRegistry",
        function="setSeekingDelegation",
        args=[seeking],
    )


def prepare_clear(settings: Settings, signer: str) -> PreparedWrite:
    return prepare_call(
        ChainContext.load(settings),
        description="Clear your delegate statement",
        sender=signer,
        contract="DelegateRegistry",
        function="clearStatement",
        args=[],
    )


@dataclass(frozen=True)
class DelegationPreview:
    """What delegating changes, shown before signing."""

    delegatee: str
    balance: int
    their_power_after: int
    your_power_after: int
    lines: tuple[str, ...]


def delegation_preview(
    settings: Settings, delegator: str, delegatee_input: str
) -> DelegationPreview:
    """Their power and yours after `delegator` delegates to `delegatee` (from the index)."""
    delegatee = parse_address_input(delegatee_input).lower()
    delegator = delegator.lower()
    engine = get_engine(settings.database_url)
    balance = dq.token_balance(engine, delegator)
    if balance == 0:
        raise ValidationError(
            "You hold no COOP: a delegation would give nobody any voting power. Nothing was sent."
        )
    current = dq.delegation_of(engine, delegator)
    previous = current.delegate if current else None

    def power(address: str) -> int:
        card = dq.delegate_card(engine, address)
        return card.voting_power if card else 0

    their = power(delegatee) + (0 if previous == delegatee else balance)
    yours = power(delegator)
    if previous == delegator and delegatee != delegator:
        yours -= balance
    elif delegatee == delegator and previous != delegator:
        yours += balance
    who = "yourself" if delegatee == delegator else short_address(delegatee)
    lines = [f"{who}: {token_text(their)} after"]
    if delegatee != delegator:
        lines.append(f"You: {token_text(max(yours, 0))} after")
    if previous == delegatee:
        lines.append("You already delegate to this address: nothing changes.")
    return DelegationPreview(delegatee, balance, their, max(yours, 0), tuple(lines))


def prepare_delegate(settings: Settings, signer: str, delegatee_input: str) -> PreparedWrite:
    """CoopToken.delegate, refused before the wallet when the signer holds no tokens."""
    delegation_preview(settings, signer, delegatee_input)
    return prepare_delegation(settings, signer, delegatee_input)
