"""`require_login`: a page body shown only to a browser whose session the database confirms.

As reflex-local-auth's wrapper: until the page is hydrated and its session
check answered nothing is decided (a spinner), then the body renders only if
`SessionState.is_signed_in`, which the backend computes from the session
table, never from what the browser says.
Actions re-check on their own (see state.session.authenticated_address_now).
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from coop_dashboard.components.section_card import section_card
from coop_dashboard.state.session import SessionState
from coop_dashboard.state.wallet import WalletState

PageBody = Callable[[], rx.Component]


def _sign_in_required(what: str) -> rx.Component:
    return rx.center(
        section_card(
            "Sign in required",
            "lock",
            rx.text(
                f"Sign in with your wallet to see {what}. Signing in proves you control "
                "the address; it costs nothing and sends no transaction.",
                size="2",
            ),
            rx.cond(
                WalletState.connected,
                rx.text(
                    "Your wallet is connected: use Sign in at the top right.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.text(
                    "First connect your wallet with the button at the top right.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            max_width="520px",
            id="login-required",
        ),
        padding_y="3em",
        width="100%",
    )


def require_login(what: str) -> Callable[[PageBody], PageBody]:
    """Wrap a page body: `what` names the content in the sign-in prompt ("your account")."""

    def wrap(body: PageBody) -> PageBody:
        def guarded() -> rx.Component:
            # Decided once the page is hydrated and its session check answered
            # (the check reads the browser's token and asks the database).
            return rx.cond(
                rx.State.is_hydrated & SessionState.session_checked,
                rx.cond(SessionState.is_signed_in, body(), _sign_in_required(what)),
                rx.center(rx.spinner(size="3"), padding_y="4em", width="100%"),
            )

        # The registry names the compiled page after the body function.
        guarded.__name__ = body.__name__
        guarded.__qualname__ = body.__qualname__
        return guarded

    return wrap
