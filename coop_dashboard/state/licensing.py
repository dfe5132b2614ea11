"""LicensingState: the licensing section of a dataset's page (/datasets/[dataset_id]).

Two live views: the section everyone sees (tiers, the split of a purchase, the
parents' limits), keyed by dataset, and what the signed-in account sees besides
(its passes, the access log for the contributor and governance), keyed by
(dataset, account): a purchase, a renewal or a revocation shows without a reload.

Handlers take anything a browser sends: setters keep only text (bounded) and
booleans; the writes re-check everything on the server (services/licensing)
before the wallet opens. Downloads go to the token-gated route with this
browser's session token (read from its storage by the script, never by the server).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any, cast

import reflex as rx
from reflex.event import EventHandler

from coop_dashboard.config import Settings
from coop_dashboard.services.licensing.dataset_view import LicensingAccountView, LicensingView
from coop_dashboard.services.licensing.inputs import TierForm
from coop_dashboard.services.licensing.live import DATASET_LICENSING, DATASET_LICENSING_ACCOUNT
from coop_dashboard.services.licensing.purchases import (
    PermitRequest,
    PurchaseStep,
    prepare_purchase,
    purchase_permit,
)
from coop_dashboard.services.licensing.writes import prepare_set_tier, prepare_set_tier_active
from coop_dashboard.services.live_data import LiveReadError
from coop_dashboard.services.transactions import PreparedWrite
from coop_dashboard.state.dataset_page import dataset_id_from_path
from coop_dashboard.state.defaults import shared_default
from coop_dashboard.state.licensing_writes import (
    request_permit,
    signed_permit,
    start_purchase,
    wait_for_write_slot,
)
from coop_dashboard.state.live import ShowSuperseded, follow_live, show_live, stop_live
from coop_dashboard.state.server_render import send_whole
from coop_dashboard.state.session import SESSION_TOKEN_KEY, authenticated_address_locked
from coop_dashboard.state.tx import start_write

MAX_INPUT_CHARS = 100


def _text(value: Any, limit: int = MAX_INPUT_CHARS) -> str:
    return value[:limit] if isinstance(value, str) else ""


def download_script(dataset_id: int) -> str:
    """Fetch the gated file with this browser's session token and save it; answers
    {ok, status, error} (the route's own refusal sentence when it refuses)."""
    key = json.dumps(SESSION_TOKEN_KEY)
    url = json.dumps(f"/api/datasets/{dataset_id}/file")
    name = json.dumps(f"dataset-{dataset_id}")
    return f"""(async () => {{
  const token = window.localStorage.getItem({key}) || "";
  const headers = token ? {{Authorization: "Bearer " + token}} : {{}};
  let response;
  try {{ response = await fetch({url}, {{headers, cache: "no-store"}}); }}
  catch (error) {{ return {{ok: false, status: 0, error: "The app did not answer: " + error }}; }}
  if (!response.ok) {{
    let error = response.statusText;
    try {{ error = (await response.json()).error || error; }} catch (_) {{}}
    return {{ok: false, status: response.status, error}};
  }}
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = {name};
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60000);
  return {{ok: true, status: response.status, size: blob.size}};
}})()"""


class LicensingState(rx.State):
    view: LicensingView = shared_default(LicensingView())
    mine: LicensingAccountView = LicensingAccountView()
    notice: str = ""
    holder_input: str = ""
    download_message: str = ""
    download_ok: bool = False
    # The tier form (what the browser typed; checked on the server when sent).
    tier_index: str = ""  # "" = a new tier, else the index being changed
    tier_price: str = ""
    tier_currency: str = "ETH"
    tier_days: str = "30"
    tier_purpose: str = "research"
    tier_use: str = "all"
    tier_attribution: bool = True
    tier_share_alike: bool = False
    _account: str = ""
    # The purchase waiting for its approval to be mined: (dataset, tier, holder).
    _next_purchase: list[str] = []
    # The purchase whose permit the wallet is signing: what was asked (signer, value,
    # deadline) and "purchase": (dataset, tier, holder). Kept here, never sent by the browser.
    _permit_purchase: dict[str, Any] = {}

    def _id(self) -> int | None:
        return dataset_id_from_path(self.router.url.path)

    def _account_key(self) -> tuple[int, str] | None:
        dataset_id = self._id()
        return (dataset_id, self._account) if dataset_id is not None and self._account else None

    def _apply(self, value: LicensingView) -> None:
        self.view = value

    def _apply_mine(self, value: LicensingAccountView) -> None:
        self.mine = value

    @rx.event
    async def load(self) -> Any:
        dataset_id = self._id()
        if self.view.dataset_id != dataset_id:
            self.view = LicensingView()
            self.mine = LicensingAccountView()
            self.download_message = ""
            self.holder_input = ""
            self.tier_index = ""
        self.notice = ""
        send_whole(self)
        if dataset_id is None:
            stop_live(self, DATASET_LICENSING)
            return None
        try:
            self._apply(await show_live(self, DATASET_LICENSING, dataset_id))
        except ShowSuperseded:
            pass
        except LiveReadError:
            self.notice = "The licensing index cannot be read right now. Retrying shortly."
        return [LicensingState.follow, LicensingState.refresh_account, LicensingState.follow_mine]

    @rx.event(background=True)
    async def follow(self) -> None:
        await follow_live(self, DATASET_LICENSING, LicensingState._id, LicensingState._apply)

    @rx.event(background=True)
    async def follow_mine(self) -> None:
        await follow_live(
            self,
            DATASET_LICENSING_ACCOUNT,
            LicensingState._account_key,
            LicensingState._apply_mine,
        )

    @rx.event
    async def refresh_account(self) -> None:
        """What the signed-in account sees here (nothing when signed out); followed live."""
        address = await authenticated_address_locked(self)
        self._account = address.lower() if address else ""
        key = self._account_key()
        if key is None:
            stop_live(self, DATASET_LICENSING_ACCOUNT)
            self.mine = LicensingAccountView()
            return
        with contextlib.suppress(ShowSuperseded, LiveReadError):
            self._apply_mine(await show_live(self, DATASET_LICENSING_ACCOUNT, key))

    @rx.event
    async def refresh(self) -> Any:
        dataset_id = self._id()
        if dataset_id is not None:
            with contextlib.suppress(ShowSuperseded, LiveReadError):
                self._apply(await show_live(self, DATASET_LICENSING, dataset_id))
        return LicensingState.refresh_account

    # ------------------------------------------------------------ form fields

    @rx.event
    def set_holder_input(self, value: Any) -> None:
        self.holder_input = _text(value)

    @rx.event
    def set_tier_price(self, value: Any) -> None:
        self.tier_price = _text(value)

    @rx.event
    def set_tier_currency(self, value: Any) -> None:
        self.tier_currency = _text(value, 42)

    @rx.event
    def set_tier_days(self, value: Any) -> None:
        self.tier_days = _text(value, 8)

    @rx.event
    def set_tier_purpose(self, value: Any) -> None:
        self.tier_purpose = _text(value, 32)

    @rx.event
    def set_tier_use(self, value: Any) -> None:
        self.tier_use = _text(value, 32)

    @rx.event
    def set_tier_attribution(self, value: Any) -> None:
        self.tier_attribution = value is True

    @rx.event
    def set_tier_share_alike(self, value: Any) -> None:
        self.tier_share_alike = value is True

    @rx.event
    def edit_tier(self, index: Any) -> None:
        """Fill the form with tier `index`'s terms (to change it), or clear it ("" = new)."""
        tier = next((t for t in self.view.tiers if str(t.index) == str(index)), None)
        if tier is None:
            self.tier_index = ""
            return
        self.tier_index = str(tier.index)
        self.tier_price = tier.price_text.rsplit(" ", 1)[0].replace(",", "")
        self.tier_currency = tier.currency_symbol
        self.tier_purpose = tier.purpose

    # ---------------------------------------------------------------- writes

    # Plain events, then background work: they read what was typed only after the
    # edits sent before the click (state/__init__.py says why).
    @rx.event
    def set_tier(self) -> Any:
        """setTier from the contributor's wallet (every term checked on the server first)."""
        return LicensingState.run_set_tier

    @rx.event(background=True)
    async def run_set_tier(self) -> Any:
        async with self:
            dataset_id, index = self._id(), self.tier_index
            form = TierForm(
                price=self.tier_price,
                currency=self.tier_currency,
                duration_days=self.tier_days,
                purpose=self.tier_purpose,
                use=self.tier_use,
                attribution=self.tier_attribution,
                share_alike=self.tier_share_alike,
            )
        if dataset_id is None:
            return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_set_tier(settings, signer, dataset_id, index, form)

        event = await start_write(
            self,
            summary=f"Set a license tier of dataset #{dataset_id}",
            prepare=prepare,
            refresh=[cast(EventHandler, LicensingState.after_tier)],
        )
        if event is not None:
            yield event

    @rx.event(background=True)
    async def set_tier_active(self, tier_index: Any, active: Any) -> Any:
        """Withdraw a tier from sale or offer it again (the contributor; checked on the server)."""
        async with self:
            dataset_id = self._id()
        if dataset_id is None:
            return

        def prepare(settings: Settings, signer: str) -> PreparedWrite:
            return prepare_set_tier_active(settings, signer, dataset_id, tier_index, active)

        event = await start_write(
            self,
            summary=f"Change which tiers of dataset #{dataset_id} are offered",
            prepare=prepare,
            refresh=[cast(EventHandler, LicensingState.refresh)],
        )
        if event is not None:
            yield event

    @rx.event
    def after_tier(self) -> Any:
        self.tier_index = ""
        self.tier_price = ""
        return LicensingState.refresh

    @rx.event
    def buy(self, tier_index: Any) -> Any:
        """Buy tier `tier_index` for the signer or the typed holder: in ETH, or in a token
        with permit after the wallet signs one (one transaction), else approve first."""
        return LicensingState.run_buy(tier_index)  # type: ignore[misc]

    @rx.event(background=True)
    async def run_buy(self, tier_index: Any) -> Any:
        async with self:
            dataset_id, holder = self._id(), self.holder_input
        if dataset_id is None:
            return
        dataset = str(dataset_id)

        def permit_for(settings: Settings, signer: str) -> PermitRequest | None:
            return purchase_permit(settings, signer, dataset, tier_index, holder)

        asked = await request_permit(
            self, permit_for, cast(EventHandler, LicensingState.on_permit_signed)
        )
        if asked is not None:
            call, kept = asked
            async with self:
                self._permit_purchase = {**kept, "purchase": [dataset, str(tier_index), holder]}
            yield call
            return
        async for event in self._purchase(dataset, tier_index, holder):
            yield event

    @rx.event(background=True)
    async def on_permit_signed(self, answer: Any) -> Any:
        """The wallet's answer to the permit: the purchase is prepared (and the signature
        checked) on the server, then offered as one transaction."""
        async with self:
            kept, self._permit_purchase = self._permit_purchase, {}
        purchase = kept.get("purchase")
        if not isinstance(purchase, list) or len(purchase) != 3:
            return  # nothing was asked of this tab's wallet
        dataset, tier_index, holder = (str(item) for item in purchase)
        async for event in self._purchase(dataset, tier_index, holder, permit=(answer, kept)):
            yield event

    async def _purchase(
        self,
        dataset_id: str,
        tier_index: Any,
        holder: str,
        permit: tuple[Any, dict[str, Any]] | None = None,
    ) -> Any:
        def prepare(settings: Settings, signer: str) -> PurchaseStep:
            signed = None if permit is None else signed_permit(*permit, signer)
            return prepare_purchase(settings, signer, dataset_id, tier_index, holder, signed)

        event, approval = await start_purchase(
            self,
            summary=f"Buy a license to dataset #{dataset_id}",
            prepare=prepare,
            after_approval=cast(EventHandler, LicensingState.after_approval),
            after_purchase=[cast(EventHandler, LicensingState.refresh)],
        )
        async with self:
            self._next_purchase = [dataset_id, str(tier_index), holder] if approval else []
        if event is not None:
            yield event

    @rx.event
    def after_approval(self) -> Any:
        return LicensingState.continue_purchase if self._next_purchase else None

    @rx.event(background=True)
    async def continue_purchase(self) -> Any:
        """The approval is mined: offer the purchase itself (step 2 of 2)."""
        async with self:
            pending, self._next_purchase = self._next_purchase, []
        if len(pending) != 3:
            return
        await wait_for_write_slot(self)
        async for event in self._purchase(pending[0], pending[1], pending[2]):
            yield event

    # -------------------------------------------------------------- download

    @rx.event
    def download(self) -> Any:
        dataset_id = self._id()
        if dataset_id is None:
            return None
        self.download_message = "Downloading…"
        self.download_ok = True
        return rx.call_script(download_script(dataset_id), callback=LicensingState.on_download)

    @rx.event
    def on_download(self, result: Any) -> None:
        """The script's answer (the browser's word: it only chooses the message shown)."""
        answer = result if isinstance(result, dict) else {}
        if answer.get("ok") is True:
            size = answer.get("size")
            self.download_ok = True
            self.download_message = (
                f"Downloaded ({size:,} bytes)." if isinstance(size, int) else "Downloaded."
            )
            return
        error = answer.get("error")
        self.download_ok = False
        self.download_message = (
            error[:500] if isinstance(error, str) and error else "The download was refused."
        )
