"""SessionState: Sign-In with Ethereum in the browser, sessions checked against the database.

As in reflex-local-auth: the browser keeps an opaque token (localStorage), and
`authenticated_address` is what the session table says about it, never what
the browser claims. Actions re-check the token (`authenticated_address_now`)
instead of trusting a value computed earlier.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import reflex as rx

from coop_dashboard.config import load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.display import short_address
from coop_dashboard.services.sign_in import (
    begin_sign_in,
    complete_sign_in,
    end_session,
    origin_problem,
    signed_in_address,
)
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import is_ok

logger = logging.getLogger(__name__)
SIGN_IN_BUG = "Something went wrong on the server; you are not signed in. Try again."

# The localStorage key of the session token (shared by every tab of the origin).
SESSION_TOKEN_KEY = "coop.session"


class SessionState(rx.State):
    """Who is signed in in this browser, and the sign-in flow."""

    # sync=True: signing out in one tab signs out every tab of this browser.
    session_token: str = rx.LocalStorage(name=SESSION_TOKEN_KEY, sync=True)
    # Bumped to make `authenticated_address` ask the database again (page loads).
    session_checks: int = 0
    signing_in: bool = False
    notice_title: str = ""
    notice_message: str = ""
    # The challenge the wallet is signing: kept server-side, so the message that
    # is verified is the one this server wrote, not one the browser sends back.
    _challenge_message: str = ""
    _sign_in_started_at: float = 0.0
    # The account the wallet switched to ("" = disconnected), set by WalletState
    # right before it asks for end_session_for_wallet_change.
    _wallet_now_on: str = ""

    @rx.var(cache=True)
    def authenticated_address(self) -> str:
        """The address the session table holds for this browser's token, or ""."""
        _ = self.session_checks  # a dependency: re-checked whenever it is bumped
        return signed_in_address(load_settings(), self.session_token) or ""

    @rx.var(cache=True)
    def is_signed_in(self) -> bool:
        return self.authenticated_address != ""

    @rx.var(cache=True)
    def has_notice(self) -> bool:
        return self.notice_message != ""

    def _notify(self, title: str, message: str) -> None:
        self.notice_title = title
        self.notice_message = message

    def _abandon_sign_in(self, started_before: float) -> None:
        """The page that asked the wallet to sign is gone (reload): forget that request.

        Only a sign-in started before `started_before` (when the new page asked to
        restore the wallet) belonged to the old page; one clicked on the new page
        while the restore was on its way is alive.
        """
        if self._sign_in_started_at < started_before:
            self.signing_in = False
            self._challenge_message = ""

    @rx.event
    def check_session(self) -> None:
        """On every page load: ask the database again; forget a token it no longer knows."""
        token = self.session_token
        if token and signed_in_address(load_settings(), token) is None:
            # Expired, revoked or never issued: keep nothing that looks like access.
            self.session_token = ""
        self.session_checks += 1

    @rx.event
    def dismiss_notice(self) -> None:
        self._notify("", "")

    @rx.event(background=True)
    async def sign_in(self) -> Any:
        """Ask the connected wallet's account to sign a fresh challenge written by this server."""
        # Imported here: state.wallet imports this module (it ends sessions on account switch).
        from coop_dashboard.state.wallet import WalletState

        async with self:
            if self.signing_in:
                return  # a second click while the wallet is open
            wallet = await self.get_state(WalletState)
            address, page_origin = wallet.account, wallet.page_origin
            if not address:
                self._notify("Connect your wallet first", "Sign-in needs a connected wallet.")
                return
            self.signing_in = True
            self._sign_in_started_at = time.time()
            self._notify("", "")
        settings = load_settings()
        problem = origin_problem(settings, page_origin)
        challenge = None
        if problem is None:
            try:
                challenge = await asyncio.to_thread(begin_sign_in, settings, address)
            except CoopError as exc:
                problem = str(exc)
            except Exception:  # a bug must not leave "Signing in…" stuck
                logger.exception("starting a sign-in failed unexpectedly")
                problem = SIGN_IN_BUG
        async with self:
            if challenge is None:
                self.signing_in = False
                self._notify("Cannot sign in", problem or "")
                return
            self._challenge_message = challenge.message
        yield rx.call_script(
            bridge_call("personalSign", challenge.message, challenge.address),
            callback=SessionState.on_signature,
        )

    @rx.event(background=True)
    async def on_signature(self, result: dict[str, Any]) -> None:
        """The wallet's answer to the challenge: verify it and open a session."""
        async with self:
            message = self._challenge_message
            # Single use on this side too: a replayed callback finds nothing to verify.
            self._challenge_message = ""
            if not message:
                self.signing_in = False
                return
        settings = load_settings()
        if not is_ok(result):
            problem = wallet_problem(
                result if isinstance(result, dict) else {},
                action="sign the sign-in message",
                expected_chain_id=settings.chain_id,
            )
            async with self:
                self.signing_in = False
                self._notify(problem.title, problem.message)
            return
        signature = result.get("signature")
        try:
            issued = await asyncio.to_thread(
                complete_sign_in, settings, message, signature if isinstance(signature, str) else ""
            )
        except CoopError as exc:
            async with self:
                self.signing_in = False
                self._notify("Sign-in refused", str(exc))
            return
        except Exception:  # a bug must not leave "Signing in…" stuck
            logger.exception("completing a sign-in failed unexpectedly")
            async with self:
                self.signing_in = False
                self._notify("Cannot sign in", SIGN_IN_BUG)
            return
        async with self:
            self.session_token = issued.token
            self.signing_in = False

    @rx.event(background=True)
    async def sign_out(self) -> None:
        """Revoke this browser's session in the database and forget the token."""
        async with self:
            token = self.session_token
            self.session_token = ""
            self._notify("", "")
        try:
            await asyncio.to_thread(end_session, load_settings(), token)
        except CoopError as exc:
            async with self:
                self._notify("Signed out in this browser only", str(exc))

    @rx.event(background=True)
    async def end_session_for_wallet_change(self) -> None:
        """The wallet switched away from the signed-in account: that session ends now."""
        async with self:
            token = self.session_token
            previous = self.authenticated_address
            new_account = self._wallet_now_on
            if not token:
                return
            self.session_token = ""
        # If revoking fails the token is still gone from this browser; the row expires.
        with contextlib.suppress(CoopError):
            await asyncio.to_thread(end_session, load_settings(), token)
        if new_account:
            message = (
                f"Your wallet switched from {short_address(previous)} to "
                f"{short_address(new_account)}, so you were signed out. Sign in again to act "
                f"as {short_address(new_account)}."
            )
        else:
            message = (
                f"Your wallet disconnected {short_address(previous)} from this site, so you "
                "were signed out."
            )
        async with self:
            self._notify("Signed out", message)


async def authenticated_address_locked(state: rx.State) -> str | None:
    """`authenticated_address_now` for a handler that already holds the tab's lock
    (a normal event handler, or inside `async with` of a background one)."""
    session = await state.get_state(SessionState)
    return await asyncio.to_thread(signed_in_address, load_settings(), session.session_token)


async def authenticated_address_now(state: rx.State) -> str | None:
    """Check `state`'s browser token against the database right now (for actions).

    Call from a background event outside `async with` (it takes the lock itself).
    """
    async with state:
        session = await state.get_state(SessionState)
        token = session.session_token
    return await asyncio.to_thread(signed_in_address, load_settings(), token)
