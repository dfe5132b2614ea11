"""The indexer: follows the chain with raw eth_getLogs and keeps SQL equal to it.

Entry points: `service.run_once` (catch up, then return), `service.run_indexer_forever`
(the app's lifespan task) and `cli.main` (`coop index`).
"""
