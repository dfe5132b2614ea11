"""The dataset states' handlers called with forged input, as any client can call them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from reflex.state import State

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.services.datasets.attest import AttestationRefused, prepare_attestation
from coop_dashboard.services.datasets.register_view import ParentOption
from coop_dashboard.services.live_data import live_hub
from coop_dashboard.state.dataset_page import DatasetPageState, dataset_id_from_path
from coop_dashboard.state.dataset_register import DatasetRegisterState
from coop_dashboard.state.datasets import DatasetCatalogState


@pytest.fixture
def empty_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    url = f"sqlite:///{tmp_path / 'datasets.db'}"
    engine = make_engine(url)
    create_tables(engine)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("COOP_DATA_DIR", str(tmp_path))
    yield
    engine.dispose()


async def _state(cls: type[State]) -> State:
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    return await root.get_state(cls)


@pytest.mark.usefixtures("empty_index")
def test_catalog_controls_refuse_forged_values_with_a_sentence() -> None:
    async def scenario() -> None:
        catalog = await _state(DatasetCatalogState)
        assert isinstance(catalog, DatasetCatalogState)
        try:
            await DatasetCatalogState.load.fn(catalog)  # type: ignore[attr-defined]
            assert catalog.view.loaded and catalog.view.total == 0
            await DatasetCatalogState.set_sort.fn(catalog, "<script>")  # type: ignore[attr-defined]
            assert catalog.sort == "newest" and "Unknown sort" in catalog.notice
            await DatasetCatalogState.set_status.fn(catalog, "'; DROP TABLE x")  # type: ignore[attr-defined]
            assert catalog.status == "all" and "Unknown status" in catalog.notice
            await DatasetCatalogState.set_search.fn(catalog, "x" * 100_000)  # type: ignore[attr-defined]
            assert catalog.search == "" and "at most" in catalog.notice
            await DatasetCatalogState.set_status.fn(catalog, "delisted")  # type: ignore[attr-defined]
            assert catalog.status == "delisted" and catalog.notice == ""
            await DatasetCatalogState.set_status.fn(catalog, "all")  # type: ignore[attr-defined]
            assert catalog.status == "all"
            await DatasetCatalogState.next_page.fn(catalog)  # type: ignore[attr-defined]
            assert catalog.view.page == 1  # there is no page 2
        finally:
            live_hub().stop()

    asyncio.run(scenario())


def test_a_dataset_page_path_names_a_positive_id_only() -> None:
    assert dataset_id_from_path("/datasets/12") == 12
    assert dataset_id_from_path("/datasets/12/") == 12
    for path in (
        "/datasets/0",
        "/datasets/-1",
        "/datasets/abc",
        "/datasets/١٢",
        "/datasets/" + "9" * 19,
    ):
        assert dataset_id_from_path(path) is None


@pytest.mark.usefixtures("empty_index")
def test_a_graph_click_opens_only_the_views_links() -> None:
    async def scenario() -> None:
        page = await _state(DatasetPageState)
        assert isinstance(page, DatasetPageState)
        page.view = page.view.__class__(graph_targets=[["/datasets/3"]])
        opened = DatasetPageState.open_node.fn(page, [{"curveNumber": 0, "pointNumber": 0}])  # type: ignore[attr-defined]
        assert opened is not None
        forged = DatasetPageState.open_node.fn(page, [{"curveNumber": 0, "pointNumber": 5}])  # type: ignore[attr-defined]
        assert forged is None
        assert DatasetPageState.open_node.fn(page, "https://evil.example") is None  # type: ignore[attr-defined]

    asyncio.run(scenario())


@pytest.mark.usefixtures("empty_index")
def test_register_handlers_refuse_forged_input() -> None:
    async def scenario() -> None:
        form = await _state(DatasetRegisterState)
        assert isinstance(form, DatasetRegisterState)
        # A parent the server did not offer in its search results is not added.
        DatasetRegisterState.add_parent.fn(form, 999)  # type: ignore[attr-defined]
        assert form.parents == []
        form.parent_results = [ParentOption(i, f"d{i}", "active") for i in range(1, 20)]
        for dataset_id in range(1, 20):
            DatasetRegisterState.add_parent.fn(form, dataset_id)  # type: ignore[attr-defined]
        assert len(form.parents) == 16 and "At most 16" in form.problems["parents"]
        # Unknown fields and non-text values are dropped; the CID cannot be set by a client.
        DatasetRegisterState.set_card_field.fn(form, "_data_cid", "bafkfake")  # type: ignore[attr-defined]
        DatasetRegisterState.set_card_field.fn(form, "name", {"x": 1})  # type: ignore[attr-defined]
        assert "_data_cid" not in form.card and "name" not in form.card
        DatasetRegisterState.set_transformation.fn(form, "source")  # type: ignore[attr-defined]
        assert form.transformation == "cleaning"
        # Validated as typed: a required field emptied says so.
        DatasetRegisterState.set_card_field.fn(form, "name", "")  # type: ignore[attr-defined]
        assert "name" in form.problems
        DatasetRegisterState.set_bond_eth.fn(form, "lots")  # type: ignore[attr-defined]
        assert "bond" in form.problems
        # Nothing uploaded, required fields missing: no request reaches the wallet path.
        assert form._request() is None
        assert form.problems["data_cid"] == "Upload the data file first."
        assert {"description", "license", "purpose"} <= set(form.problems)

    asyncio.run(scenario())


@pytest.mark.usefixtures("empty_index")
def test_a_non_curator_is_refused_before_the_wallet_opens_and_nothing_is_stored() -> None:
    settings = load_settings()
    with pytest.raises(AttestationRefused, match="Only curators"):
        prepare_attestation(settings, "0x" + "11" * 20, 1, 50, "A note nobody should keep.")
    with pytest.raises(AttestationRefused, match="score"):
        prepare_attestation(settings, "0x" + "11" * 20, 1, 101, "")
    stored = [p for p in settings.content_dir.rglob("*") if p.is_file()]
    assert stored == []
