"""What governance has promised but not paid, the treasury after it, and the runway.

Commitments: the payouts of queued and succeeded-but-not-queued proposals, read
from their actions (ETH sent with any call; ERC20 `transfer(to, amount)` calls
on a recognised token). Job bounties escrowed in the treasury's live jobs
(posted by governance: open, in progress, in review or challenged) come from
the job index; they have already left the treasury, so they are shown, not
subtracted again.

Runway (liquid assets only: ETH and the stablecoin, not the cooperative's own
token) = holdings after commitments / average monthly outflow, the outflow of
the trailing 90 days (chain's clock) divided by 3.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi import decode as abi_decode
from sqlalchemy import Engine

from coop_dashboard.db.job_queries import open_escrows_of
from coop_dashboard.db.queries import ProposalActionRow, contract_addresses
from coop_dashboard.db.treasury_queries import Movement
from coop_dashboard.evm import ZERO_ADDRESS
from coop_dashboard.services.governance.feed_snapshot import proposal_detail, snapshot_cache
from coop_dashboard.services.treasury.assets import ETH, Asset
from coop_dashboard.services.treasury.ledger import balances
from coop_dashboard.services.treasury.periods import DAY_S

COMMITTED_STATES = ("queued", "succeeded")
TRAILING_DAYS = 90
_TRANSFER_SELECTOR = "a9059cbb"  # transfer(address,uint256)
RUNWAY_METHOD = (
    "Runway = holdings after commitments / average monthly outflow, where the average "
    f"is the outflow of the last {TRAILING_DAYS} days (chain's clock) divided by 3. "
    "Only liquid assets (ETH, cUSD) have a runway; COOP, the cooperative's own token, "
    "does not. Commitments are the payouts of queued and succeeded proposals."
)


def action_payouts(actions: Sequence[ProposalActionRow], tokens: set[str]) -> dict[str, int]:
    """Asset key -> what the actions would pay out of the treasury."""
    paid: dict[str, int] = defaultdict(int)
    for action in actions:
        if action.value > 0:
            paid[ETH] += action.value
        data = action.calldata.removeprefix("0x")
        target = action.target.lower()
        if target in tokens and data[:8] == _TRANSFER_SELECTOR and len(data) == 8 + 128:
            try:
                _, amount = abi_decode(["address", "uint256"], bytes.fromhex(data[8:]))
            except Exception:  # noqa: BLE001 - malformed calldata pays nothing we can name
                continue
            paid[target] += int(amount)
    return dict(paid)


@dataclass(frozen=True)
class Commitment:
    proposal_id: int
    title: str
    state: str
    payouts: dict[str, int]


def read_commitments(engine: Engine, assets: Sequence[Asset]) -> list[Commitment]:
    tokens = {a.key for a in assets if a.key != ETH}
    found: list[Commitment] = []
    # Every proposal's summary from the head's feed snapshot (one read per head), and
    # only the committed ones' actions read here.
    snapshot = snapshot_cache(engine).current(engine)
    for row in snapshot.rows:
        summary = row.summary
        if summary.state not in COMMITTED_STATES:
            continue
        detail = proposal_detail(engine, summary.proposal_id, snapshot)
        if detail is None:
            continue
        payouts = action_payouts(detail.actions, tokens)
        if payouts:
            found.append(Commitment(summary.proposal_id, summary.title, summary.state, payouts))
    return found


@dataclass(frozen=True)
class Runway:
    asset: Asset
    holdings: int
    committed: int
    after: int
    monthly_outflow: int  # average over the trailing window
    months: float | None  # None: no outflow in the window (runway unbounded)


def monthly_outflow(movements: Sequence[Movement], asset: str, now: int) -> int:
    since = now - TRAILING_DAYS * DAY_S
    spent = sum(
        m.amount
        for m in movements
        if m.asset == asset and m.direction == "out" and m.timestamp > since
    )
    return spent * 30 // TRAILING_DAYS


def runways(
    movements: Sequence[Movement],
    assets: Sequence[Asset],
    committed: dict[str, int],
    now: int,
) -> list[Runway]:
    held = balances(movements)
    found: list[Runway] = []
    for asset in assets:
        if not asset.liquid:
            continue
        amount = held.get(asset.key, 0)
        promised = committed.get(asset.key, 0)
        after = amount - promised
        monthly = monthly_outflow(movements, asset.key, now)
        months = None if monthly == 0 else max(after, 0) / monthly
        found.append(Runway(asset, amount, promised, after, monthly, months))
    return found


def total_committed(commitments: Sequence[Commitment]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for commitment in commitments:
        for asset, amount in commitment.payouts.items():
            total[asset] += amount
    return dict(total)


def escrowed_bounties(engine: Engine) -> dict[str, int]:
    """Asset key -> bounties the treasury's live jobs hold in JobBoard's escrow.

    From the job index, not from the treasury's movements: a bounty paid to a
    provider leaves the escrow without moving anything of the treasury's.
    """
    treasury = contract_addresses(engine).get("CoopTimelock")
    if treasury is None:
        return {}
    return {
        ETH if asset == ZERO_ADDRESS else asset: amount
        for asset, amount in open_escrows_of(engine, treasury).items()
    }


@dataclass(frozen=True)
class Impact:
    asset: Asset
    before: int  # holdings now
    pays: int
    after: int
    runway_after: float | None  # months; None: no outflow in the trailing window
    breaches_floor: bool


def proposal_impact(
    actions: Sequence[ProposalActionRow],
    movements: Sequence[Movement],
    assets: Sequence[Asset],
    now: int,
    floor_months: float,
) -> list[Impact]:
    """Per asset the proposal pays: holdings before and after, and the runway floor check."""
    pays = action_payouts(actions, {a.key for a in assets if a.key != ETH})
    held = balances(movements)
    found: list[Impact] = []
    for asset in assets:
        amount = pays.get(asset.key, 0)
        if amount == 0:
            continue
        before = held.get(asset.key, 0)
        after = before - amount
        monthly = monthly_outflow(movements, asset.key, now)
        runway = None if monthly == 0 else max(after, 0) / monthly
        breaches = after < 0 or (asset.liquid and runway is not None and runway < floor_months)
        found.append(Impact(asset, before, amount, after, runway, breaches))
    return found
