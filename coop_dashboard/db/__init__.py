"""SQL storage: SQLModel tables, the engine, and read queries. No reflex, no web3."""
