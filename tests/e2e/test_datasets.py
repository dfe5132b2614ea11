"""The dataset pages in Chromium with the test wallet, on a chain and app of their own.

One story, in order (module-scoped chain and app; each test builds on the last):
a contributor registers a dataset from the browser with a parent (upload,
card, parent search, preview, `register` signed in the wallet); it shows in
the catalog and its page draws the edge from the parent with the
transformation; a curator (granted by an executed proposal) attests from the
page; the exports download and parse; delisting through an executed proposal
shows on the page with its reason, and the bond went to the treasury.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from eth_utils import keccak
from playwright.sync_api import Page, expect

from coop_dashboard.chain import devchain
from coop_dashboard.chain.dataset_registry import Registration
from coop_dashboard.chain.transact import Sender
from coop_dashboard.content.cid import cid_for_bytes
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.services.datasets.cards import (
    CardContext,
    CardForm,
    croissant_bytes,
    file_facts,
)
from coop_dashboard.services.governance.dataset_actions import CURATOR_ROLE
from tests.e2e.app_server import AppServer, StartApp, chain_settings
from tests.e2e.flows import STEP_TIMEOUT_MS, sign_in
from tests.e2e.governance_flows import member_wallet, wait_done
from tests.e2e.wallet import install_wallets
from tests.support.chains import SeededChain
from tests.support.datasets import BOND, register, sample_registration
from tests.support.governance import EXECUTED

pytestmark = pytest.mark.e2e

CONTRIBUTOR, CURATOR = 1, 2
NAME = "Wine, cleaned"
DESCRIPTION = "The UCI wine recognition data with rows that fail a range check removed."
CSV = b"alcohol,malic_acid,class\n14.23,1.71,1\n13.2,1.78,1\n12.37,0.94,2\n"
MAX_BYTES = 1024 * 1024
REASON = b"Consent records for part of the source could not be produced."


@pytest.fixture(scope="module")
def dataset_chain(start_seeded_chain: Callable[[], SeededChain]) -> SeededChain:
    return start_seeded_chain()


@pytest.fixture(scope="module")
def dataset_app(start_app: StartApp, dataset_chain: SeededChain) -> AppServer:
    return start_app("datasets", **chain_settings(dataset_chain), DATASET_MAX_BYTES=str(MAX_BYTES))


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    """What one test leaves for the next (ids, balances)."""
    return {}


def _registry(chain: SeededChain) -> Any:
    return chain.deployment.contract(chain.w3, "DatasetRegistry")


def _register_parent(chain: SeededChain, tmp_path: Path) -> tuple[int, str]:
    """A source dataset registered straight on chain, its file and card in the app's store."""
    store = LocalContentStore(chain.content_dir)
    data = b"alcohol,malic_acid,class\n14.23,1.71,1\n13.2,1.78,1\n12.37,0.94,2\n99,9,9\n"
    data_cid = store.put(data)
    path = tmp_path / "raw.csv"
    path.write_bytes(data)
    facts = file_facts(path, data_cid)
    form = CardForm(
        name="Wine, raw",
        description="The UCI wine recognition data as published.",
        license="CC-BY-4.0",
        purpose="Teaching classification.",
        collection_method="Chemical analysis of wines from one region of Italy.",
        biases_limitations="Three cultivars only; 178 samples.",
    )
    card = croissant_bytes(form, facts, CardContext(None, data_url=f"ipfs://{data_cid}"))
    card_cid = store.put(card)
    registration = Registration(
        content_digest=bytes.fromhex(facts.sha256_hex),
        data_cid=data_cid,
        card_cid=card_cid,
        modality="tabular",
        tags=("wine", "uci"),
    )
    who = Sender.unlocked(chain.w3, chain.w3.eth.accounts[3])
    dataset_id, _ = register(_registry(chain), who, registration)
    return dataset_id, card_cid


def _governance(chain: SeededChain, function: str, args: list[Any], description: str) -> None:
    """Call the registry as the timelock, through a real proposal the members vote through."""
    registry = _registry(chain)
    calldata = bytes.fromhex(registry.encode_abi(function, args=args)[2:])
    governor = chain.deployment.contract(chain.w3, "CoopGovernor").functions
    members = [Sender.unlocked(chain.w3, account) for account in chain.w3.eth.accounts[1:13]]
    targets, values, calldatas = [registry.address], [0], [calldata]
    members[0].call(governor.propose(targets, values, calldatas, description), what="propose")
    description_hash = keccak(text=description)
    proposal_id = governor.hashProposal(targets, values, calldatas, description_hash).call()
    devchain.increase_time(chain.w3, governor.votingDelay().call() + 1)
    for member in members:
        if governor.getVotes(member.address, devchain.latest_timestamp(chain.w3) - 1).call():
            member.call(governor.castVote(proposal_id, 1), what="vote")
    deadline = governor.proposalDeadline(proposal_id).call()
    devchain.increase_time(chain.w3, deadline - devchain.latest_timestamp(chain.w3) + 1)
    members[0].call(governor.queue(targets, values, calldatas, description_hash), what="queue")
    eta = governor.proposalEta(proposal_id).call()
    devchain.increase_time(chain.w3, eta - devchain.latest_timestamp(chain.w3) + 1)
    members[0].call(governor.execute(targets, values, calldatas, description_hash), what="execute")
    assert governor.state(proposal_id).call() == EXECUTED


def _choose(page: Page, select_id: str, option: str) -> None:
    page.locator(f"#{select_id}").click()
    page.get_by_role("option", name=option, exact=True).click()


def _upload(page: Page, path: Path) -> None:
    page.locator("#dataset-file input[type=file]").set_input_files(str(path))
    page.locator("#upload-submit").click()


def test_refusals_come_before_the_wallet_opens(
    page: Page,
    dataset_app: AppServer,
    dataset_chain: SeededChain,
    tmp_path: Path,
) -> None:
    wallet = member_wallet(dataset_chain, CONTRIBUTOR)
    install_wallets(page, wallet)
    page.goto(dataset_app.url + "/datasets/new")
    sign_in(page, wallet)
    notice = page.locator("#upload-notice")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    _upload(page, empty)
    expect(notice).to_contain_text("empty", timeout=STEP_TIMEOUT_MS)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x01" * (MAX_BYTES + 1))
    _upload(page, big)
    expect(notice).to_contain_text("larger than the 1 MiB", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#upload-cid")).to_have_count(0)
    assert cid_for_bytes(b"\x01" * (MAX_BYTES + 1)) not in {
        path.name for path in dataset_chain.content_dir.rglob("*")
    }
    ok = tmp_path / "ok.csv"
    ok.write_bytes(CSV)
    _upload(page, ok)
    expect(page.locator("#upload-cid")).to_have_text(cid_for_bytes(CSV), timeout=STEP_TIMEOUT_MS)
    for field in ("name", "description", "license", "purpose", "collection_method"):
        page.locator(f"#card-{field}").fill(f"Refused {field}")
    page.locator("#card-license").fill("CC-BY-4.0")
    # A required field left empty: named on the page, the wallet never asked.
    page.locator("#bond-eth").fill("0.1")
    page.locator("#register-submit").click()
    expect(page.locator("#register-notice")).to_contain_text(
        "Fix the fields", timeout=STEP_TIMEOUT_MS
    )
    # The bond below the registry's minimum: refused by the server before the wallet.
    page.locator("#card-biases_limitations").fill("None known.")
    page.locator("#bond-eth").fill("0.01")
    page.locator("#register-submit").click()
    expect(page.locator("#register-notice")).to_contain_text("at least", timeout=STEP_TIMEOUT_MS)
    assert wallet.count("eth_sendTransaction") == 0
    assert _registry(dataset_chain).functions.datasetCount().call() == 0


def test_a_contributor_registers_a_dataset_with_a_parent(
    page: Page,
    dataset_app: AppServer,
    dataset_chain: SeededChain,
    story: dict[str, Any],
    tmp_path: Path,
) -> None:
    parent, story["parent_card"] = _register_parent(dataset_chain, tmp_path)
    story["parent"] = parent
    wallet = member_wallet(dataset_chain, CONTRIBUTOR)
    install_wallets(page, wallet)
    page.goto(dataset_app.url + "/datasets/new")
    expect(page.locator("#register-sign-in")).to_be_visible(timeout=STEP_TIMEOUT_MS)
    sign_in(page, wallet)

    # The file: streamed in, its CID and sha-256 computed by the server.
    upload = tmp_path / "wine-clean.csv"
    upload.write_bytes(CSV)
    _upload(page, upload)
    expect(page.locator("#upload-cid")).to_have_text(cid_for_bytes(CSV), timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#upload-progress")).to_have_attribute("data-value", "100")

    # The card, validated as typed: an emptied required field is named at once.
    page.locator("#card-name").fill("x")
    page.locator("#card-name").fill("")
    expect(page.locator(".field-problem").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    fields = {
        "name": NAME,
        "description": DESCRIPTION,
        "license": "CC-BY-4.0",
        "purpose": "Teaching classification with clean data.",
        "collection_method": "Derived from the raw set by a range check.",
        "biases_limitations": "Inherits the raw set's three cultivars.",
    }
    for field, value in fields.items():
        page.locator(f"#card-{field}").fill(value)
    page.locator("#dataset-tags-input").fill("wine, clean")

    # The parent, picked by search from the index; the transformation kind.
    page.locator("#parent-search").fill(f"#{parent}")
    page.locator(f".parent-result[data-dataset-id='{parent}'] .parent-add").click()
    expect(page.locator(f".parent-chosen[data-dataset-id='{parent}']")).to_be_visible()
    _choose(page, "transformation", "filtering")
    page.locator("#transformation-note").fill("Dropped rows outside the published ranges.")
    page.locator("#bond-eth").fill("0.1")

    page.locator("#register-preview").click()
    expect(page.locator("#preview-card")).to_contain_text(DESCRIPTION, timeout=STEP_TIMEOUT_MS)

    page.locator("#register-submit").click()
    wait_done(page, "Register the dataset")
    page.wait_for_url("**/datasets", timeout=STEP_TIMEOUT_MS)

    registry = _registry(dataset_chain).functions
    dataset_id = int(registry.datasetCount().call())
    assert registry.parentsOf(dataset_id).call() == [parent]
    assert registry.contributorOf(dataset_id).call().lower() == wallet.address.lower()
    story["child"] = dataset_id

    # The catalog shows it (live: the page was loaded before it was indexed or not).
    card = page.locator(f".dataset-card[data-dataset-id='{dataset_id}']")
    expect(card).to_contain_text(NAME, timeout=STEP_TIMEOUT_MS)
    page.locator("#dataset-search").fill("cleaned")
    expect(card).to_be_visible(timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".dataset-card")).to_have_count(1)


def test_the_dataset_page_shows_card_facts_and_the_edge_from_its_parent(
    page: Page, dataset_app: AppServer, story: dict[str, Any]
) -> None:
    parent, child = story["parent"], story["child"]
    page.goto(f"{dataset_app.url}/datasets/{child}")
    expect(page.locator("#dataset-title")).to_have_text(NAME, timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#dataset-status")).to_have_text("Active")
    expect(page.locator("#dataset-card")).to_contain_text(DESCRIPTION)
    data_cid = page.locator(".dataset-fact[data-label='Data CID']")
    expect(data_cid).to_have_attribute("data-value", cid_for_bytes(CSV))
    graph = page.locator("#dataset-graph")
    graph.scroll_into_view_if_needed()
    plot = graph.locator(".js-plotly-plot")
    expect(plot).to_contain_text("filtering", timeout=STEP_TIMEOUT_MS)
    expect(plot).to_contain_text(f"#{parent}")
    expect(plot).to_contain_text(f"#{child} {NAME}")
    # A click on the parent's node opens its page.
    point = graph.locator(".scatterlayer .trace").first.locator(".point").first
    point.click(force=True)
    page.wait_for_url(f"**/datasets/{parent}", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#dataset-title")).to_have_text("Wine, raw", timeout=STEP_TIMEOUT_MS)


def test_a_curator_attests_from_the_dataset_page(
    page: Page, dataset_app: AppServer, dataset_chain: SeededChain, story: dict[str, Any]
) -> None:
    child = story["child"]
    curator = member_wallet(dataset_chain, CURATOR)
    _governance(dataset_chain, "grantRole", [CURATOR_ROLE, curator.address], "Make Bjorn a curator")
    install_wallets(page, curator)
    page.goto(f"{dataset_app.url}/datasets/{child}")
    sign_in(page, curator)
    page.locator("#attest-score").fill("87")
    page.locator("#attest-note").fill("Checked the ranges against the paper.")
    page.locator("#attest-submit").click()
    wait_done(page, f"Attest dataset #{child}")
    row = page.locator(f".dataset-attestation[data-curator='{curator.address.lower()}']")
    expect(row).to_contain_text("87", timeout=STEP_TIMEOUT_MS)
    expect(row).to_contain_text("Checked the ranges against the paper.")
    # A second attestation is offered as an update.
    expect(page.locator("#attest-submit")).to_have_text(
        "Update attestation", timeout=STEP_TIMEOUT_MS
    )
    attestation = _registry(dataset_chain).functions.attestationOf(child, curator.address).call()
    assert attestation[0] == 87
    # The update replaces it (one current attestation per curator).
    page.locator("#attest-score").fill("90")
    page.locator("#attest-submit").click()
    wait_done(page, f"Update your attestation of dataset #{child}")
    expect(row).to_contain_text("90", timeout=STEP_TIMEOUT_MS)
    expect(page.locator(".dataset-attestation")).to_have_count(1)
    assert _registry(dataset_chain).functions.attestationOf(child, curator.address).call()[0] == 90


def test_exports_download_and_parse(dataset_app: AppServer, story: dict[str, Any]) -> None:
    child = story["child"]
    base = f"{dataset_app.url}/api/datasets/{child}"
    with httpx.Client(timeout=30) as client:
        croissant = client.get(f"{base}/croissant")
        assert croissant.status_code == 200
        assert croissant.headers["content-type"].startswith("application/ld+json")
        assert json.loads(croissant.content)["name"] == NAME
        card = client.get(f"{base}/card.md")
        assert card.status_code == 200
        assert card.headers["content-type"].startswith("text/markdown")
        header = card.text.split("---")[1]
        assert isinstance(yaml.safe_load(header), dict)
        prov = client.get(f"{base}/prov")
        assert prov.status_code == 200
        assert prov.headers["content-type"].startswith("application/json")
        assert "entity" in json.loads(prov.content)
        car = client.get(f"{base}/car")
        assert car.status_code == 200
        assert car.headers["content-type"].startswith("application/vnd.ipld.car")
        assert len(car.content) > len(CSV)
        data = client.get(f"{dataset_app.url}/ipfs/{cid_for_bytes(CSV)}")
        assert data.status_code == 200 and data.content == CSV


def test_the_catalog_shows_a_new_registration_without_a_reload(
    page: Page, dataset_app: AppServer, dataset_chain: SeededChain, story: dict[str, Any]
) -> None:
    page.goto(f"{dataset_app.url}/datasets")
    expect(page.locator(".dataset-card")).to_have_count(2, timeout=STEP_TIMEOUT_MS)
    # Registered by someone else, its card never stored in this app's content store.
    who = Sender.unlocked(dataset_chain.w3, dataset_chain.w3.eth.accounts[4])
    dataset_id, _ = register(_registry(dataset_chain), who, sample_registration("Live one"))
    expect(page.locator(f".dataset-card[data-dataset-id='{dataset_id}']")).to_be_visible(
        timeout=STEP_TIMEOUT_MS
    )
    page.goto(f"{dataset_app.url}/datasets/{dataset_id}")
    problem = page.locator("#dataset-card-problem")
    expect(problem).to_have_attribute("data-card-state", "unavailable", timeout=STEP_TIMEOUT_MS)
    expect(problem).to_contain_text("Unavailable")
    # A new version by its contributor: the open page turns Superseded, both versions listed.
    newer, _ = register(
        _registry(dataset_chain),
        who,
        sample_registration("Live one, v2", supersedes=dataset_id),
    )
    expect(page.locator("#dataset-status")).to_have_text("Superseded", timeout=STEP_TIMEOUT_MS)
    expect(page.locator("#dataset-status-reason")).to_contain_text(
        f"Superseded by dataset #{newer}"
    )
    expect(page.locator(".dataset-version")).to_have_count(2)


def test_a_card_whose_stored_bytes_changed_is_never_shown(
    page: Page, dataset_app: AppServer, dataset_chain: SeededChain, story: dict[str, Any]
) -> None:
    parent = story["parent"]
    page.goto(f"{dataset_app.url}/datasets/{parent}")
    expect(page.locator("#dataset-card")).to_contain_text("as published", timeout=STEP_TIMEOUT_MS)
    stored = next(
        path
        for path in dataset_chain.content_dir.rglob("*")
        if path.is_file() and path.name == story["parent_card"]
    )
    original = stored.read_bytes()
    try:
        stored.write_bytes(original.replace(b"as published", b"as tampered!"))
        # Pages show what was read (and verified) at the indexed head: the next head re-reads.
        dataset_chain.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        problem = page.locator("#dataset-card-problem")
        expect(problem).to_have_attribute("data-card-state", "mismatch", timeout=STEP_TIMEOUT_MS)
        expect(page.locator("body")).not_to_contain_text("as tampered!")
    finally:
        stored.write_bytes(original)


def test_delisting_through_a_proposal_shows_and_slashes_the_bond(
    page: Page, dataset_app: AppServer, dataset_chain: SeededChain, story: dict[str, Any]
) -> None:
    child = story["child"]
    reason_cid = LocalContentStore(dataset_chain.content_dir).put(REASON)
    timelock = dataset_chain.deployment.address("CoopTimelock")
    before = dataset_chain.w3.eth.get_balance(timelock)
    page.goto(f"{dataset_app.url}/datasets/{child}")
    expect(page.locator("#dataset-status")).to_have_text("Active", timeout=STEP_TIMEOUT_MS)
    _governance(dataset_chain, "delist", [child, reason_cid], f"Delist dataset #{child}")
    assert dataset_chain.w3.eth.get_balance(timelock) - before == BOND
    # Live: the open page turns to Delisted with the reason read from the content store.
    expect(page.locator("#dataset-status")).to_have_text("Delisted", timeout=STEP_TIMEOUT_MS)
    reason = page.locator("#dataset-status-reason")
    expect(reason).to_contain_text(REASON.decode())
    expect(reason).to_contain_text("Its bond of 0.1 ETH went to the treasury.")
    # The catalog's status filter finds it; a delisted dataset is never offered as a parent.
    page.goto(f"{dataset_app.url}/datasets")
    page.locator("#dataset-status").select_option(label="Delisted")
    expect(page.locator(".dataset-card")).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    expect(page.locator(f".dataset-card[data-dataset-id='{child}']")).to_be_visible()
    wallet = member_wallet(dataset_chain, CONTRIBUTOR)
    install_wallets(page, wallet)
    page.goto(f"{dataset_app.url}/datasets/new")
    sign_in(page, wallet)
    page.locator("#parent-search").fill(f"#{story['parent']}")
    expect(page.locator(".parent-result")).to_have_count(1, timeout=STEP_TIMEOUT_MS)
    page.locator("#parent-search").fill(f"#{child}")
    expect(page.locator(".parent-result")).to_have_count(0, timeout=STEP_TIMEOUT_MS)
