"""Registering a dataset: every check the server can make, then the card, then the wallet.

`prepare_registration` runs in a worker thread (blocking: files, SQL, RPC). It
refuses with RegistrationRefused (a sentence, plus field -> message for the
form) before anything is stored: the data file must be in the store, the card
valid, the parents registered and not delisted (per the index), at most 16 of
them, the bond at least the registry's minimum (read from the chain). Only
then is the card (Croissant JSON) stored and the transaction simulated; the
wallet gets the unsigned transaction.

What a contributor uploaded but never registered is collected later:
`record_upload` notes each upload in a ledger (one empty file per CID, its time
the upload's), and `collect_rejected_uploads` deletes the ones no registered
dataset names once their grace period has passed (with a card's saved facts).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coop_dashboard.chain.dataset_registry import (
    MAX_LABEL_LENGTH,
    MAX_PARENTS,
    MAX_TAGS,
    REGISTRY_CONTRACT,
    TRANSFORMATIONS,
    Registration,
    read_minimum_bond,
)
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import is_cid
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_cards import cids_in_use, forget_cards, save_card_facts
from coop_dashboard.db.dataset_queries import get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.errors import ContentError
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.datasets.cards import (
    MAX_TRANSFORMATION_NOTE_LENGTH,
    CardContext,
    CardForm,
    FileFacts,
    card_problems,
    croissant_bytes,
    stored_file_facts,
)
from coop_dashboard.services.display import format_int
from coop_dashboard.services.transactions import (
    ChainContext,
    PreparedWrite,
    WriteRefused,
    prepare_call,
)

# An upload waits this long for its registration before it may be collected.
UPLOAD_GRACE_SECONDS = 24 * 3600
_LEDGER_DIR = "dataset-uploads"
_LEDGER_SUFFIX = ".upload"
_WEI_PER_ETH = 10**18


class RegistrationRefused(WriteRefused):
    """The registration cannot be sent; `problems` maps form fields to what to fix."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


@dataclass(frozen=True)
class RegistrationRequest:
    """What the register form sends (checked here: a browser may send anything)."""

    data_cid: str
    form: CardForm
    modality: str
    tags: tuple[str, ...] = ()
    parents: tuple[int, ...] = ()
    transformation: str = "source"
    transformation_note: str = ""
    supersedes: int = 0
    bond_wei: int = 0


@dataclass(frozen=True)
class PreparedRegistration:
    """The checked registration: its card, the file's facts and the write for the wallet."""

    write: PreparedWrite
    registration: Registration
    facts: FileFacts
    card_cid: str
    stored: tuple[str, ...] = field(default=())  # CIDs stored for it (card, note)


def uploads_ledger(settings: Settings) -> Path:
    return settings.data_dir / _LEDGER_DIR


def record_upload(ledger: Path, cid: str) -> None:
    """Note that `cid` was uploaded for a registration (again: its grace period restarts)."""
    if not is_cid(cid):
        raise ContentError(f"Not a CID: {cid!r}.")
    ledger.mkdir(parents=True, exist_ok=True)
    marker = ledger / f"{cid}{_LEDGER_SUFFIX}"
    marker.touch()
    os.utime(marker)  # an existing marker: its time is the latest upload's


def _format_eth(wei: int) -> str:
    whole, rest = divmod(wei, _WEI_PER_ETH)
    decimals = f"{rest:018d}".rstrip("0")
    return f"{format_int(whole)}.{decimals} ETH" if decimals else f"{format_int(whole)} ETH"


def _label_problem(text: str, what: str) -> str | None:
    size = len(text.encode())
    if size == 0 or size > MAX_LABEL_LENGTH:
        return f"{what} must be 1 to {MAX_LABEL_LENGTH} bytes."
    if not text.isprintable():
        return f"{what} contains control characters."
    return None


def request_problems(request: RegistrationRequest) -> dict[str, str]:
    """What is wrong with a request before any lookup (field -> message)."""
    problems = dict(card_problems(request.form))
    if not is_cid(request.data_cid):
        problems["data_cid"] = "Upload the data file first."
    modality_problem = _label_problem(request.modality, "Modality")
    if modality_problem:
        problems["modality"] = modality_problem
    if len(request.tags) > MAX_TAGS:
        problems["tags"] = f"At most {MAX_TAGS} tags (there are {len(request.tags)})."
    else:
        for tag in request.tags:
            tag_problem = _label_problem(tag, f"Tag {tag[:40]!r}")
            if tag_problem:
                problems["tags"] = tag_problem
                break
    parents = request.parents
    if len(parents) > MAX_PARENTS:
        problems["parents"] = f"At most {MAX_PARENTS} parent datasets (there are {len(parents)})."
    elif len(set(parents)) != len(parents):
        problems["parents"] = "A parent dataset is listed twice."
    elif any(parent <= 0 for parent in parents):
        problems["parents"] = "Parent datasets are named by their id (1 or more)."
    if request.transformation not in TRANSFORMATIONS:
        problems["transformation"] = f"Unknown transformation {request.transformation[:40]!r}."
    elif (request.transformation == "source") != (not parents):
        problems["transformation"] = (
            "A source dataset has no parents; a derived one names its parents and how "
            "it was made from them (not 'source')."
        )
    if len(request.transformation_note) > MAX_TRANSFORMATION_NOTE_LENGTH:
        problems["transformation_note"] = (
            f"The note has at most {MAX_TRANSFORMATION_NOTE_LENGTH:,} characters."
        )
    if request.supersedes < 0:
        problems["supersedes"] = "Not a dataset id."
    if request.bond_wei < 0:
        problems["bond"] = "The bond cannot be negative."
    return problems


def _index_problems(
    settings: Settings, signer: str, request: RegistrationRequest
) -> dict[str, str]:
    engine = get_engine(settings.database_url)
    problems: dict[str, str] = {}
    for parent in sorted(request.parents):
        found = get_dataset(engine, parent)
        if found is None:
            problems["parents"] = f"Dataset #{parent} is not registered (or not indexed yet)."
            break
        if found.summary.status == "delisted":
            problems["parents"] = f"Dataset #{parent} is delisted: it cannot be a parent."
            break
    if request.supersedes:
        old = get_dataset(engine, request.supersedes)
        if old is None:
            problems["supersedes"] = f"Dataset #{request.supersedes} is not registered."
        elif old.summary.owner.lower() != signer.lower():
            problems["supersedes"] = (
                f"Only the owner of dataset #{request.supersedes} can publish a new version of it."
            )
        elif old.summary.status == "delisted":
            problems["supersedes"] = f"Dataset #{request.supersedes} is delisted."
        elif old.superseded_by is not None:
            problems["supersedes"] = (
                f"Dataset #{request.supersedes} already has a newer version (#{old.superseded_by})."
            )
    return problems


def _refuse(problems: dict[str, str]) -> RegistrationRefused:
    first = next(iter(problems.values()))
    more = len(problems) - 1
    return RegistrationRefused(first + (f" ({more} more to fix.)" if more else ""), problems)


def prepare_registration(
    settings: Settings, signer: str, request: RegistrationRequest
) -> PreparedRegistration:
    """Check everything, store the card, simulate `register`: the write for the wallet.

    RegistrationRefused (with field -> message) when anything is wrong; nothing is
    stored before the last check that needs no chain simulation has passed.
    """
    problems = request_problems(request)
    if problems:
        raise _refuse(problems)
    store = LocalContentStore(settings.content_dir)
    try:
        if not store.has(request.data_cid):
            raise _refuse({"data_cid": "The data file is not in the store: upload it again."})
        if store.size(request.data_cid) > settings.dataset_max_bytes:
            raise _refuse(
                {
                    "data_cid": f"The file is larger than the {settings.dataset_max_bytes:,} "
                    "bytes a dataset may have."
                }
            )
        facts = stored_file_facts(store, request.data_cid, settings.data_dir / "tmp")
    except ContentError as error:
        raise _refuse({"data_cid": str(error)}) from error
    problems = _index_problems(settings, signer, request)
    if problems:
        raise _refuse(problems)
    minimum = read_minimum_bond(governance_chain(settings))
    if request.bond_wei < minimum:
        raise _refuse(
            {
                "bond": f"The bond is {_format_eth(request.bond_wei)}; the registry asks at "
                f"least {_format_eth(minimum)}."
            }
        )
    context = CardContext(
        dataset_id=None,
        data_url=f"ipfs://{request.data_cid}",
        parents=tuple(sorted(request.parents)),
        transformation=request.transformation,
        transformation_note=request.transformation_note.strip(),
        site_url=settings.app_origin,
    )
    card = croissant_bytes(request.form, facts, context)
    ledger = uploads_ledger(settings)
    card_cid = store.put(card)
    record_upload(ledger, card_cid)
    stored = [card_cid]
    note_cid = ""
    if request.transformation_note.strip():
        note_cid = store.put(request.transformation_note.strip().encode())
        record_upload(ledger, note_cid)
        stored.append(note_cid)
    registration = Registration(
        content_digest=bytes.fromhex(facts.sha256_hex),
        data_cid=request.data_cid,
        card_cid=card_cid,
        modality=request.modality,
        tags=request.tags,
        parents=tuple(sorted(request.parents)),
        transformation=request.transformation,
        transformation_note_cid=note_cid,
        supersedes=request.supersedes,
    )
    try:
        write = prepare_call(
            ChainContext.load(settings),
            description=f"Register the dataset {request.form.name[:60]!r} "
            f"with a bond of {_format_eth(request.bond_wei)}",
            sender=signer,
            contract=REGISTRY_CONTRACT,
            function="register",
            args=[registration.as_struct()],
            value=request.bond_wei,
        )
    except WriteRefused as refused:
        # The chain knows something the index has not seen yet (a parent delisted a
        # block ago): the stored card and note wait in the ledger for collection.
        raise RegistrationRefused(str(refused), {"chain": str(refused)}) from refused
    # The card's facts once the simulation passed; a card never registered loses them
    # with its blob (collect_rejected_uploads).
    save_card_facts(
        get_engine(settings.database_url),
        card_cid,
        name=request.form.name,
        description=request.form.description,
        license=request.form.license,
    )
    return PreparedRegistration(write, registration, facts, card_cid, tuple(stored))


def collect_rejected_uploads(
    settings: Settings,
    grace_seconds: float = UPLOAD_GRACE_SECONDS,
    now: float | None = None,
) -> list[str]:
    """Delete uploads (data files, cards, notes) no registered dataset names, once their
    grace period has passed; returns the CIDs removed. Uploads in use leave the ledger."""
    ledger = uploads_ledger(settings)
    if not ledger.is_dir():
        return []
    cutoff = (time.time() if now is None else now) - grace_seconds
    due: list[str] = []
    for marker in ledger.iterdir():
        cid = marker.name.removesuffix(_LEDGER_SUFFIX)
        if marker.name.endswith(_LEDGER_SUFFIX) and is_cid(cid):
            try:
                if marker.stat().st_mtime <= cutoff:
                    due.append(cid)
            except FileNotFoundError:
                continue
    if not due:
        return []
    engine = get_engine(settings.database_url)
    in_use = cids_in_use(engine, due)
    store = LocalContentStore(settings.content_dir)
    removed = [
        cid
        for cid in sorted(set(due) - in_use)
        if store.discard(cid, grace_seconds, now=now) or not store.has(cid)
    ]
    forget_cards(engine, removed)
    for cid in [*in_use, *removed]:
        (ledger / f"{cid}{_LEDGER_SUFFIX}").unlink(missing_ok=True)
    return removed


def registration_parents(values: Sequence[object]) -> tuple[int, ...]:
    """Parent ids from untrusted input (integers or decimal strings); ValueError otherwise.

    More than 16 come back as they are, for request_problems to say so.
    """
    if len(values) > 1_000:
        raise ValueError(f"{len(values):,} parents: at most {MAX_PARENTS}.")
    parents: list[int] = []
    for value in values:
        text = value.strip() if isinstance(value, str) else None
        if isinstance(value, int) and not isinstance(value, bool):
            parents.append(value)
        elif text and text.isascii() and text.isdecimal() and len(text) <= 18:
            parents.append(int(text))
        else:
            raise ValueError(f"{str(value)[:40]!r} is not a dataset id.")
    return tuple(parents)
