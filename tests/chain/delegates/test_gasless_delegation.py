"""Gasless delegation refusals, before any gas is spent: no tokens, someone else's
signature, a wrong nonce, an expired or malformed signature, a non-address."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.db.engine import make_engine
from coop_dashboard.db.migrations import upgrade_engine
from coop_dashboard.services.delegates.gasless import delegation_request, relay_delegation
from coop_dashboard.services.governance.relay_policy import RelayRefused
from coop_dashboard.services.governance.relayer_config import anvil_key
from tests.support.chains import SeededChain

LUCA = 12  # 25,000 COOP


@pytest.fixture
def settings(seeded_chain: SeededChain, tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade_engine(make_engine(url))
    return replace(
        load_settings(),
        rpc_url=seeded_chain.rpc_url,
        chain_id=seeded_chain.chain_id,
        deployment_path=seeded_chain.manifest_path,
        database_url=url,
        content_dir=seeded_chain.content_dir,
    )


def _sign(typed: dict, key: str) -> str:  # type: ignore[type-arg]
    message = dict(typed["message"])
    message["nonce"], message["expiry"] = int(message["nonce"]), int(message["expiry"])
    domain = dict(typed["domain"]) | {"chainId": int(typed["domain"]["chainId"])}
    signable = encode_typed_data(full_message={**typed, "message": message, "domain": domain})
    return "0x" + bytes(Account.sign_message(signable, key).signature).hex()


def test_refusals_send_nothing(seeded_chain: SeededChain, settings: Settings) -> None:
    luca = seeded_chain.report.members[LUCA - 1]
    amara = seeded_chain.report.members[0]
    block = seeded_chain.w3.eth.block_number

    stranger = Account.create()
    with pytest.raises(RelayRefused, match="hold no COOP"):
        delegation_request(settings, stranger.address, amara)

    request = delegation_request(settings, luca, amara)
    signed = _sign(request.typed_data, anvil_key(LUCA))
    someone_else = _sign(request.typed_data, anvil_key(3))

    def relay(signature: str, **changes: object) -> None:
        args = {"nonce": request.nonce, "expiry": request.expiry} | changes
        relay_delegation(settings, luca, amara, int(args["nonce"]), int(args["expiry"]), signature)

    with pytest.raises(RelayRefused, match="not signed by the delegator"):
        relay(someone_else)
    with pytest.raises(RelayRefused, match="out of order"):
        relay(signed, nonce=request.nonce + 1)
    with pytest.raises(RelayRefused, match="expired"):
        relay(signed, expiry=1)
    with pytest.raises(RelayRefused, match="malformed"):
        relay("0x1234")
    with pytest.raises(RelayRefused, match="malformed"):
        relay_delegation(settings, "not-an-address", amara, 0, request.expiry, signed)
    # A signature for another delegatee does not recover to Luca.
    with pytest.raises(RelayRefused, match="not signed by the delegator"):
        relay_delegation(
            settings, luca, seeded_chain.report.members[1], request.nonce, request.expiry, signed
        )
    assert seeded_chain.w3.eth.block_number == block  # nothing was sent
