"""Compute nodes' reports over the HTTP API, checked against the chain (no Reflex)."""
