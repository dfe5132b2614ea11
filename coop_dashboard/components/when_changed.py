"""An event sent when a value changes while the page is shown, not when the page mounts.

Pages whose panels depend on who is signed in (the proposal page's vote panel, a
dataset's licenses, a job's part for the viewer...) must ask again when the tab
signs in or out. They used to mount a hidden box keyed by the sign-in state, whose
on_mount asked; but a box mounts with its page too, so every move to such a page
sent one more event for what the page's on_load had just read (issue 10: ~1 ms of
the server's CPU per move between proposal pages, a tenth of a move's cost). This
renders nothing and sends its event only when the value differs from the one it
last saw.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex_base.event import EventHandler, no_args_event_spec

from coop_dashboard.state.session import SessionState

_COMPONENT_JS = """
function CoopWhenChanged({value, onChange}) {
  const seen = useRef(value);
  useEffect(() => {
    if (Object.is(seen.current, value)) return;
    seen.current = value;
    if (onChange) onChange();
  }, [value]);
  return null;
}
"""


class WhenChanged(rx.Component):
    """Sends `on_change` each time `value` changes after mounting (never on mount)."""

    tag = "CoopWhenChanged"

    value: rx.Var[Any]

    # Reflex reads this annotation at run time for the trigger's arguments (none); it is
    # not a type mypy knows, as in Reflex's own components.
    on_change: EventHandler[no_args_event_spec]  # type: ignore[type-arg,valid-type]

    def add_imports(self) -> dict[str, Any]:
        return {"react": [ImportVar(tag="useEffect"), ImportVar(tag="useRef")]}

    def add_custom_code(self) -> list[str]:
        return [_COMPONENT_JS]


def on_sign_in_change(handler: Any) -> rx.Component:
    """`handler` runs when this tab signs in or out while the page is shown; the page's
    on_load reads what a panel shows for the account signed in when it loads."""
    return WhenChanged.create(value=SessionState.is_signed_in, on_change=handler)
