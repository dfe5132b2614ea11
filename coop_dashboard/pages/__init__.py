"""One module per route. Importing a page module registers it (see `registry`).

Only pages that exist are imported here, so only they appear in the navigation.
"""

from coop_dashboard.pages import (
    access,  # noqa: F401  (registers "/access")
    account,  # noqa: F401  (registers "/account")
    dataset_detail,  # noqa: F401  (registers "/datasets/[dataset_id]" under "/datasets")
    dataset_register,  # noqa: F401  (registers "/datasets/new" under "/datasets")
    datasets,  # noqa: F401  (registers "/datasets")
    delegate_profile,  # noqa: F401  (registers "/delegates/[address]" under "/delegates")
    delegates,  # noqa: F401  (registers "/delegates")
    job_detail,  # noqa: F401  (registers "/jobs/[job_id]" under "/jobs")
    jobs,  # noqa: F401  (registers "/jobs")
    jobs_post,  # noqa: F401  (registers "/jobs/new" under "/jobs")
    models,  # noqa: F401  (registers "/models" under "/jobs")
    models_detail,  # noqa: F401  (registers "/models/[model_id]" under "/jobs")
    overview,  # noqa: F401  (registers "/")
    proposal_builder,  # noqa: F401  (registers "/proposals/new" under "/proposals")
    proposal_detail,  # noqa: F401  (registers "/proposals/[proposal_id]" under "/proposals")
    proposals,  # noqa: F401  (registers "/proposals")
    providers,  # noqa: F401  (registers "/providers/[address]" under "/jobs")
    treasury,  # noqa: F401  (registers "/treasury")
)
from coop_dashboard.pages.registry import add_registered_pages, registered_pages

__all__ = ["add_registered_pages", "registered_pages"]
