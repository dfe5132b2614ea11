"""The proposal builder page's flow: form -> draft -> pre-flight report -> propose write.

The form is plain text fields as the person typed them: the actions already
added (each an `ActionForm`, in order) and the action editor, whose action
comes last when it is filled in. Every refusal is a FieldProblem keyed by
field so the page shows it next to the input. Added actions were checked when
they were added, but only their typed fields are kept: they are rebuilt and
checked again for every report and every write, because the chain (balances,
settings) may have changed since. Only a draft whose pre-flight passes becomes
a transaction (the report is re-run when the write is prepared, so a stale
"ok" never reaches the wallet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.config import Settings
from coop_dashboard.content.store import LocalContentStore
from coop_dashboard.db.dataset_queries import STATUSES, get_dataset
from coop_dashboard.db.engine import get_engine
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.datasets.dataset_search import DatasetChoice, find_datasets
from coop_dashboard.services.governance.actions import decode_actions
from coop_dashboard.services.governance.builder import (
    MAX_ACTIONS,
    GovernanceParameter,
    ProposalAction,
    ProposalDraft,
    assemble_proposal,
    callable_functions,
    custom_call,
    parameter_change,
    proposal_description,
    treasury_transfer,
)
from coop_dashboard.services.governance.context import (
    action_context,
    governance_suite,
    treasury_assets,
)
from coop_dashboard.services.governance.dataset_actions import (
    MAX_REASON_TEXT_BYTES,
    bond_waiting_period_change,
    curator_change,
    dataset_governance,
    dataset_number,
    delist_dataset,
    delist_reason,
    minimum_bond_change,
)
from coop_dashboard.services.governance.job_actions import JobFundingForm, fund_job, stored_spec
from coop_dashboard.services.governance.markdown import DESCRIPTION_MAX_BYTES
from coop_dashboard.services.governance.preflight import (
    ActionCheck,
    PreflightReport,
    preflight_proposal,
)
from coop_dashboard.services.governance.proposal_writes import refusing_unexpected
from coop_dashboard.services.governance.units import format_token_amount
from coop_dashboard.services.governance.validation import (
    InvalidInput,
    ProblemCollector,
    refuse,
)
from coop_dashboard.services.transactions import (
    ChainContext,
    PreparedWrite,
    WriteRefused,
    prepare_call,
)

KINDS = ("treasury", "parameter", "custom", "dataset", "job")
# The dataset registry's actions (kind "dataset"), as the page offers them.
DATASET_ACTION_LABELS = {
    "grant_curator": "Grant the curator role",
    "revoke_curator": "Revoke the curator role",
    "minimum_bond": "Set the minimum bond",
    "bond_waiting_period": "Set the bond waiting period",
    "delist": "Delist a dataset",
}
# The datasets a delisting can name (the contract refuses to delist one twice).
DELISTABLE_STATUSES = tuple(s for s in STATUSES if s != "delisted")
DATASET_RESULTS = 8
# The longest text one field of the builder takes (the description has its own
# limit, DESCRIPTION_MAX_BYTES); addresses, amounts and ABI arguments are far shorter.
FIELD_MAX_CHARS = 2_000
PARAMETER_LABELS = {
    GovernanceParameter.VOTING_DELAY.value: "Voting delay (e.g. 1 day)",
    GovernanceParameter.VOTING_PERIOD.value: "Voting period (e.g. 3 days)",
    GovernanceParameter.PROPOSAL_THRESHOLD.value: "Proposal threshold (COOP)",
    GovernanceParameter.QUORUM_PERCENT.value: "Quorum (% of supply)",
    GovernanceParameter.TIMELOCK_DELAY.value: "Timelock delay (e.g. 2 days)",
}


@dataclass(frozen=True)
class ActionForm:
    """One action's fields as typed in the editor (all text: validated when used)."""

    kind: str = "treasury"
    asset: str = "ETH"
    recipient: str = ""
    amount: str = ""
    parameter: str = GovernanceParameter.VOTING_PERIOD.value
    value: str = ""
    contract: str = ""  # custom call: a cooperative contract's name
    function: str = ""  # its function signature, "setX(uint256)"
    arguments: tuple[str, ...] = ()
    call_value: str = "0"  # ETH sent with the call
    dataset_action: str = "delist"  # kind "dataset": one of DATASET_ACTION_LABELS
    curator: str = ""  # address
    minimum_bond: str = ""  # ETH
    bond_waiting_period: str = ""  # days
    dataset: str = ""  # the dataset's id, "12" or "#12"
    reason: str = ""  # why it is delisted: text (stored on submit) or a CID
    # kind "job" (Fund a training job): services/governance/job_actions.JobFundingForm
    job_spec: str = ""  # the stored spec's CID
    job_asset: str = "ETH"
    job_bounty: str = ""
    job_purpose: str = "research"
    job_bidding_deadline: str = ""  # UTC, "2026-12-20T12:00"
    job_delivery_deadline: str = ""
    job_minimum_stake: str = ""  # ETH
    job_challenge_window: str = "2 days"

    def is_blank(self) -> bool:
        """Nothing typed for this kind: the editor's action is then left out of the proposal."""
        if self.kind == "treasury":
            return not (self.recipient.strip() or self.amount.strip())
        if self.kind == "parameter":
            return not self.value.strip()
        if self.kind == "custom":
            return not (self.contract or self.function or any(a.strip() for a in self.arguments))
        if self.kind == "dataset":
            typed = {
                "grant_curator": self.curator,
                "revoke_curator": self.curator,
                "minimum_bond": self.minimum_bond,
                "bond_waiting_period": self.bond_waiting_period,
            }.get(self.dataset_action, self.dataset + self.reason)
            return not typed.strip()
        if self.kind == "job":
            return not (self.job_spec.strip() or self.job_bounty.strip())
        return False  # an unknown kind is refused, not silently dropped


@dataclass(frozen=True)
class BuilderForm:
    """The whole page: added actions (in order), the editor's action, title and body."""

    editor: ActionForm = ActionForm()
    added: tuple[ActionForm, ...] = ()
    title: str = ""
    body: str = ""

    @property
    def action_forms(self) -> tuple[ActionForm, ...]:
        """The proposal's actions in execution order: the added ones, then the editor's."""
        return self.added if self.editor.is_blank() else (*self.added, self.editor)


@dataclass(frozen=True)
class AddedAction:
    """An action the page lists: what was typed (rebuilt server-side) and its summary."""

    form: ActionForm = ActionForm()
    summary: str = ""  # the decoder's sentence, as the pre-flight and the proposal page say it


@dataclass(frozen=True)
class AddActionResult:
    """The editor's action after "Add action": added, or refused field by field."""

    added: AddedAction | None = None
    field_errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FunctionView:
    """A callable function for the custom-call picker, with one label per argument."""

    signature: str = ""
    argument_labels: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AssetChoice:
    symbol: str = ""
    balance: str = ""  # the treasury's, formatted


@dataclass(frozen=True)
class BuilderReport:
    """What the page shows after "Check": field errors, or the pre-flight verdict."""

    field_errors: dict[str, str] = field(default_factory=dict)
    ok: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # One line per action, in order: "✓ Transfer 5 ETH …" / "✗ …: why" / "– …: not checked (why)"
    actions: list[str] = field(default_factory=list)
    power: str = ""
    proposal_id: str = ""


def _chain(settings: Settings) -> GovernanceChain:
    return governance_chain(settings)


def asset_choices(settings: Settings) -> list[AssetChoice]:
    return [
        AssetChoice(a.symbol, format_token_amount(a.balance, a.decimals, a.symbol))
        for a in treasury_assets(_chain(settings))
    ]


def contract_names(settings: Settings) -> list[str]:
    return sorted(c.name for c in _chain(settings).known_contracts())


def function_views(settings: Settings, contract_name: str) -> list[FunctionView]:
    """The state-changing functions of one cooperative contract (empty for an unknown name)."""
    contract = {c.name: c for c in _chain(settings).known_contracts()}.get(contract_name)
    if contract is None:
        return []
    return [
        FunctionView(f.signature, [f"{i.name} ({i.type})" for i in f.inputs])
        for f in callable_functions(contract)
    ]


# A dataset the delisting search offers (the picker's shared type).
DatasetOption = DatasetChoice


def dataset_options(settings: Settings, text: str) -> list[DatasetOption]:
    """Datasets matching `text` (name or id) that can still be delisted, newest first."""
    return find_datasets(settings, text, DELISTABLE_STATUSES, DATASET_RESULTS)


def _in_days(text: str) -> str:
    """The waiting period field takes days: a bare number means days ("7" is "7 days")."""
    cleaned = text.strip()
    return f"{cleaned} days" if cleaned.replace(".", "", 1).isdigit() else cleaned


def _dataset_action(settings: Settings, chain: GovernanceChain, form: ActionForm) -> ProposalAction:
    registry = {c.name: c for c in chain.known_contracts()}.get("DatasetRegistry")
    if registry is None:
        raise refuse("kind", "Action: this cooperative has no dataset registry.")
    engine = get_engine(settings.database_url)
    suite = dataset_governance(engine, registry)
    if form.dataset_action in ("grant_curator", "revoke_curator"):
        return curator_change(suite, form.curator, grant=form.dataset_action == "grant_curator")
    if form.dataset_action == "minimum_bond":
        return minimum_bond_change(suite, form.minimum_bond)
    if form.dataset_action == "bond_waiting_period":
        return bond_waiting_period_change(suite, _in_days(form.bond_waiting_period))
    if form.dataset_action != "delist":
        raise refuse("dataset_action", "Dataset action: choose one from the list.")
    problems = ProblemCollector()
    reason = problems.check(lambda: delist_reason(form.reason))
    dataset_id = dataset_number(form.dataset)
    facts = get_dataset(engine, dataset_id) if dataset_id is not None else None
    status = facts.summary.status if facts is not None else None
    try:
        return delist_dataset(suite, form.dataset, reason.cid if reason else "", status)
    except InvalidInput as exc:
        for problem in exc.problems:
            if reason is not None or problem.field != "reason":  # already said why
                problems.add(problem.field, problem.message)
    problems.raise_if_any()
    raise AssertionError("delist_dataset refused without a problem")  # pragma: no cover


def _job_actions(
    settings: Settings, chain: GovernanceChain, form: ActionForm
) -> list[ProposalAction]:
    board = {c.name: c for c in chain.known_contracts()}.get("JobBoard")
    if board is None:
        raise refuse("kind", "Action: this cooperative has no job board.")
    problems = ProblemCollector()
    spec = problems.check(lambda: stored_spec(settings.content_dir, form.job_spec))
    asset = {a.symbol: a for a in treasury_assets(chain)}.get(form.job_asset)
    voting = governance_suite(chain).settings
    earliest = (
        chain.latest_timestamp()
        + voting.voting_delay
        + voting.voting_period
        + voting.timelock_delay
    )
    funding = JobFundingForm(
        spec_cid=form.job_spec,
        asset=form.job_asset,
        bounty=form.job_bounty,
        purpose=form.job_purpose,
        bidding_deadline=form.job_bidding_deadline,
        delivery_deadline=form.job_delivery_deadline,
        minimum_stake=form.job_minimum_stake,
        challenge_window=form.job_challenge_window,
    )
    actions = problems.check(
        lambda: fund_job(board, asset, funding, spec, earliest_execution=earliest)
    )
    problems.raise_if_any()
    return actions or []


def _actions(settings: Settings, chain: GovernanceChain, form: ActionForm) -> list[ProposalAction]:
    """The calls one action form makes: one, except funding a job in a token (approve, post)."""
    if form.kind == "job":
        return _job_actions(settings, chain, form)
    return [_action(settings, chain, form)]


def _action(settings: Settings, chain: GovernanceChain, form: ActionForm) -> ProposalAction:
    if form.kind == "treasury":
        asset = {a.symbol: a for a in treasury_assets(chain)}.get(form.asset)
        if asset is None:
            raise refuse("asset", "Asset: choose one the treasury holds.")
        return treasury_transfer(asset, form.recipient, form.amount, treasury=chain.treasury)
    if form.kind == "parameter":
        try:
            parameter = GovernanceParameter(form.parameter)
        except ValueError:
            raise refuse("parameter", "Parameter: choose one from the list.") from None
        return parameter_change(parameter, form.value, governance_suite(chain))
    if form.kind == "custom":
        contract = {c.name: c for c in chain.known_contracts()}.get(form.contract)
        if contract is None:
            raise refuse("contract", "Contract: choose one of the cooperative's contracts.")
        if not form.function:
            raise refuse("function", "Function: choose the function to call.")
        return custom_call(contract, form.function, list(form.arguments), form.call_value)
    if form.kind == "dataset":
        return _dataset_action(settings, chain, form)
    raise refuse("kind", f"Action: unknown kind {form.kind!r}.")


def field_problem(name: str, value: object) -> str | None:
    """Why `value` cannot be stored in the builder's field `name` (type and size), or None.

    Checked on every keystroke event, before anything is stored or rendered: a
    client can send any value, of any size, to any handler.
    """
    if not isinstance(value, str):
        return "The field takes text."
    if name == "reason" and len(value) > FIELD_MAX_CHARS:
        # Written text, stored as a document: its own limit (in bytes), checked again on use.
        if len(value) > MAX_REASON_TEXT_BYTES:
            return f"The reason is limited to {MAX_REASON_TEXT_BYTES:,} bytes: link a document."
        return None
    if name == "body":
        # Characters are at most as many as bytes: the first test spares encoding megabytes.
        size = (
            len(value)
            if len(value) > DESCRIPTION_MAX_BYTES
            else len(value.encode("utf-8", "surrogatepass"))
        )
        if size > DESCRIPTION_MAX_BYTES:
            return (
                f"The description is limited to {DESCRIPTION_MAX_BYTES:,} bytes with the title "
                f"(this text has {size:,}): shorten it, or link to a longer document."
            )
        return None
    if len(value) > FIELD_MAX_CHARS:
        return f"That field takes at most {FIELD_MAX_CHARS:,} characters."
    return None


def _too_many(count: int) -> str:
    return f"A proposal can have at most {MAX_ACTIONS} actions ({count} now); remove one first."


def build_draft(
    settings: Settings, chain: GovernanceChain, form: BuilderForm, proposer: str
) -> ProposalDraft:
    """The proposal `proposer` would make from the form (only they can propose it);
    InvalidInput lists every field's problem at once.

    An added action that no longer validates (e.g. the treasury spent the ETH it
    would send) is reported under "actions" with its number, since its fields are
    not on the page any more; the editor's problems stay keyed by its fields.
    """
    problems = ProblemCollector()
    actions: list[ProposalAction] = []
    for number, added in enumerate(form.added, start=1):
        try:
            actions.extend(_actions(settings, chain, added))
        except InvalidInput as exc:
            problems.add("actions", f"Action {number}: {exc}")
    if not form.editor.is_blank():
        editor_actions = problems.check(lambda: _actions(settings, chain, form.editor))
        if editor_actions is not None:
            actions.extend(editor_actions)
    count = len(form.action_forms)
    if count == 0:
        problems.add("actions", "Add at least one action.")
    elif count > MAX_ACTIONS:
        problems.add("actions", _too_many(count))
    # Title and description are checked even when an action is wrong: all problems at once.
    problems.check(lambda: proposal_description(form.title, form.body))
    problems.raise_if_any()
    return assemble_proposal(actions, form.title, form.body, proposer=proposer)


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    """One message per field; several problems of one field (e.g. two added actions) joined."""
    errors: dict[str, str] = {}
    for problem in exc.problems:
        errors[problem.field] = " ".join(filter(None, [errors.get(problem.field), problem.message]))
    return errors


def add_action(settings: Settings, editor: ActionForm, added_count: int) -> AddActionResult:
    """Validate the editor's action alone, for "Add action"; refused beyond MAX_ACTIONS."""
    if added_count >= MAX_ACTIONS:
        return AddActionResult(field_errors={"actions": _too_many(added_count)})
    chain = _chain(settings)
    try:
        calls = _actions(settings, chain, editor)
    except InvalidInput as exc:
        return AddActionResult(field_errors=_field_errors(exc))
    # Decoded with the same context as the pre-flight, so the row says what the check will.
    decoded = decode_actions(
        [c.target for c in calls],
        [c.value for c in calls],
        [c.calldata for c in calls],
        action_context(chain),
    )
    return AddActionResult(added=AddedAction(editor, "; then ".join(d.summary for d in decoded)))


def _report(chain: GovernanceChain, proposer: str, draft: ProposalDraft) -> PreflightReport:
    suite = governance_suite(chain)
    return preflight_proposal(chain, proposer, draft, action_context(chain), suite.vote_token)


def _action_line(check: ActionCheck) -> str:
    if not check.checked:
        return f"– {check.action.summary}: not checked ({check.problem})"
    if check.ok:
        return f"✓ {check.action.summary}"
    return f"✗ {check.action.summary}: {check.problem}"


def check_form(settings: Settings, proposer: str, form: BuilderForm) -> BuilderReport:
    """Validate the form, then pre-flight the draft (threshold + simulated actions)."""
    chain = _chain(settings)
    try:
        draft = build_draft(settings, chain, form, proposer)
    except InvalidInput as exc:
        return BuilderReport(field_errors=_field_errors(exc))
    report = _report(chain, proposer, draft)
    token = governance_suite(chain).vote_token
    return BuilderReport(
        ok=report.ok,
        problems=list(report.problems),
        notes=list(report.notes),
        actions=[_action_line(check) for check in report.actions],
        power=(
            f"Your voting power {format_token_amount(report.proposer_votes, token.decimals)}"
            f" / threshold {format_token_amount(report.threshold, token.decimals)}"
        ),
        proposal_id=str(report.proposal_id),
    )


def _store_reasons(settings: Settings, form: BuilderForm) -> None:
    """Delisting reasons written as text go to the content store: their CIDs are in the
    calldata, and voters open them from the proposal page. Stored only for a proposal
    that passed the pre-flight (an unsigned one leaves a small orphan, like an upload)."""
    store = LocalContentStore(settings.content_dir)
    for action in form.action_forms:
        if action.kind == "dataset" and action.dataset_action == "delist":
            reason = delist_reason(action.reason)
            if reason.document is not None and store.put(reason.document) != reason.cid:
                raise WriteRefused("The reason could not be stored under its CID.")


@dataclass(frozen=True)
class PreparedProposal(PreparedWrite):
    """`Governor.propose` for the wallet, and the id the Governor will give the proposal
    (so the page can open it once mined without rebuilding the draft)."""

    proposal_id: int = 0


@refusing_unexpected
def prepare_proposal(settings: Settings, signer: str, form: BuilderForm) -> PreparedProposal:
    """`Governor.propose` for the form, only when the pre-flight passes."""
    chain = _chain(settings)
    try:
        draft = build_draft(settings, chain, form, signer)
    except InvalidInput as exc:
        raise WriteRefused(str(exc)) from exc
    report = _report(chain, signer, draft)
    if not report.ok:
        raise WriteRefused(" ".join(report.problems) or "The pre-flight check did not pass.")
    _store_reasons(settings, form)
    call = draft.to_call()
    count = len(call.targets)
    prepared = prepare_call(
        ChainContext.load(settings),
        description=f"Create the proposal with {count} action{'s' if count != 1 else ''}",
        sender=signer,
        contract="CoopGovernor",
        function="propose",
        args=[list(call.targets), list(call.values), list(call.calldatas), call.description],
    )
    return PreparedProposal(prepared.description, prepared.tx, proposal_id=report.proposal_id)
