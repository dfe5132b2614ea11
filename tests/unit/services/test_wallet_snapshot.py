"""What the bridge reports is read defensively: only well-formed values survive."""

from __future__ import annotations

from coop_dashboard.services.wallet_snapshot import (
    is_ok,
    parse_choices,
    parse_snapshot,
    tx_hash_or_empty,
)

LOWER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
CHECKSUMMED = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def test_a_snapshot_is_checksummed_and_typed() -> None:
    snapshot = parse_snapshot(
        {
            "ok": True,
            "account": LOWER,
            "chainId": 31337,
            "wallet": {"id": "io.metamask", "name": "MetaMask"},
            "origin": "http://localhost:3000",
        }
    )
    assert snapshot.account == CHECKSUMMED
    assert snapshot.chain_id == 31337
    assert snapshot.wallet_name == "MetaMask"
    assert snapshot.page_origin == "http://localhost:3000"


def test_garbage_reads_as_nothing() -> None:
    snapshot = parse_snapshot(
        {"ok": True, "account": "0xnothex", "chainId": "31337", "wallet": "MetaMask", "origin": 5}
    )
    assert (snapshot.account, snapshot.chain_id, snapshot.wallet_name, snapshot.page_origin) == (
        "",
        0,
        "",
        "",
    )


def test_booleans_are_not_chain_ids() -> None:
    assert parse_snapshot({"chainId": True}).chain_id == 0


def test_choices_keep_inline_icons_only() -> None:
    choices = parse_choices(
        {
            "ok": False,
            "code": "choose_wallet",
            "data": {
                "wallets": [
                    {
                        "id": "io.metamask",
                        "name": "MetaMask",
                        "icon": "data:image/svg+xml;base64,AA",
                    },
                    {"id": "io.rabby", "name": "Rabby", "icon": "https://evil.example/i.png"},
                    {"name": "no id"},
                    "junk",
                ]
            },
        }
    )
    assert [(c.id, c.name, c.icon) for c in choices] == [
        ("io.metamask", "MetaMask", "data:image/svg+xml;base64,AA"),
        ("io.rabby", "Rabby", ""),
    ]


def test_choices_are_bounded() -> None:
    many = [{"id": f"w{i}", "name": "W"} for i in range(100)]
    assert len(parse_choices({"data": {"wallets": many}})) == 12


def test_tx_hashes_are_validated() -> None:
    good = "0x" + "Ab" * 32
    assert tx_hash_or_empty(good) == good.lower()
    assert tx_hash_or_empty("0x1234") == ""
    assert tx_hash_or_empty(None) == ""


def test_ok_means_exactly_true() -> None:
    assert is_ok({"ok": True})
    assert not is_ok({"ok": "true"})
    assert not is_ok(None)
