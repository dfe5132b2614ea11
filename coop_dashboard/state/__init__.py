"""Thin rx.State subclasses: they call services and hold what the page shows."""
