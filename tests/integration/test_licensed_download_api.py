"""The HTTP API a script uses to fetch licensed data, end to end on a real chain, index,
content store and database: sign in with Ethereum over HTTP (nonce, eth_account
signature, verify), then `GET /api/datasets/<id>/file` with the bearer token, whole and
by range, checked against the index AND the chain; every refusal says what is missing,
and only served downloads reach the access log."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from starlette.testclient import TestClient

from coop_dashboard.auth import open_session
from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.data_licensing import TierTerms, pass_id
from coop_dashboard.chain.transact import Sender
from coop_dashboard.config import Settings
from coop_dashboard.content.cid import sha256_digest
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.engine import get_engine
from coop_dashboard.db.licensing_queries import AccessLogRow, access_log
from coop_dashboard.db.utc_datetime import utc_now
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.service import run_once
from coop_dashboard.services.chain_access import chain_for
from tests.support.chains import Chain
from tests.support.datasets import (
    act_as_governance,
    api_client,
    deployed_app,
    register,
    sample_registration,
)
from tests.support.licensing import buy, set_tier

DAY = 86_400
# Over 1 MiB: the whole file streams piece by piece (services.content_gateway's limit).
DATA = bytes((index * 7 + index // 251) % 256 for index in range(1_300_000))
OTHER_DATA = b"another dataset's rows\n" * 100


@dataclass
class World:
    chain: Chain
    settings: Settings
    contributor: LocalAccount
    holder: LocalAccount
    stranger: LocalAccount
    other_holder: LocalAccount  # a pass to the other dataset only
    expired: LocalAccount
    revoked: LocalAccount
    lagging: LocalAccount  # revoked on chain, not yet in the index
    dataset: int = 0
    other: int = 0


def _funded(chain: Chain) -> LocalAccount:
    account: LocalAccount = Account.create()
    chain.w3.provider.make_request(  # type: ignore[arg-type]
        "anvil_setBalance", [account.address, hex(10**21)]
    )
    return account


def _index(world: World) -> None:
    run_once(world.settings, IndexerConfig())


def _registered(world: World, who: Sender, name: str, data: bytes) -> int:
    cid = LocalContentStore(world.settings.content_dir).put(data)
    registration = replace(
        sample_registration(name), data_cid=cid, content_digest=sha256_digest(data)
    )
    chain = chain_for(world.settings)
    dataset, _ = register(chain.deployment.contract(chain.w3, "DatasetRegistry"), who, registration)
    return dataset


@pytest.fixture(scope="module")
def world(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("licensed-download")
    with deployed_app(compiled_artifacts, directory) as (chain, deployment, settings):
        world = World(chain, settings, *(_funded(chain) for _ in range(7)))
        w3 = chain.w3
        contributor = Sender.from_private_key(w3, world.contributor.key.hex())
        buyer = Sender.unlocked(w3, w3.eth.accounts[4])
        licensing = deployment.contract(w3, "DataLicensing")
        world.dataset = _registered(world, contributor, "licensed", DATA)
        world.other = _registered(world, contributor, "other", OTHER_DATA)
        month = set_tier(licensing, contributor, world.dataset, TierTerms(price=10**15))
        day = set_tier(
            licensing, contributor, world.dataset, TierTerms(price=10**14, duration_s=DAY)
        )
        other_tier = set_tier(licensing, contributor, world.other, TierTerms(price=10**15))
        for holder in (world.holder, world.revoked, world.lagging):
            buy(w3, deployment, licensing, buyer, world.dataset, month, holder.address)
        buy(w3, deployment, licensing, buyer, world.dataset, day, world.expired.address)
        buy(w3, deployment, licensing, buyer, world.other, other_tier, world.other_holder.address)
        governance = act_as_governance(w3, deployment)
        revoked_pass = pass_id(world.revoked.address, world.dataset, "research")
        governance.call(licensing.functions.revokePass(revoked_pass, "bafymisuse"), what="revoke")
        devchain.increase_time(w3, 2 * DAY)  # the one-day pass is now expired
        _index(world)
        # Revoked after the index's last look: only the chain knows.
        lagging_pass = pass_id(world.lagging.address, world.dataset, "research")
        governance.call(licensing.functions.revokePass(lagging_pass, "bafylag"), what="revoke")
        yield world


@pytest.fixture
def client(world: World, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    with api_client(world.settings, monkeypatch) as test_client:
        yield test_client


def _signature(account: LocalAccount, message: str) -> str:
    return "0x" + bytes(account.sign_message(encode_defunct(text=message)).signature).hex()


def _sign_in(client: TestClient, account: LocalAccount) -> str:
    """What a script does: ask for the message, sign it, trade it for a bearer token."""
    asked = client.post("/api/auth/nonce", json={"address": account.address.lower()})
    assert asked.status_code == 200, asked.text
    message = asked.json()["message"]
    assert message.startswith("coop.example wants you to sign in with your Ethereum account:")
    assert account.address in message
    verified = client.post(
        "/api/auth/verify", json={"message": message, "signature": _signature(account, message)}
    )
    assert verified.status_code == 200, verified.text
    body = verified.json()
    assert body["address"] == account.address and body["expires_at"]
    return str(body["token"])


def _log(world: World) -> list[AccessLogRow]:
    return access_log(get_engine(world.settings.database_url), world.dataset)


def test_a_pass_holder_downloads_the_file_whole_and_by_range(
    world: World, client: TestClient
) -> None:
    token = _sign_in(client, world.holder)
    before = len(_log(world))
    whole = client.get(
        f"/api/datasets/{world.dataset}/file", headers={"Authorization": f"Bearer {token}"}
    )
    assert whole.status_code == 200, whole.text
    assert whole.content == DATA
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-length"] == str(len(DATA))

    part = client.get(
        f"/api/datasets/{world.dataset}/file",
        headers={"Authorization": f"Bearer {token}", "Range": "bytes=262000-262999"},
    )
    assert part.status_code == 206
    assert part.content == DATA[262_000:263_000]
    assert part.headers["content-range"] == f"bytes 262000-262999/{len(DATA)}"

    latest, previous = _log(world)[:2]
    assert len(_log(world)) == before + 2
    token_id = f"0x{pass_id(world.holder.address, world.dataset, 'research'):064x}"
    assert (latest.account, latest.token_id, latest.purpose, latest.via) == (
        world.holder.address.lower(),
        token_id,
        "research",
        "api",
    )
    assert (latest.byte_start, latest.byte_end) == (262_000, 263_000)
    assert (previous.byte_start, previous.byte_end) == (0, len(DATA))


def test_the_contributor_downloads_without_a_pass(world: World, client: TestClient) -> None:
    token = _sign_in(client, world.contributor)
    response = client.get(
        f"/api/datasets/{world.dataset}/file", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200 and response.content == DATA
    assert _log(world)[0].token_id is None
    assert _log(world)[0].account == world.contributor.address.lower()


def test_a_download_with_the_browsers_session_is_logged_as_the_browsers(
    world: World, client: TestClient
) -> None:
    """Same route, same checks: the log says how the session was opened - the app's sign-in
    ("browser", as state/session.py opens it) or POST /api/auth/verify ("api")."""
    engine = get_engine(world.settings.database_url)
    browser = open_session(engine, world.holder.address, world.settings.chain_id).token
    script = _sign_in(client, world.holder)
    for token, via in ((browser, "browser"), (script, "api")):
        response = client.get(
            f"/api/datasets/{world.dataset}/file",
            headers={"Authorization": f"Bearer {token}", "Range": "bytes=0-9"},
        )
        assert response.status_code == 206 and response.content == DATA[:10]
        latest = _log(world)[0]
        assert (latest.account, latest.via) == (world.holder.address.lower(), via)


@pytest.mark.parametrize(
    ("who", "says"),
    [
        ("stranger", "holds no access pass to dataset"),
        ("expired", "expired on"),
        ("revoked", "was revoked by governance"),
        ("other_holder", "not to dataset"),
        ("lagging", "The chain does not confirm your pass"),
    ],
)
def test_addresses_without_a_valid_pass_are_refused(
    world: World, client: TestClient, who: str, says: str
) -> None:
    token = _sign_in(client, getattr(world, who))
    before = len(_log(world))
    response = client.get(
        f"/api/datasets/{world.dataset}/file", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    assert says in response.json()["error"]
    assert len(_log(world)) == before


def test_missing_forged_and_expired_sessions_are_refused(world: World, client: TestClient) -> None:
    engine = get_engine(world.settings.database_url)
    stale = open_session(
        engine,
        world.holder.address,
        world.settings.chain_id,
        ttl=timedelta(hours=1),
        now=utc_now() - timedelta(hours=2),
    ).token
    forged = "A" * 43  # the shape of a token, never issued
    before = len(_log(world))
    url = f"/api/datasets/{world.dataset}/file"
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": f"Bearer {forged}"},
        {"Authorization": f"Bearer {stale}"},
        {"Authorization": "Bearer " + "x" * 10_000},
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, headers
        assert "POST /api/auth/nonce" in response.json()["error"]
    assert len(_log(world)) == before


def test_unknown_dataset_and_a_range_past_the_end(world: World, client: TestClient) -> None:
    token = _sign_in(client, world.holder)
    auth = {"Authorization": f"Bearer {token}"}
    before = len(_log(world))
    for dataset in ("999999", "0", "abc", "1" * 40):
        response = client.get(f"/api/datasets/{dataset}/file", headers=auth)
        assert response.status_code == 404 and "no dataset" in response.json()["error"]
    response = client.get(
        f"/api/datasets/{world.dataset}/file", headers={**auth, "Range": f"bytes={len(DATA)}-"}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(DATA)}"
    assert "outside the file" in response.json()["error"]
    assert len(_log(world)) == before


def test_sign_in_refuses_bad_input_with_a_sentence(world: World, client: TestClient) -> None:
    assert client.post("/api/auth/nonce", content=b"not json").json()["error"]
    bad = client.post("/api/auth/nonce", json={"address": "0x123"})
    assert bad.status_code == 400 and bad.json()["error"]
    assert client.post("/api/auth/nonce", json=["0x"]).status_code == 400
    assert client.post("/api/auth/verify", json={"message": "hi"}).status_code == 400
    asked = client.post("/api/auth/nonce", json={"address": world.stranger.address})
    message = asked.json()["message"]
    # Signed by someone else: refused, and the token never issued.
    wrong = _signature(world.holder, message)
    refused = client.post("/api/auth/verify", json={"message": message, "signature": wrong})
    assert refused.status_code == 401 and "token" not in refused.json()
    tampered = message.replace("coop.example", "evil.example", 1)
    signature = _signature(world.stranger, tampered)
    refused = client.post("/api/auth/verify", json={"message": tampered, "signature": signature})
    assert refused.status_code == 401 and "evil.example" in refused.json()["error"]


def test_the_card_and_public_exports_stay_public(world: World, client: TestClient) -> None:
    assert client.get(f"/api/datasets/{world.dataset}/prov").status_code == 200
