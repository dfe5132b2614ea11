"""Compute nodes anyone can run: a provider (`coop worker`) and a verifier (`coop verify`)."""
