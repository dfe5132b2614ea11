"""A fresh suite with members who can propose and vote, for the governance domain tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from coop_dashboard.chain import devchain
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.deploy import TOKEN
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.chain.transact import Sender
from tests.support.chains import Chain

USD = 10**6


@dataclass
class Coop:
    w3: Web3
    deployment: Deployment
    gov: GovernanceChain
    deployer: Sender
    alice: Sender  # 600,000 COOP, self-delegated: passes quorum (400,000) alone
    bob: Sender  # 200,000 COOP, self-delegated
    carol: LocalAccount  # 100,000 COOP, self-delegated, a key we hold: signs ballots
    newcomer: Sender  # 50,000 COOP, never delegated


@pytest.fixture
def coop(chain: Chain, deployment: Deployment) -> Coop:
    w3 = chain.w3
    accounts = list(w3.eth.accounts)
    deployer = Sender.unlocked(w3, deployment.deployer)
    token = deployment.contract(w3, "CoopToken").functions
    coop = Coop(
        w3=w3,
        deployment=deployment,
        gov=GovernanceChain(w3, deployment),
        deployer=deployer,
        alice=Sender.unlocked(w3, accounts[17]),
        bob=Sender.unlocked(w3, accounts[18]),
        carol=Account.create(),
        newcomer=Sender.unlocked(w3, accounts[19]),
    )
    for member, amount in ((coop.alice, 600_000), (coop.bob, 200_000), (coop.newcomer, 50_000)):
        deployer.call(token.transfer(member.address, amount * TOKEN), what="pay member")
    deployer.call(token.transfer(coop.carol.address, 100_000 * TOKEN), what="pay carol")
    deployer.transfer_eth(coop.carol.address, 10**18, what="gas for carol")
    carol = Sender(w3, coop.carol.address, coop.carol)
    for member in (coop.alice, coop.bob, carol):
        member.call(token.delegate(member.address), what="self-delegate")
    timelock = deployment.address("CoopTimelock")
    deployer.transfer_eth(timelock, 10 * 10**18, what="fund treasury (ETH)")
    stablecoin = deployment.contract(w3, "MockStablecoin").functions
    deployer.call(stablecoin.mint(timelock, 50_000 * USD), what="fund treasury (cUSD)")
    devchain.increase_time(w3, 1)  # proposers' votes are read at clock() - 1
    return coop
