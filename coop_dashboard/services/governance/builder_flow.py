"""The proposal builder page's flow: form -> draft -> pre-flight report -> propose write.

The form is plain text fields as the person typed them; every refusal is a
FieldProblem keyed by field so the page shows it next to the input. Only a
draft whose pre-flight passes becomes a transaction (the report is re-run
when the write is prepared, so a stale "ok" never reaches the wallet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coop_dashboard.chain.client import make_web3
from coop_dashboard.chain.contracts import load_manifest
from coop_dashboard.chain.governance_chain import GovernanceChain
from coop_dashboard.config import Settings
from coop_dashboard.services.governance.builder import (
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
from coop_dashboard.services.governance.preflight import PreflightReport, preflight_proposal
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

KINDS = ("treasury", "parameter", "custom")
PARAMETER_LABELS = {
    GovernanceParameter.VOTING_DELAY.value: "Voting delay (e.g. 1 day)",
    GovernanceParameter.VOTING_PERIOD.value: "Voting period (e.g. 3 days)",
    GovernanceParameter.PROPOSAL_THRESHOLD.value: "Proposal threshold (COOP)",
    GovernanceParameter.QUORUM_PERCENT.value: "Quorum (% of supply)",
    GovernanceParameter.TIMELOCK_DELAY.value: "Timelock delay (e.g. 2 days)",
}


@dataclass(frozen=True)
class BuilderForm:
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
    title: str = ""
    body: str = ""


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
    actions: list[str] = field(default_factory=list)  # "✓ Transfer 5 ETH …" / "✗ …: why"
    power: str = ""
    proposal_id: str = ""


def _chain(settings: Settings) -> GovernanceChain:
    return GovernanceChain(
        make_web3(settings.rpc_url, settings.rpc_timeout_s), load_manifest(settings.deployment_path)
    )


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


def _action(chain: GovernanceChain, form: BuilderForm) -> ProposalAction:
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
    raise refuse("kind", f"Action: unknown kind {form.kind!r}.")


def build_draft(chain: GovernanceChain, form: BuilderForm) -> ProposalDraft:
    """The proposal the form describes; InvalidInput lists every field's problem at once."""
    problems = ProblemCollector()
    action = problems.check(lambda: _action(chain, form))
    # Title and description are checked even when the action is wrong: all problems at once.
    problems.check(lambda: proposal_description(form.title, form.body))
    problems.raise_if_any()
    assert action is not None
    return assemble_proposal([action], form.title, form.body)


def _report(chain: GovernanceChain, proposer: str, draft: ProposalDraft) -> PreflightReport:
    suite = governance_suite(chain)
    return preflight_proposal(chain, proposer, draft, action_context(chain), suite.vote_token)


def check_form(settings: Settings, proposer: str, form: BuilderForm) -> BuilderReport:
    """Validate the form, then pre-flight the draft (threshold + simulated actions)."""
    chain = _chain(settings)
    try:
        draft = build_draft(chain, form)
    except InvalidInput as exc:
        return BuilderReport(field_errors={p.field: p.message for p in exc.problems})
    report = _report(chain, proposer, draft)
    token = governance_suite(chain).vote_token
    return BuilderReport(
        ok=report.ok,
        problems=list(report.problems),
        notes=list(report.notes),
        actions=[
            ("✓ " if check.ok else "✗ ")
            + check.action.summary
            + (f": {check.problem}" if check.problem else "")
            for check in report.actions
        ],
        power=(
            f"Your voting power {format_token_amount(report.proposer_votes, token.decimals)}"
            f" / threshold {format_token_amount(report.threshold, token.decimals)}"
        ),
        proposal_id=str(report.proposal_id),
    )


@refusing_unexpected
def prepare_proposal(settings: Settings, signer: str, form: BuilderForm) -> PreparedWrite:
    """`Governor.propose` for the form, only when the pre-flight passes."""
    chain = _chain(settings)
    try:
        draft = build_draft(chain, form)
    except InvalidInput as exc:
        raise WriteRefused(str(exc)) from exc
    report = _report(chain, signer, draft)
    if not report.ok:
        raise WriteRefused(" ".join(report.problems) or "The pre-flight check did not pass.")
    call = draft.to_call()
    count = len(call.targets)
    return prepare_call(
        ChainContext.load(settings),
        description=f"Create the proposal with {count} action{'s' if count != 1 else ''}",
        sender=signer,
        contract="CoopGovernor",
        function="propose",
        args=[list(call.targets), list(call.values), list(call.calldatas), call.description],
    )
