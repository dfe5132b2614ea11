"""DatasetRegisterState: /datasets/new: upload, card, parents, preview, register.

Any client can call any handler with anything: the file's CID is kept in a
backend var set only by the upload handler (after the bytes were stored and
their facts computed on the server); parents are taken only from the server's
own search results; the whole request is checked again by
services/datasets/register.prepare_registration before the wallet opens.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings, load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.datasets.cards import (
    REQUIRED_FIELDS,
    TEXT_LIMITS,
    CardForm,
    card_problems,
)
from coop_dashboard.services.datasets.register import (
    RegistrationRefused,
    RegistrationRequest,
    prepare_registration,
)
from coop_dashboard.services.datasets.register_view import (
    DERIVED_TRANSFORMATIONS,
    ParentOption,
    bond_problem,
    minimum_bond,
    minimum_bond_text,
    parent_limit_problem,
    parent_options,
    parse_bond,
    register_preview,
)
from coop_dashboard.services.datasets.upload import DatasetUpload, UploadRefused, size_limit_text
from coop_dashboard.services.plotly_json import EMPTY_FIGURE_JSON, figure_json
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.session import authenticated_address_now
from coop_dashboard.state.tx import start_write

UPLOAD_ID = "dataset-file"
CARD_FIELDS = (*TEXT_LIMITS.keys(), "keywords")
# Chunks are gathered to this size before a worker thread hashes and writes them.
_WRITE_BATCH_BYTES = 4 * 1024 * 1024
_MAX_TAGS_TEXT = 1_000
_MAX_TEXT = 10_000


def tags_from_text(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


class DatasetRegisterState(rx.State):
    # The file (set by the upload handler only).
    uploading: bool = False
    upload_progress: int = 0
    upload_notice: str = ""
    file_name: str = ""
    file_cid: str = ""
    file_sha256: str = ""
    file_size: str = ""
    file_format: str = ""
    file_rows: str = ""
    size_limit: str = ""
    _data_cid: str = ""
    # The card.
    card: dict[str, str] = {"version": "1.0.0"}
    problems: dict[str, str] = {}
    modality: str = "tabular"
    tags_text: str = ""
    # Lineage.
    parent_query: str = ""
    parent_results: list[ParentOption] = []
    parents: list[ParentOption] = []
    transformation: str = "cleaning"
    transformation_note: str = ""
    # Bond.
    bond_eth: str = ""
    minimum_bond: str = ""
    # Preview and outcome.
    preview_html: str = ""
    # Plotly JSON, not a go.Figure (services/plotly_json.py says why).
    preview_graph: dict[str, Any] = EMPTY_FIGURE_JSON
    previewed: bool = False
    notice: str = ""

    @rx.var(cache=True)
    def can_submit(self) -> bool:
        return self.file_cid != "" and not self.uploading

    @rx.event
    async def load(self) -> Any:
        self.notice = ""
        return DatasetRegisterState.load_chain_facts

    @rx.event(background=True)
    async def load_chain_facts(self) -> None:
        settings = load_settings()
        wei = await asyncio.to_thread(minimum_bond, settings)
        async with self:
            self.minimum_bond = minimum_bond_text(wei)
            self.size_limit = size_limit_text(settings)
            if not self.bond_eth and wei is not None:
                self.bond_eth = str(wei / 10**18) if wei % 10**12 == 0 else ""

    # ---- the file --------------------------------------------------------------

    def _forget_file(self) -> None:
        self._data_cid = ""
        self.file_name = self.file_cid = self.file_sha256 = ""
        self.file_size = self.file_format = self.file_rows = ""

    @rx.event
    def on_upload_progress(self, progress: Any) -> None:
        if isinstance(progress, dict):
            fraction = progress.get("progress")
            if isinstance(fraction, int | float) and 0 <= fraction <= 1:
                self.upload_progress = round(fraction * 100)

    @rx.event(background=True)
    async def upload(self, chunks: rx.UploadChunkIterator) -> None:
        """Stream the file into the content store as it arrives (writes off the loop)."""
        async with self:
            self.uploading, self.upload_notice = True, ""
            self._forget_file()
        account = await authenticated_address_now(self)
        # Opening the writer makes its temporary files: off the loop, like every write.
        upload = await asyncio.to_thread(DatasetUpload, load_settings())
        problem = "" if account is not None else "Sign in with your wallet to upload a dataset."
        batch, name = bytearray(), ""
        try:
            async for chunk in chunks:
                if problem:
                    continue  # drain what the browser still sends; nothing is kept
                if batch and chunk.filename != name:
                    await asyncio.to_thread(upload.add, name, bytes(batch))
                    batch.clear()
                name = chunk.filename
                batch += chunk.data
                if len(batch) >= _WRITE_BATCH_BYTES:
                    await asyncio.to_thread(upload.add, name, bytes(batch))
                    batch.clear()
        except UploadRefused as refused:
            problem = str(refused)
            async for _ in chunks:
                pass
        except BaseException:
            await asyncio.to_thread(upload.abort)
            raise
        uploaded = None
        if not problem:
            try:
                if batch:
                    await asyncio.to_thread(upload.add, name, bytes(batch))
                uploaded = await asyncio.to_thread(upload.finish)
            except UploadRefused as refused:
                problem = str(refused)
            except BaseException:
                await asyncio.to_thread(upload.abort)
                raise
        else:
            await asyncio.to_thread(upload.abort)
        async with self:
            self.uploading = False
            if uploaded is None:
                self.upload_notice = problem
                self.upload_progress = 0
                return
            facts = uploaded.facts
            self._data_cid = facts.cid
            self.file_name, self.file_cid, self.file_sha256 = (
                uploaded.filename[:120],
                facts.cid,
                facts.sha256_hex,
            )
            self.file_size, self.file_format = uploaded.size_text, facts.encoding_format
            self.file_rows = "" if facts.row_count is None else f"{facts.row_count:,} rows"
            self.upload_progress = 100
            self.problems = {k: v for k, v in self.problems.items() if k != "data_cid"}

    # ---- the card (validated as it is typed) -----------------------------------

    def _check_card(self) -> None:
        found = card_problems(CardForm.from_mapping(self.card))
        # Required fields are named only once the person has touched them or submitted.
        self.problems = {
            k: v for k, v in found.items() if k not in REQUIRED_FIELDS or k in self.card
        }

    @rx.event
    def set_card_field(self, field: Any, value: Any) -> None:
        if field not in CARD_FIELDS or not isinstance(value, str):
            return
        self.card = {**self.card, field: value[:_MAX_TEXT]}
        self._check_card()
        self.previewed = False

    @rx.event
    def set_modality(self, value: Any) -> None:
        self.modality = value[:64] if isinstance(value, str) else ""

    @rx.event
    def set_tags_text(self, value: Any) -> None:
        self.tags_text = value[:_MAX_TAGS_TEXT] if isinstance(value, str) else ""

    @rx.event
    def set_transformation(self, value: Any) -> None:
        if value in DERIVED_TRANSFORMATIONS:
            self.transformation = value
            self.previewed = False

    @rx.event
    def set_transformation_note(self, value: Any) -> None:
        self.transformation_note = value[:_MAX_TEXT] if isinstance(value, str) else ""

    @rx.event
    def set_bond_eth(self, value: Any) -> None:
        self.bond_eth = value[:80] if isinstance(value, str) else ""
        problem = bond_problem(self.bond_eth)
        others = {k: v for k, v in self.problems.items() if k != "bond"}
        self.problems = {**others, "bond": problem} if problem else others

    # ---- parents ----------------------------------------------------------------

    @rx.event
    async def search_parents(self, value: Any) -> None:
        if not isinstance(value, str):
            return
        self.parent_query = value[:200]
        try:
            self.parent_results = await asyncio.to_thread(
                parent_options, load_settings(), self.parent_query
            )
        except CoopError as error:
            self.parent_results, self.notice = [], str(error)

    @rx.event
    def add_parent(self, dataset_id: Any) -> None:
        """Add a parent from the current search results (never an id the server did not offer)."""
        found = [p for p in self.parent_results if p.dataset_id == dataset_id]
        if not found or any(p.dataset_id == dataset_id for p in self.parents):
            return
        problem = parent_limit_problem(len(self.parents))
        if problem:
            self.problems = {**self.problems, "parents": problem}
            return
        self.parents = [*self.parents, found[0]]
        self.previewed = False

    @rx.event
    def remove_parent(self, dataset_id: Any) -> None:
        self.parents = [p for p in self.parents if p.dataset_id != dataset_id]
        self.problems = {k: v for k, v in self.problems.items() if k != "parents"}
        self.previewed = False

    # ---- preview and register -----------------------------------------------------

    def _transformation(self) -> str:
        return self.transformation if self.parents else "source"

    @rx.event
    async def preview(self) -> None:
        form = CardForm.from_mapping(self.card)
        shown = await asyncio.to_thread(
            register_preview, form, list(self.parents), self._transformation()
        )
        self.preview_html, self.preview_graph = shown.card_html, figure_json(shown.graph)
        self.previewed = True

    def _request(self) -> RegistrationRequest | None:
        """The request as the form stands, or None (with problems set) when it cannot be."""
        self.problems = dict(card_problems(CardForm.from_mapping(self.card)))
        if not self._data_cid:
            self.problems["data_cid"] = "Upload the data file first."
        try:
            bond = parse_bond(self.bond_eth)
        except CoopError as error:
            self.problems["bond"] = str(error)
            bond = -1
        if self.problems:
            return None
        return RegistrationRequest(
            data_cid=self._data_cid,
            form=CardForm.from_mapping(self.card),
            modality=self.modality.strip(),
            tags=tags_from_text(self.tags_text),
            parents=tuple(p.dataset_id for p in self.parents),
            transformation=self._transformation(),
            transformation_note=self.transformation_note.strip() if self.parents else "",
            bond_wei=bond,
        )

    # A plain event, then background work: it reads what was typed only after the
    # edits sent before the click (state/__init__.py says why).
    @rx.event
    def register(self) -> Any:
        """Check everything on the server, store the card, then `register` in the wallet."""
        return DatasetRegisterState.run_register

    @rx.event(background=True)
    async def run_register(self) -> Any:
        async with self:
            self.notice = ""
            request = self._request()
            if request is None:
                self.notice = "Fix the fields marked below first: " + next(
                    iter(self.problems.values())
                )
                return
        refused: dict[str, str] = {}

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            try:
                return prepare_registration(settings, signer, request).write
            except RegistrationRefused as error:
                refused.update(error.problems)
                raise

        event = await start_write(
            self,
            summary="Register the dataset",
            prepare=prepare,
            refresh=[cast(EventHandler, DatasetRegisterState.after_register)],
        )
        if refused:
            async with self:
                self.problems = {**self.problems, **refused}
                self.notice = next(iter(refused.values()))
        if event is not None:
            yield event

    @rx.event
    def after_register(self) -> Any:
        self._forget_file()
        self.card, self.problems = {"version": "1.0.0"}, {}
        self.parents, self.parent_results, self.parent_query = [], [], ""
        self.tags_text = self.transformation_note = ""
        self.preview_html, self.previewed = "", False
        self.preview_graph = EMPTY_FIGURE_JSON
        self.upload_progress = 0
        return rx.redirect("/datasets")
