"""What a browser sends to the licensing handlers, forged: every refusal is a sentence and
nothing reaches the chain (services/licensing/inputs.py, the prepare_* functions' first step)."""

from __future__ import annotations

import pytest

from coop_dashboard.chain.data_licensing import ETH_CURRENCY, LicenseClass
from coop_dashboard.services.licensing.currencies import ETH, Currency
from coop_dashboard.services.licensing.inputs import (
    LicensingRefused,
    TierForm,
    incompatibility,
    parse_holder,
    parse_id,
    parse_tier_form,
    parse_tier_index,
    parse_token_id,
    within,
)

CUSD = Currency("0x" + "ab" * 20, "cUSD", 6, "MockStablecoin")
OFFERED = {ETH.address: ETH, CUSD.address: CUSD}
SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _form(**changes: object) -> TierForm:
    base: dict[str, object] = {
        "price": "0.05",
        "currency": "ETH",
        "duration_days": "30",
        "purpose": "research",
        "use": "all",
        "attribution": True,
        "share_alike": False,
    }
    return TierForm(**(base | changes))


@pytest.mark.parametrize(
    "forged", [True, None, 1.5, -1, 0, "", "12a", "٣", "1" * 19, 2**64, {"id": 1}, [1]]
)
def test_ids_refuse_anything_but_a_small_positive_integer(forged: object) -> None:
    with pytest.raises(LicensingRefused, match="number"):
        parse_id(forged, "dataset number")


def test_ids_accept_an_int_or_decimal_text() -> None:
    assert parse_id(7, "dataset number") == 7
    assert parse_id(" 12 ", "dataset number") == 12


@pytest.mark.parametrize("forged", [True, -1, 16, "16", "1e3", None, 0.0, "9999"])
def test_tier_indexes_are_0_to_15(forged: object) -> None:
    with pytest.raises(LicensingRefused, match="no such tier"):
        parse_tier_index(forged)
    assert parse_tier_index("3") == 3 and parse_tier_index(0) == 0


@pytest.mark.parametrize("forged", [12, None, "", "0x", "0x0", "12", "0xzz", "0x" + "f" * 65])
def test_pass_ids_are_0x_hex(forged: object) -> None:
    with pytest.raises(LicensingRefused, match="pass id"):
        parse_token_id(forged)
    assert parse_token_id("0x" + "0" * 63 + "1") == 1


def test_holder_is_the_signer_or_a_checked_address() -> None:
    assert parse_holder("", SIGNER) == SIGNER
    assert parse_holder("  ", SIGNER) == SIGNER
    assert parse_holder(SIGNER.lower(), "0x" + "1" * 40) == SIGNER
    for forged in (None, 5, ["0x"], {"a": 1}):
        with pytest.raises(LicensingRefused, match="must be an address"):
            parse_holder(forged, SIGNER)
    with pytest.raises(LicensingRefused, match="Holder: .*40 hexadecimal"):
        parse_holder("0x1234", SIGNER)
    with pytest.raises(LicensingRefused, match="Holder: .*zero address"):
        parse_holder("0x" + "0" * 40, SIGNER)
    with pytest.raises(LicensingRefused, match="checksum"):
        parse_holder("0x70997970c51812dc3A010C7d01b50e0d17dc79C8", SIGNER)


def test_a_tier_form_becomes_exact_terms() -> None:
    terms = parse_tier_form(_form(price="1,250.5", currency="cUSD", duration_days=365), OFFERED)
    assert terms.price == 1_250_500_000 and terms.currency == CUSD.address
    assert terms.duration_s == 365 * 86_400 and terms.license_class == LicenseClass()
    eth = parse_tier_form(_form(price="0.000000000000000001"), OFFERED)
    assert eth.price == 1 and eth.currency == ETH_CURRENCY


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"price": "0"}, "price above zero"),
        ({"price": "0.0000"}, "price above zero"),
        ({"price": "-1"}, "negative"),
        ({"price": 5}, "enter an amount"),
        ({"price": "0.0000001", "currency": "cUSD"}, "at most 6 decimal places"),
        ({"price": "1" * 200}, "too long"),
        ({"currency": "DAI"}, "not a currency governance allows"),
        ({"currency": "0x" + "cd" * 20}, "not a currency governance allows"),
        ({"currency": None}, "Choose the currency"),
        ({"duration_days": "0"}, "from 1 to 3,650 days"),
        ({"duration_days": "3651"}, "from 1 to 3,650 days"),
        ({"duration_days": "1.5"}, "whole number of days"),
        ({"duration_days": True}, "whole number of days"),
        ({"duration_days": "9" * 50}, "from 1 to 3,650 days"),
        ({"purpose": "world domination"}, "Purpose: choose"),
        ({"purpose": 1}, "Purpose: choose"),
        ({"use": "everything"}, "Use: choose"),
        ({"attribution": "yes"}, "Attribution required must be on or off"),
        ({"share_alike": 1}, "Share-alike must be on or off"),
        ({"purpose": "commercial_training", "use": "academic"}, "must allow commercial use"),
    ],
)
def test_a_forged_tier_form_is_refused_with_a_sentence(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(LicensingRefused, match=message):
        parse_tier_form(_form(**changes), OFFERED)


def test_a_currency_governance_does_not_allow_is_refused_even_by_symbol() -> None:
    with pytest.raises(LicensingRefused, match=r"allowed: ETH\)"):
        parse_tier_form(_form(currency="cUSD"), {ETH.address: ETH})


def test_permissiveness_follows_the_contract_rule() -> None:
    academic_sa = LicenseClass("academic", attribution=True, share_alike=True)
    assert within(academic_sa, LicenseClass("all", attribution=False))
    assert within(LicenseClass("academic", True, True), academic_sa)
    assert not within(LicenseClass("non_commercial", True, True), academic_sa)
    assert not within(LicenseClass("academic", False, True), academic_sa)
    assert not within(LicenseClass("academic", True, False), academic_sa)
    non_commercial = LicenseClass("non_commercial", attribution=True)
    message = incompatibility(LicenseClass("all"), [(3, LicenseClass()), (4, non_commercial)])
    assert message is not None
    assert "parent dataset #4" in message and "any use is wider" in message
    assert "Non-commercial, attribution" in message
    share = incompatibility(LicenseClass("academic"), [(9, academic_sa)])
    assert share is not None and "share-alike" in share
    assert incompatibility(LicenseClass("academic", True, True), [(9, academic_sa)]) is None
