"""SQLModel tables. Each feature adds its tables here (or in a module imported here)."""

import coop_dashboard.db.auth_tables  # noqa: F401
import coop_dashboard.db.chain_tables  # noqa: F401
import coop_dashboard.db.dataset_tables  # noqa: F401
import coop_dashboard.db.delegate_tables  # noqa: F401
import coop_dashboard.db.job_tables  # noqa: F401
import coop_dashboard.db.licensing_tables  # noqa: F401
import coop_dashboard.db.node_tables  # noqa: F401
import coop_dashboard.db.relay_tables  # noqa: F401
import coop_dashboard.db.treasury_tables  # noqa: F401
