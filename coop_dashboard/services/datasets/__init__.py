"""Dataset cards, their exports and the registration of a dataset (no Reflex, no web3)."""
