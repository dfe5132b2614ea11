"""Curators attest a dataset: score 0-100 and a note, checked here before the wallet opens.

`prepare_attestation` (blocking: SQL, RPC, files; run it in a worker thread)
refuses with AttestationRefused what the contract would refuse and what makes
no sense: a signer the index does not list as a curator, an unknown or
delisted dataset, a score outside 0..100, a note too long. A curator who
already attested gets `updateAttestation` (one current attestation per curator
per dataset), else `attest`. The note goes to the content store only once the
chain's simulation of the call (with the note's CID, computed beforehand) passed.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.chain.dataset_registry import MAX_SCORE, REGISTRY_CONTRACT
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import get_dataset, has_attested, is_curator
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.transactions import (
    ChainContext,
    PreparedWrite,
    WriteRefused,
    prepare_call,
)

MAX_ATTESTATION_NOTE_CHARS = 2_000


class AttestationRefused(WriteRefused):
    """The attestation cannot be sent (the message says why); nothing was stored."""


@dataclass(frozen=True)
class AttestationInput:
    score: int
    note: str


def attestation_input(score: object, note: object) -> AttestationInput:
    """The score and note from a browser (anything): checked, or AttestationRefused."""
    if isinstance(score, str) and score.strip().isdecimal() and len(score.strip()) <= 3:
        score = int(score.strip())
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= MAX_SCORE:
        raise AttestationRefused(f"The score is a whole number from 0 to {MAX_SCORE}.")
    if not isinstance(note, str):
        raise AttestationRefused("The note is text.")
    note = note.strip()
    if len(note) > MAX_ATTESTATION_NOTE_CHARS:
        raise AttestationRefused(
            f"The note has at most {MAX_ATTESTATION_NOTE_CHARS:,} characters ({len(note):,} now)."
        )
    if "\x00" in note:
        raise AttestationRefused("The note contains a NUL character.")
    return AttestationInput(score, note)


def prepare_attestation(
    settings: Settings, signer: str, dataset_id: int, score: object, note: object
) -> PreparedWrite:
    """The attest (or updateAttestation) call for the wallet, after every check."""
    checked = attestation_input(score, note)
    engine = get_engine(settings.database_url)
    if not is_curator(engine, signer):
        raise AttestationRefused(
            "Only curators attest datasets; governance grants the curator role."
        )
    facts = get_dataset(engine, dataset_id)
    if facts is None:
        raise AttestationRefused(f"Dataset #{dataset_id} is not registered (or not indexed yet).")
    if facts.summary.status == "delisted":
        raise AttestationRefused(f"Dataset #{dataset_id} is delisted: it cannot be attested.")
    update = has_attested(engine, dataset_id, signer)
    data = checked.note.encode()
    note_cid = cid_for_bytes(data) if data else ""
    write = prepare_call(
        ChainContext.load(settings),
        description=(
            f"{'Update your attestation of' if update else 'Attest'} dataset #{dataset_id}: "
            f"score {checked.score}"
        ),
        sender=signer,
        contract=REGISTRY_CONTRACT,
        function="updateAttestation" if update else "attest",
        args=[dataset_id, checked.score, note_cid],
    )
    if data:
        stored = LocalContentStore(settings.content_dir).put(data)
        if stored != note_cid:  # the store's CID of a small blob is its raw CID
            raise AttestationRefused("The note could not be stored under its CID.")
    return write
