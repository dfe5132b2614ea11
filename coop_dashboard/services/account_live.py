"""A member's standing (header and account page) as a live view keyed by address.

Balances and voting power change only with blocks, so the hub re-reads a
watched address once per indexed head: every tab signed in as that member
shares the read, and gets a push only when a figure changed.
"""

from __future__ import annotations

from coop_dashboard.services.account import AccountRead, read_account_view
from coop_dashboard.services.live_data import LiveView


def _same(a: AccountRead, b: AccountRead) -> bool:
    return (a.view, a.notice) == (b.view, b.notice)


ACCOUNT = LiveView("account", read=read_account_view, same=_same)
