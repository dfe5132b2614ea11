"""The proposal builder's rules: validate what a person typed, construct the actions.

Three kinds of action (treasury transfer, governance parameter change, custom
call), a title and a markdown body; the result is exactly what `propose` takes.
Pure: balances, current settings and supply are inputs, read by the caller.
What only the chain can tell (does the call revert when executed by the
timelock? does the proposer have enough votes?) is checked by
`services.governance.preflight` before the user signs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial

from eth_abi import encode
from eth_utils import keccak

from coop_dashboard.chain.governance_types import (
    GovernanceSettings,
    KnownContract,
    ProposalCall,
    TokenInfo,
)
from coop_dashboard.chain.proposal_text import TITLE_MAX_CHARS, with_proposer_suffix
from coop_dashboard.services.governance.abi_args import parse_abi_argument
from coop_dashboard.services.governance.abi_types import (
    AbiEntry,
    abi_type,
    function_selector,
    function_signature,
    is_state_changing,
)
from coop_dashboard.services.governance.inputs import parse_address
from coop_dashboard.services.governance.markdown import DESCRIPTION_MAX_BYTES
from coop_dashboard.services.governance.units import (
    format_duration,
    format_token_amount,
    parse_duration,
    parse_token_amount,
)
from coop_dashboard.services.governance.validation import ProblemCollector, refuse

MAX_ACTIONS = 10
NATIVE = TokenInfo("ETH", 18)
DAY = 86_400
HOUR = 3_600


@dataclass(frozen=True)
class ProposalAction:
    """One call the timelock will make if the proposal passes."""

    target: str
    value: int
    calldata: bytes


@dataclass(frozen=True)
class ProposalDraft:
    actions: tuple[ProposalAction, ...]
    description: str

    def to_call(self) -> ProposalCall:
        return ProposalCall(
            targets=tuple(a.target for a in self.actions),
            values=tuple(a.value for a in self.actions),
            calldatas=tuple(a.calldata for a in self.actions),
            description=self.description,
        )

    @property
    def proposal_id(self) -> int:
        return proposal_id(self.to_call())


def proposal_id(call: ProposalCall) -> int:
    """`Governor.hashProposal`: known before the proposal is sent (links, duplicate checks)."""
    encoded = encode(
        ["address[]", "uint256[]", "bytes[]", "bytes32"],
        [list(call.targets), list(call.values), list(call.calldatas), call.description_hash],
    )
    return int.from_bytes(keccak(encoded), "big")


def _encode_call(entry: AbiEntry, args: Sequence[object]) -> bytes:
    types = [abi_type(p) for p in entry.get("inputs", [])]
    return function_selector(entry) + encode(types, list(args))


def _function(contract: KnownContract, name: str) -> AbiEntry:
    entry = next(
        (e for e in contract.abi if e.get("type") == "function" and e["name"] == name), None
    )
    if entry is None:  # the manifest's ABI is not the suite's: a deployment problem
        raise refuse("contract", f"{contract.name} has no {name} function in its ABI.")
    return entry


def contract_action(
    contract: KnownContract, name: str, args: Sequence[object], value: int = 0
) -> ProposalAction:
    """`contract.name(*args)` as a proposal action (the function of that name in its ABI)."""
    return ProposalAction(contract.address, value, _encode_call(_function(contract, name), args))


# --- treasury transfer ----------------------------------------------------------------


@dataclass(frozen=True)
class TreasuryAsset:
    """What the treasury can send: ETH (`token` None) or one of the suite's ERC20s."""

    symbol: str
    decimals: int
    balance: int  # the treasury's, in base units
    token: KnownContract | None = None


def treasury_transfer(
    asset: TreasuryAsset, recipient_text: str, amount_text: str, *, treasury: str
) -> ProposalAction:
    """Send `amount_text` of `asset` from the treasury to `recipient_text`."""
    problems = ProblemCollector()
    recipient = problems.check(lambda: parse_address(recipient_text, "recipient", "Recipient"))
    if recipient is not None and recipient.lower() == treasury.lower():
        problems.add("recipient", "Recipient: this is the treasury itself; nothing would move.")
    amount = problems.check(
        lambda: parse_token_amount(amount_text, asset.decimals, "amount", "Amount")
    )
    if amount is not None:
        if amount == 0:
            problems.add("amount", "Amount: must be more than 0.")
        elif amount > asset.balance:
            held = format_token_amount(asset.balance, asset.decimals, asset.symbol)
            problems.add("amount", f"Amount: the treasury holds only {held}.")
    problems.raise_if_any()
    assert recipient is not None and amount is not None
    if asset.token is None:
        return ProposalAction(recipient, amount, b"")
    transfer = _function(asset.token, "transfer")
    return ProposalAction(asset.token.address, 0, _encode_call(transfer, [recipient, amount]))


# --- governance parameters ------------------------------------------------------------


class GovernanceParameter(Enum):
    VOTING_DELAY = "voting_delay"
    VOTING_PERIOD = "voting_period"
    PROPOSAL_THRESHOLD = "proposal_threshold"
    QUORUM_PERCENT = "quorum_percent"
    LATE_QUORUM_EXTENSION = "late_quorum_extension"
    TIMELOCK_DELAY = "timelock_delay"


# Bounds are the cooperative's policy on top of what the contracts accept (which is
# e.g. "any uint48" for the voting delay): a typo must not be able to freeze
# governance for years or make it instantaneous. Change them here, with a vote.
DURATION_BOUNDS: dict[GovernanceParameter, tuple[int, int]] = {
    GovernanceParameter.VOTING_DELAY: (0, 30 * DAY),
    GovernanceParameter.VOTING_PERIOD: (1 * HOUR, 60 * DAY),  # OZ: > 0, uint32
    GovernanceParameter.LATE_QUORUM_EXTENSION: (0, 30 * DAY),  # OZ: <= voting period
    GovernanceParameter.TIMELOCK_DELAY: (1 * HOUR, 30 * DAY),
}
_LABELS = {
    GovernanceParameter.VOTING_DELAY: "Voting delay",
    GovernanceParameter.VOTING_PERIOD: "Voting period",
    GovernanceParameter.PROPOSAL_THRESHOLD: "Proposal threshold",
    GovernanceParameter.QUORUM_PERCENT: "Quorum",
    GovernanceParameter.LATE_QUORUM_EXTENSION: "Late-quorum extension",
    GovernanceParameter.TIMELOCK_DELAY: "Timelock delay",
}
_SETTERS = {
    GovernanceParameter.VOTING_DELAY: "setVotingDelay",
    GovernanceParameter.VOTING_PERIOD: "setVotingPeriod",
    GovernanceParameter.PROPOSAL_THRESHOLD: "setProposalThreshold",
    GovernanceParameter.QUORUM_PERCENT: "updateQuorumNumerator",
    GovernanceParameter.LATE_QUORUM_EXTENSION: "setLateQuorumVoteExtension",
    GovernanceParameter.TIMELOCK_DELAY: "updateDelay",
}


@dataclass(frozen=True)
class GovernanceSuite:
    """The contracts and current state a parameter change is checked against."""

    governor: KnownContract
    timelock: KnownContract
    settings: GovernanceSettings
    vote_token: TokenInfo
    vote_token_supply: int  # base units: no threshold above the whole supply


def _current(parameter: GovernanceParameter, settings: GovernanceSettings) -> int:
    return {
        GovernanceParameter.VOTING_DELAY: settings.voting_delay,
        GovernanceParameter.VOTING_PERIOD: settings.voting_period,
        GovernanceParameter.PROPOSAL_THRESHOLD: settings.proposal_threshold,
        GovernanceParameter.QUORUM_PERCENT: settings.quorum_numerator,
        GovernanceParameter.LATE_QUORUM_EXTENSION: settings.late_quorum_extension,
        GovernanceParameter.TIMELOCK_DELAY: settings.timelock_delay,
    }[parameter]


def _parse_parameter(parameter: GovernanceParameter, text: str, suite: GovernanceSuite) -> int:
    field, label = parameter.value, _LABELS[parameter]
    if parameter in DURATION_BOUNDS:
        seconds = parse_duration(text, field, label)
        low, high = DURATION_BOUNDS[parameter]
        if not low <= seconds <= high:
            shown_low = format_duration(low) if low else "0"
            raise refuse(
                field, f"{label}: must be between {shown_low} and {format_duration(high)}."
            )
        if (
            parameter is GovernanceParameter.LATE_QUORUM_EXTENSION
            and seconds > suite.settings.voting_period
        ):
            raise refuse(
                field,
                f"{label}: cannot be longer than the voting period "
                f"({format_duration(suite.settings.voting_period)}).",
            )
        return seconds
    if parameter is GovernanceParameter.PROPOSAL_THRESHOLD:
        token = suite.vote_token
        amount = parse_token_amount(text, token.decimals, field, label)
        if amount > suite.vote_token_supply:
            supply = format_token_amount(suite.vote_token_supply, token.decimals, token.symbol)
            raise refuse(field, f"{label}: cannot exceed the total supply ({supply}).")
        return amount
    # Quorum: a whole percentage; the numerator is over quorumDenominator().
    cleaned = text.strip().removesuffix("%").strip()
    if not cleaned.isdigit():
        raise refuse(field, f"{label}: enter a whole percentage from 1 to 100, e.g. 5.")
    percent = int(cleaned)
    if not 1 <= percent <= 100:
        raise refuse(field, f"{label}: must be from 1% to 100% of the supply.")
    numerator = percent * suite.settings.quorum_denominator
    if numerator % 100:
        raise refuse(field, f"{label}: {percent}% cannot be expressed with this governor.")
    return numerator // 100


def parameter_change(
    parameter: GovernanceParameter, value_text: str, suite: GovernanceSuite
) -> ProposalAction:
    """A call to the governor's (or, for the delay, the timelock's) setter."""
    value = _parse_parameter(parameter, value_text, suite)
    if value == _current(parameter, suite.settings):
        raise refuse(parameter.value, f"{_LABELS[parameter]}: that is already the current value.")
    contract = suite.timelock if parameter is GovernanceParameter.TIMELOCK_DELAY else suite.governor
    setter = _function(contract, _SETTERS[parameter])
    return ProposalAction(contract.address, 0, _encode_call(setter, [value]))


# --- custom call --------------------------------------------------------------------------


@dataclass(frozen=True)
class FunctionInput:
    name: str
    type: str


@dataclass(frozen=True)
class FunctionChoice:
    """A state-changing function offered in the custom-call picker."""

    signature: str  # "transfer(address,uint256)": unique even for overloads
    name: str
    inputs: tuple[FunctionInput, ...]
    payable: bool


def callable_functions(contract: KnownContract) -> list[FunctionChoice]:
    """The functions a proposal can usefully call on `contract` (no view/pure), by name."""
    choices = [
        FunctionChoice(
            signature=function_signature(entry),
            name=str(entry["name"]),
            inputs=tuple(
                FunctionInput(p.get("name") or f"arg{i}", abi_type(p))
                for i, p in enumerate(entry.get("inputs", []))
            ),
            payable=entry.get("stateMutability") == "payable",
        )
        for entry in contract.abi
        if is_state_changing(entry)
    ]
    return sorted(choices, key=lambda c: c.signature)


def _parse_argument(text: str, param: AbiEntry, index: int) -> object:
    kind = abi_type(param)
    label = f"Argument {param.get('name') or index + 1} ({kind})"
    return parse_abi_argument(text, kind, f"arg{index}", label)


def custom_call(
    contract: KnownContract,
    signature: str,
    argument_texts: Sequence[str],
    value_text: str = "0",
    *,
    native: TokenInfo = NATIVE,
) -> ProposalAction:
    """`contract.signature(*arguments)`, each argument parsed from text for its ABI type."""
    entry = next(
        (e for e in contract.abi if is_state_changing(e) and function_signature(e) == signature),
        None,
    )
    if entry is None:
        raise refuse("function", f"Function: {contract.name} has no callable {signature}.")
    inputs = entry.get("inputs", [])
    if len(argument_texts) != len(inputs):
        raise refuse(
            "arguments", f"Arguments: {signature} takes {len(inputs)}, got {len(argument_texts)}."
        )
    problems = ProblemCollector()
    values = [
        problems.check(partial(_parse_argument, text, param, index))
        for index, (text, param) in enumerate(zip(argument_texts, inputs, strict=True))
    ]
    value = problems.check(
        lambda: parse_token_amount(value_text or "0", native.decimals, "value", "Value")
    )
    if value and entry.get("stateMutability") != "payable":
        problems.add(
            "value", f"Value: {signature} is not payable; it cannot receive {native.symbol}."
        )
    problems.raise_if_any()
    return ProposalAction(contract.address, value or 0, _encode_call(entry, values))


# --- title, description, assembly -----------------------------------------------------------


def proposal_description(title: str, body: str) -> str:
    """ "# title\\n\\nbody\\n": the convention feeds (ours, Tally, Agora) read titles from."""
    problems = ProblemCollector()
    clean_title = " ".join(title.split())
    if not clean_title:
        problems.add("title", "Title: a proposal needs a title.")
    elif len(clean_title) > TITLE_MAX_CHARS:
        problems.add(
            "title", f"Title: at most {TITLE_MAX_CHARS} characters ({len(clean_title)} now)."
        )
    elif clean_title.startswith("#"):
        problems.add("title", "Title: write it without leading # (it becomes the heading).")
    problems.raise_if_any()
    description = f"# {clean_title}\n\n{body.strip()}\n" if body.strip() else f"# {clean_title}\n"
    size = len(description.encode())
    if size > DESCRIPTION_MAX_BYTES:
        raise refuse(
            "body",
            f"Description: at most {DESCRIPTION_MAX_BYTES:,} bytes with the title "
            f"({size:,} now); link to a longer document instead.",
        )
    return description


def assemble_proposal(
    actions: Sequence[ProposalAction], title: str, body: str, *, proposer: str
) -> ProposalDraft:
    """The full proposal: actions in order + the description, bound to `proposer`.

    The `#proposer=` suffix makes the Governor refuse the same proposal from anyone
    else: without it a pending proposal can be front-run (replayed, then cancelled).
    """
    problems = ProblemCollector()
    if not actions:
        problems.add("actions", "Actions: add at least one action.")
    elif len(actions) > MAX_ACTIONS:
        problems.add("actions", f"Actions: at most {MAX_ACTIONS} per proposal.")
    description = problems.check(lambda: proposal_description(title, body))
    problems.raise_if_any()
    assert description is not None
    return ProposalDraft(tuple(actions), with_proposer_suffix(description, proposer))
