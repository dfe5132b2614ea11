"""SessionState: Sign-In with Ethereum in the browser, sessions checked against the database.

As in reflex-local-auth: the browser keeps an opaque token (localStorage), and
`authenticated_address` is what the session table says about it, never what
the browser claims. Actions re-check the session (`authenticated_address_now`)
instead of trusting a value computed earlier.

The token itself never enters this state (which Reflex keeps in its state
store: memory, or Redis shared by workers): the page reads it from the
browser's storage with a script, the server keeps only its SHA-256 (what the
session table is keyed by), and a new token goes to the browser in a script.
Every check runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import Any

import reflex as rx

from coop_dashboard.auth.sessions import token_hash
from coop_dashboard.config import load_settings
from coop_dashboard.errors import CoopError
from coop_dashboard.services.display import short_address
from coop_dashboard.services.sign_in import (
    begin_sign_in,
    complete_sign_in,
    end_session_by_hash,
    origin_problem,
    signed_in_address_by_hash,
)
from coop_dashboard.services.wallet_calls import bridge_call
from coop_dashboard.services.wallet_errors import wallet_problem
from coop_dashboard.services.wallet_snapshot import is_ok

logger = logging.getLogger(__name__)
SIGN_IN_BUG = "Something went wrong on the server; you are not signed in. Try again."

# The localStorage key of the session token (shared by every tab of the origin).
SESSION_TOKEN_KEY = "coop.session"
_KEY_JS = json.dumps(SESSION_TOKEN_KEY)
_FORGET_TOKEN_JS = f"window.localStorage.removeItem({_KEY_JS})"
# Resolves when another tab of this browser signs in or out (the `storage` event),
# armed once per page: signing out in one tab signs out every tab.
_WATCH_TOKEN_JS = f"""(() => {{
  if (window.__coopSessionWatch) return null;
  window.__coopSessionWatch = true;
  return new Promise((resolve) => window.addEventListener("storage", function changed(event) {{
    if (event.key !== {_KEY_JS} && event.key !== null) return;
    window.removeEventListener("storage", changed);
    window.__coopSessionWatch = false;
    resolve({{token: window.localStorage.getItem({_KEY_JS}) || ""}});
  }}));
}})()"""


def _read_token_js(check: int) -> str:
    """Script answering {token, check}: the browser's token for check number `check`."""
    return f'({{token: window.localStorage.getItem({_KEY_JS}) || "", check: {check}}})'


def _store_token_js(token: str, check: int) -> str:
    """Script storing `token`, answering {check} once it is stored."""
    return f"(window.localStorage.setItem({_KEY_JS}, {json.dumps(token)}), {{check: {check}}})"


def _answered_token(answer: Any) -> str | None:
    """The token string in a script's answer, or None for anything else."""
    token = answer.get("token") if isinstance(answer, dict) else None
    return token if isinstance(token, str) else None


class SessionState(rx.State):
    """Who is signed in in this browser, and the sign-in flow."""

    # What the session table says about this browser's token ("" = signed out).
    # Set only by the server, after a check in a worker thread.
    authenticated_address: str = ""
    # The first check of this tab has answered (guarded pages wait for it).
    session_checked: bool = False
    signing_in: bool = False
    notice_title: str = ""
    notice_message: str = ""
    # The challenge the wallet is signing: kept server-side, so the message that
    # is verified is the one this server wrote, not one the browser sends back.
    _challenge_message: str = ""
    _sign_in_started_at: float = 0.0
    # SHA-256 of the browser's token ("" = none): all the server keeps of it.
    _token_sha256: str = ""
    # Bumped by every check, sign-in and sign-out: a check's answer that arrives
    # after a newer one started (or after a sign-in) is stale and ignored.
    _session_check: int = 0
    # The account the wallet switched to ("" = disconnected), set by WalletState
    # right before it asks for end_session_for_wallet_change.
    _wallet_now_on: str = ""
    # A verified sign-in waiting for the browser to store its token (see on_token_stored).
    _pending_address: str = ""
    _stored_check: int = 0

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

    def _set_session(self, token_sha256: str, address: str) -> None:
        self._token_sha256 = token_sha256
        self.authenticated_address = address
        self._session_check += 1

    @rx.event
    def check_session(self) -> Any:
        """On every page load: read the browser's token; `on_stored_token` checks it."""
        self._session_check += 1
        return [
            rx.call_script(
                _read_token_js(self._session_check), callback=SessionState.on_stored_token
            ),
            rx.call_script(_WATCH_TOKEN_JS, callback=SessionState.on_token_changed),
        ]

    @rx.event(background=True)
    async def on_stored_token(self, answer: Any) -> Any:
        """The browser's token: ask the session table (in a thread) who holds it."""
        token = _answered_token(answer)
        check = answer.get("check") if isinstance(answer, dict) else None
        async with self:
            if token is None or check != self._session_check:
                return  # malformed, or a newer check / a sign-in started since
        forget = await self._check_token(token, check)
        if forget:
            # Expired, revoked or never issued: keep nothing that looks like access.
            yield rx.call_script(_FORGET_TOKEN_JS)

    @rx.event(background=True)
    async def on_token_changed(self, answer: Any) -> Any:
        """Another tab signed in or out: follow it, then watch again."""
        token = _answered_token(answer)
        if token is None:
            return  # a watch was already armed on this page
        async with self:
            self._session_check += 1
            check = self._session_check
        await self._check_token(token, check)
        yield rx.call_script(_WATCH_TOKEN_JS, callback=SessionState.on_token_changed)

    async def _check_token(self, token: str, check: int) -> bool:
        """Apply what the session table says about `token`; True if the browser should forget it."""
        hashed = token_hash(token) or ""
        address = (
            await asyncio.to_thread(signed_in_address_by_hash, load_settings(), hashed)
            if hashed
            else None
        )
        async with self:
            if check != self._session_check:
                return False  # superseded while the database answered
            self._token_sha256 = hashed if address else ""
            self.authenticated_address = address or ""
            self.session_checked = True
        return bool(token) and address is None

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
            client, ip = self.router.session.client_token, self.router.session.client_ip
        settings = load_settings()
        problem = origin_problem(settings, page_origin)
        challenge = None
        if problem is None:
            try:
                challenge = await asyncio.to_thread(
                    begin_sign_in, settings, address, client=client, ip=ip
                )
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
    async def on_signature(self, result: dict[str, Any]) -> Any:
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
            # Signed in for actions now; shown as signed in once the browser has
            # stored the token (on_token_stored): a reload or a navigation right
            # after the header changes must find the token, or it would sign out.
            self._token_sha256 = token_hash(issued.token) or ""
            self._session_check += 1
            self._stored_check, self._pending_address = self._session_check, issued.address
            check = self._session_check
        # The token goes to the browser's storage only; this state keeps its hash.
        yield rx.call_script(
            _store_token_js(issued.token, check), callback=SessionState.on_token_stored
        )

    @rx.event
    def on_token_stored(self, answer: Any) -> None:
        """The browser stored the new token: show the session (unless a newer check,
        sign-in or sign-out happened since, or the answer is not the one awaited)."""
        check = answer.get("check") if isinstance(answer, dict) else None
        if not self._pending_address or check != self._stored_check:
            return
        if check == self._session_check:
            self.authenticated_address = self._pending_address
            self.session_checked = True
        self._pending_address = ""
        self.signing_in = False

    @rx.event(background=True)
    async def sign_out(self) -> Any:
        """Revoke this browser's session in the database and forget the token."""
        async with self:
            hashed = self._token_sha256
            self._set_session("", "")
            self._notify("", "")
        yield rx.call_script(_FORGET_TOKEN_JS)
        try:
            await asyncio.to_thread(end_session_by_hash, load_settings(), hashed)
        except CoopError as exc:
            async with self:
                self._notify("Signed out in this browser only", str(exc))

    @rx.event(background=True)
    async def end_session_for_wallet_change(self) -> Any:
        """The wallet switched away from the signed-in account: that session ends now."""
        async with self:
            hashed = self._token_sha256
            previous = self.authenticated_address
            new_account = self._wallet_now_on
            if not hashed:
                return
            self._set_session("", "")
        yield rx.call_script(_FORGET_TOKEN_JS)
        # If revoking fails the token is still gone from this browser; the row expires.
        with contextlib.suppress(CoopError):
            await asyncio.to_thread(end_session_by_hash, load_settings(), hashed)
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
    return await asyncio.to_thread(
        signed_in_address_by_hash, load_settings(), session._token_sha256
    )


async def authenticated_address_now(state: rx.State) -> str | None:
    """Check `state`'s browser token against the database right now (for actions).

    Call from a background event outside `async with` (it takes the lock itself).
    """
    async with state:
        session = await state.get_state(SessionState)
        hashed = session._token_sha256
    return await asyncio.to_thread(signed_in_address_by_hash, load_settings(), hashed)
