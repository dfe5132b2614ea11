"""Governance domain rules: proposal text, markdown, state math, decoded actions,
the proposal builder, vote readiness, gasless voting, CSV export and charts.

Pure modules take plain values (chain clock, tallies, ABIs) and never import
web3 or reflex; the few orchestrating functions reach the chain only through
`coop_dashboard.chain` handles.
"""
