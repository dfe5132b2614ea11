"""The job page's actions by name: which form fields each takes and how it is prepared.

A Reflex handler receives an action name and a form dict from the browser
(both may be forged): only names listed here run, and each reads only its own
fields from the dict, which the prepare function then checks like any input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from coop_dashboard.config import Settings
from coop_dashboard.services.jobs import writes
from coop_dashboard.services.jobs.inputs import JobActionRefused
from coop_dashboard.services.transactions import PreparedWrite

Form = Mapping[str, object]
Prepare = Callable[[Settings, str, int, Form], PreparedWrite]


@dataclass(frozen=True)
class JobAction:
    summary: str  # the panel's first words, before the server's fuller description
    prepare: Prepare


def _decision(form: Form) -> object:
    # A radio group sends its value as text; anything else stays as sent (refused later).
    value = form.get("decision")
    return {"upheld": True, "wrong": False}.get(value, value) if isinstance(value, str) else value


ACTIONS: dict[str, JobAction] = {
    "bid": JobAction(
        "Place a bid",
        lambda s, signer, job, f: writes.prepare_bid(
            s, signer, job, f.get("price"), f.get("delivery"), f.get("stake")
        ),
    ),
    "withdraw_bid": JobAction(
        "Withdraw your bid", lambda s, signer, job, f: writes.prepare_withdraw_bid(s, signer, job)
    ),
    "accept": JobAction(
        "Accept a bid",
        lambda s, signer, job, f: writes.prepare_accept(s, signer, job, f.get("provider")),
    ),
    "cancel": JobAction(
        "Cancel the job", lambda s, signer, job, f: writes.prepare_cancel(s, signer, job)
    ),
    "reopen": JobAction(
        "Reopen the job",
        lambda s, signer, job, f: writes.prepare_reopen(
            s, signer, job, f.get("bidding_deadline"), f.get("delivery_deadline")
        ),
    ),
    "refund": JobAction(
        "Refund a missed delivery",
        lambda s, signer, job, f: writes.prepare_refund_missed(s, signer, job),
    ),
    "submit": JobAction(
        "Submit the result",
        lambda s, signer, job, f: writes.prepare_submit(
            s, signer, job, f.get("checkpoint_cid"), f.get("metrics_cid"), f.get("score")
        ),
    ),
    "challenge": JobAction(
        "Challenge the result",
        lambda s, signer, job, f: writes.prepare_challenge(
            s, signer, job, f.get("evidence"), f.get("bond")
        ),
    ),
    "resolve": JobAction(
        "Resolve the challenge",
        lambda s, signer, job, f: writes.prepare_resolve(
            s, signer, job, _decision(f), f.get("reason")
        ),
    ),
    "finalize": JobAction(
        "Finalize the job", lambda s, signer, job, f: writes.prepare_finalize(s, signer, job)
    ),
}


def job_action(name: object) -> JobAction:
    """The action called `name`, or JobActionRefused for a name the page never sends."""
    action = ACTIONS.get(name) if isinstance(name, str) else None
    if action is None:
        raise JobActionRefused("Unknown job action.")
    return action


def form_of(value: object) -> dict[str, object]:
    """A form dict as sent: a dict of at most 32 fields, else empty (every field then refused)."""
    if not isinstance(value, dict) or len(value) > 32:
        return {}
    return {str(k)[:64]: v for k, v in value.items()}
