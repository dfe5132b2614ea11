"""A year of treasury history for the demo, before the governance proposals of the seed.

Every month (30 days on the chain's clock): license revenue as it arrives until
the DataLicensing contract exists (plain ETH and cUSD transfers into the
treasury from a stand-in "licensing" account: the index files them under
"other", never under a category they are not), and a grant paid by an executed
proposal. Month 6 adds an executed operations budget (several payments in one
proposal); month 9 delists a dataset registered in month 1 by an executed
proposal, so its contributor's bond is slashed to the treasury.

Deterministic (fixed accounts and amounts) and fast: ~150 transactions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from eth_utils import keccak

from coop_dashboard.chain import devchain
from coop_dashboard.chain.dataset_registry import Registration
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes, sha256_digest

if TYPE_CHECKING:
    from coop_dashboard.chain.seed import _Seeder

MONTHS = 12
MONTH_S = 30 * 86_400
ETH = 10**18
USD = 10**6
# anvil's account #15: not a member; stands in for the licensing contract's payouts.
LICENSING_ACCOUNT = 15
SLASHED_BOND = ETH // 2
_FOR = 1
_REASON = b"# Delisted\n\nThe dataset held records its contributor had no right to share.\n"


def _registration() -> Registration:
    data = b"city,year,rides\nlisbon,2025,1200\n"
    card = b'{"name": "Scooter rides (withdrawn)"}'
    return Registration(
        content_digest=sha256_digest(data),
        data_cid=cid_for_bytes(data),
        card_cid=cid_for_bytes(card),
        modality="tabular",
        tags=("mobility",),
    )


Action = tuple[list[str], list[int], list[bytes], str]  # targets, values, calldatas, text


def _pass(seeder: _Seeder, proposals: list[Action]) -> None:
    """Propose, vote, queue and execute `proposals` together (about 8 days)."""
    governor = seeder.governor.functions
    for targets, values, calldatas, description in proposals:
        seeder.members[0].call(
            governor.propose(targets, values, calldatas, description), what="propose"
        )
    devchain.increase_time(seeder.w3, seeder.params("voting_delay_s") + 1)
    for targets, values, calldatas, description in proposals:
        proposal_id = governor.hashProposal(
            targets, values, calldatas, keccak(text=description)
        ).call()
        seeder.vote(proposal_id, 0, _FOR)  # Amara alone holds more than the quorum
    devchain.increase_time(seeder.w3, seeder.params("voting_period_s") + 1)
    anyone = seeder.members[11]
    for step, delay in ((governor.queue, "timelock_delay_s"), (governor.execute, None)):
        for targets, values, calldatas, description in proposals:
            anyone.call(
                step(targets, values, calldatas, keccak(text=description)),
                what="queue / execute",
            )
        if delay is not None:
            devchain.increase_time(seeder.w3, seeder.params(delay) + 1)


def seed_treasury_history(seeder: _Seeder) -> None:
    """Twelve months of revenue, grants, a budget and a slashed bond (see module doc)."""
    w3 = seeder.w3
    stable = seeder.stablecoin
    treasury = seeder.timelock.address
    registry = seeder.deployment.contract(w3, "DatasetRegistry")
    licensing = Sender.unlocked(w3, w3.eth.accounts[LICENSING_ACCOUNT])
    contributor = seeder.members[3]
    members = seeder.members
    dataset_id = 0
    revenues = [(8_000 + 1_500 * month) * USD for month in range(MONTHS)]
    # The stand-in's float for the whole year, minted once (one transaction, not twelve).
    licensing.call(stable.functions.mint(licensing.address, sum(revenues)), what="licensing")
    for month in range(MONTHS):
        start = devchain.latest_timestamp(w3)
        # License revenue (stand-in until DataLicensing exists): ETH and cUSD.
        licensing.transfer_eth(treasury, (1 + month % 3) * ETH, what="license revenue (ETH)")
        licensing.call(stable.functions.transfer(treasury, revenues[month]), what="license revenue")
        if month == 1:
            contributor.call(
                registry.functions.register(_registration().as_struct()),
                what="register a dataset",
                value=SLASHED_BOND,
            )
            dataset_id = int(registry.functions.datasetCount().call())
        grantee = members[3 + month % 5]
        grant = (12_000 + 1_000 * (month % 4)) * USD
        actions: list[Action] = [
            (
                [stable.address],
                [0],
                [seeder._encode(stable, "transfer", [grantee.address, grant])],
                f"# Monthly grant {month + 1}: compute and stipends\n\n"
                f"Pays {grant // USD:,} cUSD to the working group of month {month + 1}.",
            )
        ]
        if month == 5:
            actions.append(
                (
                    [stable.address, members[4].address],
                    [0, 10 * ETH],
                    [seeder._encode(stable, "transfer", [members[4].address, 60_000 * USD]), b""],
                    "# Operations budget, second half-year\n\n"
                    "60,000 cUSD for storage and evaluation, 10 ETH for gas and relaying.",
                )
            )
        if month == 8 and dataset_id:
            reason = "ipfs://" + cid_for_bytes(_REASON)
            actions.append(
                (
                    [registry.address],
                    [0],
                    [seeder._encode(registry, "delist", [dataset_id, reason])],
                    f"# Delist dataset #{dataset_id}\n\nIts contributor had no right to "
                    "share it; the bond goes to the treasury.",
                )
            )
        _pass(seeder, actions)
        devchain.increase_time(w3, max(1, start + MONTH_S - devchain.latest_timestamp(w3)))
