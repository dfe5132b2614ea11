"""The licensing states' handlers and writes called with forged arguments, as any websocket
client can: fields keep bounded text and real booleans only, and every write is refused
with a sentence from the index alone, before any RPC (there is no chain here)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reflex.state import State

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.services.licensing.inputs import LicensingRefused, TierForm
from coop_dashboard.services.licensing.purchases import (
    prepare_purchase,
    prepare_renewal,
    purchase_permit,
    renewal_permit,
)
from coop_dashboard.services.licensing.writes import (
    prepare_set_tier,
    prepare_set_tier_active,
    prepare_withdrawal,
)
from coop_dashboard.state.licensing import LicensingState, download_script
from coop_dashboard.state.licensing_writes import PermitNotSigned, signed_permit

SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


@pytest.fixture
def empty_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'licensing.db'}"
    engine = make_engine(url)
    create_tables(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    # No node answers here: a write that reached the chain would fail loudly.
    monkeypatch.setenv("RPC_URL", "http://127.0.0.1:9")
    yield
    engine.dispose()


async def _licensing() -> LicensingState:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    state = await root.get_state(LicensingState)
    assert isinstance(state, LicensingState)
    return state


def _call(handler: Any, state: LicensingState, *args: Any) -> Any:
    return handler.fn(state, *args)


def test_form_fields_keep_bounded_text_and_real_booleans() -> None:
    async def scenario() -> None:
        state = await _licensing()
        for forged in ({"price": 1}, ["1"], 5, None):
            _call(LicensingState.set_tier_price, state, forged)
            assert state.tier_price == ""
        _call(LicensingState.set_tier_price, state, "9" * 10_000)
        assert len(state.tier_price) == 100
        _call(LicensingState.set_holder_input, state, "0x" + "a" * 5_000)
        assert len(state.holder_input) == 100
        _call(LicensingState.set_tier_currency, state, "c" * 500)
        assert len(state.tier_currency) == 42
        for forged in ("true", 1, {"checked": True}, None):
            _call(LicensingState.set_tier_attribution, state, forged)
            assert state.tier_attribution is False
            _call(LicensingState.set_tier_share_alike, state, forged)
            assert state.tier_share_alike is False
        _call(LicensingState.set_tier_share_alike, state, True)
        assert state.tier_share_alike is True
        _call(LicensingState.edit_tier, state, {"index": 0})
        assert state.tier_index == ""  # no such tier on the page: a new tier, nothing filled

    asyncio.run(scenario())


def test_the_download_answer_only_picks_the_message() -> None:
    async def scenario() -> None:
        state = await _licensing()
        _call(LicensingState.on_download, state, "ok")
        assert not state.download_ok and state.download_message == "The download was refused."
        _call(LicensingState.on_download, state, {"ok": "true", "error": "<b>x</b>" * 1_000})
        assert not state.download_ok and len(state.download_message) == 500
        _call(LicensingState.on_download, state, {"ok": True, "size": 1234})
        assert state.download_ok and state.download_message == "Downloaded (1,234 bytes)."

    asyncio.run(scenario())


def test_the_download_script_sends_the_stored_session_as_a_bearer_token() -> None:
    script = download_script(7)
    assert '"/api/datasets/7/file"' in script
    assert 'localStorage.getItem("coop.session")' in script
    assert '"Bearer " + token' in script


@pytest.mark.usefixtures("empty_index")
@pytest.mark.parametrize(
    ("dataset", "tier", "holder", "message"),
    [
        ("1; DROP TABLE x", 0, "", "not a number"),
        (True, 0, "", "not a number"),
        (1, "-1", "", "no such tier"),
        (1, {"i": 0}, "", "no such tier"),
        (1, 0, 42, "must be an address"),
        (1, 0, "0xnothex", "Holder:"),
        (1, 0, "", "not registered"),
    ],
)
def test_a_forged_purchase_is_refused_before_the_chain(
    dataset: object, tier: object, holder: object, message: str
) -> None:
    with pytest.raises(LicensingRefused, match=message):
        prepare_purchase(load_settings(), SIGNER, dataset, tier, holder)


@pytest.mark.usefixtures("empty_index")
def test_forged_tiers_renewals_and_withdrawals_are_refused_before_the_chain() -> None:
    settings = load_settings()
    with pytest.raises(LicensingRefused, match="not registered"):
        prepare_set_tier(settings, SIGNER, "5", "", TierForm(price="1", currency="ETH"))
    with pytest.raises(LicensingRefused, match="not a number"):
        prepare_set_tier(settings, SIGNER, "five", "", TierForm())
    with pytest.raises(LicensingRefused, match="pass id"):
        prepare_renewal(settings, SIGNER, 12345)
    with pytest.raises(LicensingRefused, match="no such pass"):
        prepare_renewal(settings, SIGNER, "0x" + "1" * 64)
    with pytest.raises(LicensingRefused, match="Choose a currency"):
        prepare_withdrawal(settings, SIGNER, None)
    with pytest.raises(LicensingRefused, match="not a currency address"):
        prepare_withdrawal(settings, SIGNER, "ETH")


@pytest.mark.usefixtures("empty_index")
@pytest.mark.parametrize(
    ("dataset", "tier", "active", "message"),
    [
        (1, 0, "true", "Say whether the tier is offered"),
        (1, 0, 1, "Say whether the tier is offered"),
        ("1; --", 0, False, "not a number"),
        (1, {"i": 0}, True, "no such tier"),
        (1, 0, False, "not registered"),
    ],
)
def test_a_forged_tier_switch_is_refused_before_the_chain(
    dataset: object, tier: object, active: object, message: str
) -> None:
    with pytest.raises(LicensingRefused, match=message):
        prepare_set_tier_active(load_settings(), SIGNER, dataset, tier, active)


@pytest.mark.usefixtures("empty_index")
def test_a_permit_is_not_asked_for_a_forged_purchase_or_renewal() -> None:
    settings = load_settings()
    with pytest.raises(LicensingRefused, match="not registered"):
        purchase_permit(settings, SIGNER, 1, 0, "")
    with pytest.raises(LicensingRefused, match="no such pass"):
        renewal_permit(settings, SIGNER, "0x" + "1" * 64)


def test_a_permit_the_wallet_refused_or_for_another_account_is_never_used() -> None:
    kept = {"signer": SIGNER, "value": 5, "deadline": 99}
    rejected = {"ok": False, "code": 4001, "message": "User rejected the request."}
    with pytest.raises(PermitNotSigned, match="(?i)rejected"):
        signed_permit(rejected, kept, SIGNER)
    with pytest.raises(PermitNotSigned):
        signed_permit("not an answer", kept, SIGNER)
    signature = "0x" + "ab" * 65
    with pytest.raises(PermitNotSigned, match="another account"):
        signed_permit({"ok": True, "signature": signature}, kept, "0x" + "12" * 20)
    permit = signed_permit({"ok": True, "signature": signature}, kept, SIGNER.lower())
    assert (permit.value, permit.deadline, permit.signature) == (5, 99, signature)
    # Anything but hex is passed on empty; the purchase refuses what is not 65 bytes.
    assert signed_permit({"ok": True, "signature": "0xzz"}, kept, SIGNER).signature == ""
