"""Helpers shared by the test suites (real nodes, real deployments)."""
