"""Thin rx.State subclasses: they call services and hold what the page shows.

A button whose work reads what was typed is a plain event that only returns its
`run_*` background handler. Reflex runs a background event as soon as it arrives,
ahead of the tab's queued plain events (the setters inputs send, debounced and
flushed on blur), so a background click right after typing read the form before
the last edit was applied: a proposal checked without the amount just typed (CI
saw it), a vote cast without its reason for good, a license bought for the signer
instead of the typed holder. A plain event waits its turn behind the edits.
tests/unit/state/test_builder_event_order.py lists every such click. Handlers that
get the values as arguments (`on_submit` form data) need not.
"""
