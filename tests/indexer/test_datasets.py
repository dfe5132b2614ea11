"""Indexing DatasetRegistry: a real chain with registrations, lineage, versions, attestations,
pauses, a delisting, bond withdrawals and hostile strings, on SQLite and PostgreSQL; the
read queries over the result; and a reorg that must leave what a clean index gives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from eth_abi import encode
from eth_utils import function_signature_to_4byte_selector
from sqlalchemy import text
from web3 import Web3
from web3.contract import Contract

from coop_dashboard.chain import devchain
from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.contracts import Deployment, write_manifest
from coop_dashboard.chain.transact import Sender
from coop_dashboard.db import dataset_queries as dq
from coop_dashboard.db.dataset_cards import cards_missing, save_card_facts
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.digest import database_digest
from coop_dashboard.indexer.handlers.datasets import DatasetStates
from coop_dashboard.indexer.service import run_once
from tests.indexer.conftest import engine_for, indexer_settings
from tests.support.chains import Chain, deploy, start_chain
from tests.support.datasets import BOND, act_as_governance, register, sample_registration

WAITING = 30 * 86_400
REGISTER_SIGNATURE = (
    "register((bytes32,string,string,string,string[],uint256[],uint8,string,uint256))"
)


@dataclass
class DatasetChain:
    chain: Chain
    deployment: Deployment
    manifest: Path
    registry: Contract
    alice: Sender
    bob: Sender
    curators: list[Sender]
    governance: Sender


def _start(artifacts: dict[str, Artifact], directory: Path) -> DatasetChain:
    chain = start_chain(directory)
    deployment = deploy(chain, artifacts)
    manifest = directory / "deployment.json"
    write_manifest(deployment, manifest)
    w3 = chain.w3
    registry = deployment.contract(w3, "DatasetRegistry")
    governance = act_as_governance(w3, deployment)
    curators = [Sender.unlocked(w3, a) for a in w3.eth.accounts[7:9]]
    role = registry.functions.CURATOR_ROLE().call()
    for curator in curators:
        governance.call(registry.functions.grantRole(role, curator.address), what="grant")
    return DatasetChain(
        chain,
        deployment,
        manifest,
        registry,
        Sender.unlocked(w3, w3.eth.accounts[3]),
        Sender.unlocked(w3, w3.eth.accounts[4]),
        curators,
        governance,
    )


def _register_raw(w3: Web3, registry: Contract, who: Sender, tags: list[bytes]) -> None:
    """A registration whose tags are raw bytes (invalid UTF-8, NUL): strings as the chain
    sees them, which web3 would refuse to encode."""
    data = sample_registration("hostile")
    struct = (
        data.content_digest,
        data.data_cid.encode(),
        data.card_cid.encode(),
        b"t\xffbular",
        tags,
        [],
        0,
        b"",
        0,
    )
    calldata = function_signature_to_4byte_selector(REGISTER_SIGNATURE) + encode(
        ["(bytes32,bytes,bytes,bytes,bytes[],uint256[],uint8,bytes,uint256)"], [struct]
    )
    who.send({"to": registry.address, "data": calldata, "value": 2 * BOND}, what="hostile register")  # type: ignore[typeddict-item]


def _story(world: DatasetChain) -> dict[str, int]:
    """What the dataset pages must show afterwards (ids by role)."""
    w3, registry = world.chain.w3, world.registry
    alice, bob, governance = world.alice, world.bob, world.governance
    first, second = world.curators
    digits, _ = register(registry, alice, sample_registration("digits", tags=("images", "small")))
    wine, _ = register(registry, bob, sample_registration("wine", tags=("tabular",)))
    merged, _ = register(
        registry,
        alice,
        sample_registration("merged", parents=(digits, wine), transformation="merge"),
    )
    split, _ = register(
        registry, bob, sample_registration("split", parents=(merged,), transformation="split")
    )
    v2, _ = register(registry, alice, sample_registration("digits v2", supersedes=digits))
    bad, _ = register(registry, bob, sample_registration("bad", modality="image"), bond=2 * BOND)
    paused, _ = register(registry, alice, sample_registration("paused"))
    functions = registry.functions
    first.call(functions.attest(merged, 90, "bafynote1"), what="attest")
    second.call(functions.attest(merged, 71, "bafynote2"), what="attest")
    second.call(functions.updateAttestation(merged, 75, "bafynote2b"), what="update")
    first.call(functions.attest(wine, 40, ""), what="attest")
    governance.call(functions.delist(bad, "bafyreason"), what="delist")
    governance.call(functions.pauseLicensing(paused), what="pause")
    role = functions.CURATOR_ROLE().call()
    governance.call(functions.revokeRole(role, second.address), what="revoke")
    governance.call(functions.setMinimumBond(2 * BOND), what="min bond")
    alice.call(functions.transferFrom(alice.address, bob.address, merged), what="transfer")
    devchain.increase_time(w3, WAITING + 1)
    bob.call(functions.withdrawBond(wine), what="withdraw")
    _register_raw(w3, registry, alice, [b"ok", b"bad\xff\xfe", b"nul\x00tag"])
    return {
        "digits": digits,
        "wine": wine,
        "merged": merged,
        "split": split,
        "v2": v2,
        "bad": bad,
        "paused": paused,
        "hostile": paused + 1,
    }


@pytest.fixture(scope="module")
def story(
    compiled_artifacts: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DatasetChain, dict[str, int]]]:
    world = _start(compiled_artifacts, tmp_path_factory.mktemp("datasets"))
    try:
        ids = _story(world)
        yield world, ids
    finally:
        world.chain.stop()


def test_the_index_answers_every_dataset_question(
    story: tuple[DatasetChain, dict[str, int]], database_url: str
) -> None:
    world, ids = story
    run_once(indexer_settings(world.chain.rpc_url, world.manifest, database_url), IndexerConfig())
    engine = engine_for(database_url)
    alice, bob = world.alice.address.lower(), world.bob.address.lower()

    page = dq.dataset_catalog(engine, dq.CatalogQuery(page_size=100))
    assert page.total == 8
    assert [row.dataset_id for row in page.rows] == sorted(ids.values(), reverse=True)
    by_id = {row.dataset_id: row for row in page.rows}
    assert by_id[ids["digits"]].status == "superseded"
    assert by_id[ids["bad"]].status == "delisted" and by_id[ids["bad"]].bond == 0
    assert by_id[ids["paused"]].status == "licensing_paused"
    assert by_id[ids["wine"]].bond == 0  # withdrawn
    merged = by_id[ids["merged"]]
    assert merged.owner == bob and merged.transformation == "merge"
    assert merged.attestation_count == 2 and merged.quality == 82.5  # (90 + 75) / 2
    assert merged.curator_verified and merged.use_count == 1 and merged.parent_count == 2
    assert by_id[ids["digits"]].use_count == 1

    hostile = by_id[ids["hostile"]]
    assert hostile.modality == "t\ufffdbular"
    assert hostile.tags == ["ok", "bad\ufffd\ufffd", "nul\ufffdtag"]

    def catalog(**filters: object) -> list[int]:
        query = replace(dq.CatalogQuery(page_size=100), **filters)  # type: ignore[arg-type]
        return [row.dataset_id for row in dq.dataset_catalog(engine, query).rows]

    assert catalog(statuses=("delisted",)) == [ids["bad"]]
    assert catalog(modality="image") == [ids["bad"]]
    assert catalog(tags=("images", "small")) == [ids["digits"]]
    assert catalog(tags=("tabular", "images")) == []
    assert catalog(curator_verified=True, sort="quality") == [ids["merged"], ids["wine"]]
    assert catalog(sort="most_used")[:3] == [ids["merged"], ids["wine"], ids["digits"]]
    assert catalog(search=f"#{ids['split']}") == [ids["split"]]
    assert catalog(search="100%_") == []  # wildcards are literal
    split_cid = sample_registration("split").data_cid
    assert catalog(search=split_cid.upper()) == [ids["split"]]
    assert (
        dq.dataset_catalog(engine, dq.CatalogQuery(page=2, page_size=3)).rows[0].dataset_id
        == (ids["v2"])
    )
    for bad_query in (
        dq.CatalogQuery(sort="random"),
        dq.CatalogQuery(statuses=("gone",)),
        dq.CatalogQuery(page=0),
        dq.CatalogQuery(page_size=1_000),
        dq.CatalogQuery(search="x" * 201),
    ):
        with pytest.raises(dq.CatalogQueryError):
            dq.dataset_catalog(engine, bad_query)

    # Card facts arrive later (the card service) and join the search and license filter.
    missing = cards_missing(engine, [merged.card_cid, by_id[ids["wine"]].card_cid])
    assert missing == [merged.card_cid, by_id[ids["wine"]].card_cid]
    save_card_facts(
        engine,
        merged.card_cid,
        name="Digits and wine",
        description="Two classics\x00 merged",
        license="CC-BY-4.0",
    )
    assert catalog(search="classics") == [ids["merged"]]
    assert catalog(license="CC-BY-4.0") == [ids["merged"]]
    # A recomputed state row keeps the card's facts (the indexer copies them again).
    with engine.begin() as connection:
        DatasetStates().refresh(connection, {ids["merged"]}, None)
    assert catalog(search="classics", license="CC-BY-4.0") == [ids["merged"]]
    facets = dq.catalog_facets(engine)
    assert ("tabular", 6) in facets.modalities and ("CC-BY-4.0", 1) in facets.licenses

    facts = dq.get_dataset(engine, ids["bad"])
    assert facts is not None
    assert facts.delisted_reason_cid == "bafyreason" and facts.contributor == bob
    assert [(c.kind, c.amount) for c in facts.history] == [("delisted", 2 * BOND)]
    merged_facts = dq.get_dataset(engine, ids["merged"])
    assert merged_facts is not None and merged_facts.parents == [ids["digits"], ids["wine"]]
    assert merged_facts.summary.name == "Digits and wine"
    assert (
        merged_facts.transformation_note_cid
        == sample_registration("merged", parents=(1,)).transformation_note_cid
    )
    assert [c.kind for c in merged_facts.history] == ["transferred"]
    paused_facts = dq.get_dataset(engine, ids["paused"])
    assert paused_facts is not None and paused_facts.paused_by_governance
    assert dq.get_dataset(engine, 999) is None

    attestations = dq.dataset_attestations(engine, ids["merged"])
    first, second = (c.address.lower() for c in world.curators)
    assert [(a.curator, a.score, a.revision, a.curator_now) for a in attestations] == [
        (first, 90, 1, True),
        (second, 75, 2, False),  # role revoked since: shown, flagged
    ]
    assert dq.current_curators(engine) == [first]
    assert dq.is_curator(engine, first.upper().replace("0X", "0x"))
    assert not dq.is_curator(engine, second)
    assert dq.has_attested(engine, ids["merged"], first)
    assert not dq.has_attested(engine, ids["split"], first)

    versions = dq.dataset_versions(engine, ids["v2"])
    assert [(v.dataset_id, v.status) for v in versions] == [
        (ids["digits"], "superseded"),
        (ids["v2"], "active"),
    ]

    graph = dq.dataset_lineage(engine, ids["merged"])
    assert {(n.dataset_id, n.depth) for n in graph.nodes} == {
        (ids["digits"], -1),
        (ids["wine"], -1),
        (ids["merged"], 0),
        (ids["split"], 1),
    }
    assert {(e.parent_id, e.child_id, e.transformation) for e in graph.edges} == {
        (ids["digits"], ids["merged"], "merge"),
        (ids["wine"], ids["merged"], "merge"),
        (ids["merged"], ids["split"], "split"),
    }
    assert not graph.truncated
    small = dq.dataset_lineage(engine, ids["split"], max_depth=1)
    assert small.truncated and {n.dataset_id for n in small.nodes} == {ids["merged"], ids["split"]}

    with engine.connect() as connection:
        settings = connection.execute(
            text(
                "SELECT setting, old_value, new_value FROM gov_setting_change"
                " WHERE setting LIKE :prefix ORDER BY block_number, log_index"
            ),
            {"prefix": "dataset%"},
        ).all()
    assert [tuple(row) for row in settings] == [
        ("dataset_minimum_bond", "0", str(BOND)),
        ("dataset_bond_waiting_period", "0", str(WAITING)),
        ("dataset_minimum_bond", str(BOND), str(2 * BOND)),
    ]
    assert alice  # the contributor of digits
    assert by_id[ids["digits"]].owner == alice


def test_a_reorg_leaves_what_a_clean_index_gives(
    compiled_artifacts: dict[str, Artifact],
    tmp_path: Path,
    database_url: str,
    make_database_url: Callable[[], str],
) -> None:
    world = _start(compiled_artifacts, tmp_path)
    try:
        w3, registry = world.chain.w3, world.registry
        settings = indexer_settings(world.chain.rpc_url, world.manifest, database_url)
        root, _ = register(registry, world.alice, sample_registration("root"))
        child, _ = register(registry, world.bob, sample_registration("child", parents=(root,)))
        world.curators[0].call(registry.functions.attest(root, 60, ""), what="attest")
        run_once(settings, IndexerConfig())
        snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]

        # A branch that changes every kind of state, then vanishes.
        functions = registry.functions
        world.curators[0].call(functions.updateAttestation(root, 10, "x"), what="update")
        world.curators[1].call(functions.attest(root, 20, ""), what="attest")
        world.governance.call(functions.delist(child, "bafyreason"), what="delist")
        register(registry, world.alice, sample_registration("root v2", supersedes=root))
        register(registry, world.alice, sample_registration("grandchild", parents=(root,)))
        role = functions.CURATOR_ROLE().call()
        world.governance.call(functions.revokeRole(role, world.curators[0].address), what="rv")
        run_once(settings, IndexerConfig())
        engine = engine_for(database_url)
        assert dq.dataset_catalog(engine, dq.CatalogQuery()).total == 4

        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        world.alice.call(functions.pauseLicensing(root), what="pause on the new branch")
        devchain.mine(w3, 3)
        run_once(settings, IndexerConfig())

        clean = make_database_url()
        run_once(indexer_settings(world.chain.rpc_url, world.manifest, clean), IndexerConfig())
        assert database_digest(engine) == database_digest(engine_for(clean))
        rows = dq.dataset_catalog(engine, dq.CatalogQuery()).rows
        assert [(r.dataset_id, r.status, r.use_count, r.quality) for r in rows] == [
            (child, "active", 0, None),
            (root, "licensing_paused", 1, 60.0),
        ]
        assert len(dq.current_curators(engine)) == 2
    finally:
        world.chain.stop()
