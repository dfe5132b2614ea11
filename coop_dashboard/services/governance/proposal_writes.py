"""The proposal page's writes, each checked and simulated before the wallet sees it.

Shaped as `state.tx.PrepareWrite` bodies: (settings, signed-in address, ...) ->
PreparedWrite, raising WriteRefused with a sentence the user can act on.
The index answers "already voted?" first, so the refusal is clear and instant;
the simulation (eth_call) catches whatever the index has not seen yet.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import CodeType
from typing import ParamSpec, Protocol, TypeVar

from eth_utils import to_checksum_address
from sqlalchemy import Engine

from coop_dashboard.config import Settings
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.queries import ProposalDetail, get_proposal
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.feed import vote_of
from coop_dashboard.services.governance.proposal_view import SUPPORT_LABELS
from coop_dashboard.services.transactions import (
    ChainContext,
    PreparedWrite,
    WriteRefused,
    prepare_call,
)

GOVERNOR = "CoopGovernor"
P = ParamSpec("P")
W = TypeVar("W", bound=PreparedWrite, covariant=True)


class PrepareFunction(Protocol[P, W]):
    """A plain function building a write. `__code__` is what a class lacks: typed as a bare
    `Callable[P, PreparedWrite]`, a PreparedWrite subclass (a class is a callable returning
    one) was accepted by mypy as this decorator's argument, and a class decorator's result
    is ignored by mypy, so decorating the dataclass instead of the function passed."""

    __code__: CodeType

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> W: ...


def refusing_unexpected(prepare: PrepareFunction[P, W]) -> Callable[P, W]:
    """Turn an encoding error (web3 ValueError/TypeError) into WriteRefused.

    state.tx.start_write reports CoopErrors; anything else would leave the tab's
    transaction panel at "preparing" until its stuck-timeout. The wrapped function
    keeps its exact signature and return type.
    """

    @functools.wraps(prepare)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> W:
        try:
            return prepare(*args, **kwargs)
        except (ValueError, TypeError) as exc:
            raise WriteRefused(f"The transaction could not be built: {exc}") from exc

    return wrapped


REASON_MAX_CHARS = 2_000


def _short_id(proposal_id: int) -> str:
    text = str(proposal_id)
    return text if len(text) <= 10 else f"{text[:4]}…{text[-4:]}"


def existing_vote_label(engine: Engine, voter: str, proposal_id: int) -> str | None:
    """ "For" / "Against" / "Abstain" when `voter` already voted on the proposal (per the index)."""
    support = vote_of(engine, proposal_id, voter)
    return None if support is None else SUPPORT_LABELS.get(support, str(support))


def vote_already_cast(settings: Settings, voter: str, proposal_id: int) -> str | None:
    """`existing_vote_label` in the configured index (blocking: a worker thread)."""
    return existing_vote_label(get_engine(settings.database_url), voter, proposal_id)


def check_vote_input(support: int, reason: str) -> str:
    """The reason to send (trimmed); WriteRefused for an impossible choice or an essay."""
    if support not in SUPPORT_LABELS:
        raise WriteRefused("Choose For, Against or Abstain.")
    reason = reason.strip()
    if len(reason) > REASON_MAX_CHARS:
        raise WriteRefused(
            f"The reason is too long: {len(reason):,} characters, at most {REASON_MAX_CHARS:,}."
        )
    return reason


@refusing_unexpected
def prepare_vote(
    settings: Settings, signer: str, proposal_id: int, support: int, reason: str
) -> PreparedWrite:
    """castVote / castVoteWithReason from `signer`, refused when they already voted."""
    reason = check_vote_input(support, reason)
    already = existing_vote_label(get_engine(settings.database_url), signer, proposal_id)
    if already is not None:
        raise WriteRefused(
            f"You already voted {already} on this proposal. A vote cannot be changed or cast twice."
        )
    label = SUPPORT_LABELS[support]
    words = f"Vote {label} on proposal {_short_id(proposal_id)}"
    return prepare_call(
        ChainContext.load(settings),
        description=words + (", with a reason" if reason else ""),
        sender=signer,
        contract=GOVERNOR,
        function="castVoteWithReason" if reason else "castVote",
        args=[proposal_id, support, reason] if reason else [proposal_id, support],
    )


def _detail(settings: Settings, proposal_id: int) -> ProposalDetail:
    detail = get_proposal(get_engine(settings.database_url), proposal_id)
    if detail is None:
        raise WriteRefused("This proposal is not in the index (yet).")
    return detail


def _lifecycle_args(detail: ProposalDetail) -> list[object]:
    # The Governor identifies a proposal by its four arrays + description hash.
    return [
        [to_checksum_address(a.target) for a in detail.actions],
        [a.value for a in detail.actions],
        [bytes.fromhex(a.calldata.removeprefix("0x")) for a in detail.actions],
        # The indexed hash: a description with invalid UTF-8 or NUL is shown sanitised.
        bytes.fromhex(detail.description_hash.removeprefix("0x")),
    ]


@refusing_unexpected
def prepare_lifecycle(
    settings: Settings, signer: str, proposal_id: int, step: str
) -> PreparedWrite:
    """queue / execute / cancel a proposal (the simulation refuses when it is not time yet)."""
    if step not in ("queue", "execute", "cancel"):
        raise WriteRefused(f"Unknown step {step!r}.")
    detail = _detail(settings, proposal_id)
    if step == "cancel" and detail.summary.proposer.lower() != signer.lower():
        raise WriteRefused(
            f"Only the proposer ({short_address(detail.summary.proposer)}) can cancel it."
        )
    words = {
        "queue": "Queue proposal {} in the timelock",
        "execute": "Execute proposal {}",
        "cancel": "Cancel proposal {}",
    }[step].format(_short_id(proposal_id))
    return prepare_call(
        ChainContext.load(settings),
        description=words,
        sender=signer,
        contract=GOVERNOR,
        function=step,
        args=_lifecycle_args(detail),
    )
