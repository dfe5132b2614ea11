"""Proposal actions (target, value, calldata) in plain language.

"Transfer 5,000 cUSD from the treasury to 0xab…cd", "Set voting period from
5 days to 3 days": calls to the cooperative's contracts are decoded with the
manifest's ABIs; ERC20 transfers/approvals to any token are recognised by their
standard selectors; anything else is shown as raw calldata. Decoding never
raises: a proposal is arbitrary bytes chosen by whoever proposed it, and a
malformed one must still be shown (as what it is) rather than break the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from functools import partial
from typing import Any

from eth_abi import decode
from eth_utils import is_address, keccak, to_checksum_address

from coop_dashboard.chain.data_licensing import PURPOSES
from coop_dashboard.chain.governance_types import GovernanceSettings, KnownContract, TokenInfo
from coop_dashboard.services.display import short_address
from coop_dashboard.services.governance.abi_types import (
    AbiEntry,
    format_abi_value,
    function_signature,
    functions_by_selector,
    input_types,
)
from coop_dashboard.services.governance.units import format_duration, format_token_amount

MAX_UINT256 = 2**256 - 1
NATIVE = TokenInfo("ETH", 18)
# Nested calls (governor.relay inside a proposal) are decoded this deep, no deeper:
# a hostile proposal could nest relays until the page times out.
_MAX_DEPTH = 2

# The standard ERC20 functions, recognised on any target (not only our tokens).
_ERC20_ABI: list[AbiEntry] = [
    {
        "type": "function",
        "name": name,
        "stateMutability": "nonpayable",
        "inputs": [{"name": n, "type": t} for n, t in inputs],
        "outputs": [{"name": "", "type": "bool"}],
    }
    for name, inputs in (
        ("transfer", (("to", "address"), ("value", "uint256"))),
        ("approve", (("spender", "address"), ("value", "uint256"))),
        ("transferFrom", (("from", "address"), ("to", "address"), ("value", "uint256"))),
    )
]
_ERC20_SELECTORS = functions_by_selector(_ERC20_ABI)

_TIMELOCK_ROLES = {
    keccak(text=name): label
    for name, label in (
        ("PROPOSER_ROLE", "proposer"),
        ("EXECUTOR_ROLE", "executor"),
        ("CANCELLER_ROLE", "canceller"),
    )
}
_TIMELOCK_ROLES[bytes(32)] = "admin"


class ActionKind(Enum):
    ETH_TRANSFER = "eth_transfer"
    TOKEN_TRANSFER = "token_transfer"
    TOKEN_APPROVAL = "token_approval"
    SETTING_CHANGE = "setting_change"
    TOKEN_MINT = "token_mint"
    DELEGATION = "delegation"
    ROLE_CHANGE = "role_change"
    REGISTRY = "registry"
    DATASET = "dataset"  # delisting, licensing pause of a registered dataset
    RELAY = "relay"
    CONTRACT_CALL = "contract_call"  # a known function without a special phrasing
    UNKNOWN_CALL = "unknown_call"  # target or selector we have no ABI for
    MALFORMED = "malformed"  # calldata that cannot be what its selector says
    EMPTY = "empty"  # no calldata and no value: does nothing


@dataclass(frozen=True)
class DecodedArg:
    name: str
    type: str
    value: str  # shown as text, exact


@dataclass(frozen=True)
class DecodedAction:
    index: int
    target: str  # checksummed when it is an address
    target_label: str  # "cUSD (MockStablecoin)", "0xab…cd"
    value: int  # wei sent with the call
    calldata: str  # 0x hex, always available for "show raw"
    kind: ActionKind
    summary: str
    function: str | None = None  # "transfer(address,uint256)" when decoded
    args: tuple[DecodedArg, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ActionContext:
    """What the decoder knows about the cooperative (addresses lower-cased as keys)."""

    treasury: str
    contracts: Mapping[str, KnownContract] = field(default_factory=dict)
    tokens: Mapping[str, TokenInfo] = field(default_factory=dict)
    # Current governance settings: "from X to Y" needs the value before the change.
    # Pass None for executed proposals (the current value is already the new one).
    settings: GovernanceSettings | None = None
    labels: Mapping[str, str] = field(default_factory=dict)  # e.g. member names
    native: TokenInfo = NATIVE
    executor: str = "the treasury"  # who makes the calls (the timelock), in a sentence
    _selectors: dict[str, dict[bytes, AbiEntry]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tables = {
            address.lower(): functions_by_selector(contract.abi)
            for address, contract in self.contracts.items()
        }
        object.__setattr__(self, "_selectors", tables)

    @classmethod
    def for_contracts(
        cls,
        contracts: Sequence[KnownContract],
        treasury: str,
        tokens: Mapping[str, TokenInfo],
        settings: GovernanceSettings | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> ActionContext:
        return cls(
            treasury=treasury,
            contracts={c.address.lower(): c for c in contracts},
            tokens={a.lower(): t for a, t in tokens.items()},
            settings=settings,
            labels={a.lower(): label for a, label in (labels or {}).items()},
        )

    def contract_at(self, address: str) -> KnownContract | None:
        return self.contracts.get(address.lower())

    def address_of(self, name: str) -> str | None:
        return next((c.address for c in self.contracts.values() if c.name == name), None)

    def function_at(self, address: str, selector: bytes) -> AbiEntry | None:
        return self._selectors.get(address.lower(), {}).get(selector)

    def who(self, address: str) -> str:
        """How an address reads in a sentence."""
        key = address.lower()
        if key == self.treasury.lower():
            return self.executor
        if key in self.labels:
            return f"{self.labels[key]} ({short_address(to_checksum_address(address))})"
        contract = self.contracts.get(key)
        if contract is not None:
            return contract.name
        return short_address(to_checksum_address(address))

    def token_name(self, token_address: str) -> str:
        info = self.tokens.get(token_address.lower())
        return info.symbol if info else f"the token at {short_address(token_address)}"

    def amount(self, token_address: str | None, amount: int) -> str:
        if token_address is None:
            return format_token_amount(amount, self.native.decimals, self.native.symbol)
        info = self.tokens.get(token_address.lower())
        if info is None:
            return f"{amount:,} base units of the token at {short_address(token_address)}"
        return format_token_amount(amount, info.decimals, info.symbol)


@dataclass(frozen=True)
class _Call:
    """One decoded call, handed to the phrasing rules."""

    context: ActionContext
    target: str
    value: int
    entry: AbiEntry
    args: dict[str, Any]
    depth: int

    @property
    def name(self) -> str:
        return str(self.entry["name"])

    @property
    def contract_name(self) -> str | None:
        contract = self.context.contract_at(self.target)
        return contract.name if contract else None


# --- phrasing rules: (kind, summary) for a decoded call, or None to fall through ---------

_Phrase = tuple[ActionKind, str]


def _erc20(call: _Call) -> _Phrase | None:
    ctx, args = call.context, list(call.args.values())
    if call.name == "transfer" and len(args) == 2:
        to, amount = args
        return (
            ActionKind.TOKEN_TRANSFER,
            f"Transfer {ctx.amount(call.target, amount)} from {ctx.executor} to {ctx.who(to)}",
        )
    if call.name == "approve" and len(args) == 2:
        spender, amount = args
        shown = (
            f"any amount of {ctx.executor}'s {ctx.token_name(call.target)}"
            if amount == MAX_UINT256
            else f"up to {ctx.amount(call.target, amount)} from {ctx.executor}"
        )
        return ActionKind.TOKEN_APPROVAL, f"Allow {ctx.who(spender)} to spend {shown}"
    if call.name == "transferFrom" and len(args) == 3:
        source, to, amount = args
        return (
            ActionKind.TOKEN_TRANSFER,
            f"Transfer {ctx.amount(call.target, amount)} from {ctx.who(source)} to {ctx.who(to)} "
            f"(using an allowance given to {ctx.executor})",
        )
    return None


def _setting(
    label: str, new: int, current: int | None, show: Callable[[int], str], suffix: str = ""
) -> tuple[ActionKind, str]:
    if current is None:
        return ActionKind.SETTING_CHANGE, f"Set {label} to {show(new)}{suffix}"
    if current == new:
        return ActionKind.SETTING_CHANGE, f"Set {label} to {show(new)}{suffix} (unchanged)"
    return ActionKind.SETTING_CHANGE, f"Set {label} from {show(current)} to {show(new)}{suffix}"


# (contract name, function) -> (label, GovernanceSettings field, how values read)
_SETTINGS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("CoopGovernor", "setVotingDelay"): ("voting delay", "voting_delay", "duration"),
    ("CoopGovernor", "setVotingPeriod"): ("voting period", "voting_period", "duration"),
    ("CoopGovernor", "setProposalThreshold"): (
        "proposal threshold",
        "proposal_threshold",
        "votes",
    ),
    ("CoopGovernor", "updateQuorumNumerator"): ("quorum", "quorum_numerator", "percent"),
    ("CoopGovernor", "setLateQuorumVoteExtension"): (
        "late-quorum vote extension",
        "late_quorum_extension",
        "duration",
    ),
    ("CoopTimelock", "updateDelay"): ("the timelock delay", "timelock_delay", "duration"),
}


def _governance_setting(call: _Call) -> _Phrase | None:
    rule = _SETTINGS.get((call.contract_name or "", call.name))
    args = list(call.args.values())
    if rule is None or len(args) != 1 or not isinstance(args[0], int):
        return None
    label, setting, unit = rule
    ctx, settings = call.context, call.context.settings
    current: int | None = getattr(settings, setting) if settings else None
    vote_token = ctx.address_of("CoopToken")
    denominator = settings.quorum_denominator if settings else 100

    def show(value: int) -> str:
        if unit == "duration":
            return format_duration(value)
        if unit == "votes":
            return ctx.amount(vote_token, value) if vote_token else f"{value:,}"
        return f"{value}%" if denominator == 100 else f"{value}/{denominator}"

    # "Set quorum from 4% to 5% of the token supply": the unit once, at the end.
    suffix = " of the token supply" if unit == "percent" else ""
    return _setting(label, args[0], current, show, suffix)


def _token_admin(call: _Call) -> _Phrase | None:
    if call.contract_name != "CoopToken":
        return None
    ctx, args = call.context, list(call.args.values())
    if call.name == "mint" and len(args) == 2:
        to, amount = args
        return ActionKind.TOKEN_MINT, f"Mint {ctx.amount(call.target, amount)} to {ctx.who(to)}"
    if call.name == "delegate" and len(args) == 1:
        symbol = ctx.tokens.get(call.target.lower(), TokenInfo("token", 18)).symbol
        return (
            ActionKind.DELEGATION,
            f"Delegate {ctx.executor}'s {symbol} votes to {ctx.who(args[0])}",
        )
    return None


def _timelock_roles(call: _Call) -> _Phrase | None:
    if call.contract_name != "CoopTimelock":
        return None
    args = list(call.args.values())
    verbs = {"grantRole": "Grant", "revokeRole": "Revoke", "renounceRole": "Renounce"}
    if call.name not in verbs or len(args) != 2:
        return None
    role = _TIMELOCK_ROLES.get(bytes(args[0]), f"0x{bytes(args[0]).hex()[:8]}… role")
    preposition = "to" if call.name == "grantRole" else "from"
    return (
        ActionKind.ROLE_CHANGE,
        f"{verbs[call.name]} the timelock's {role} role {preposition} {call.context.who(args[1])}",
    )


def _registry(call: _Call) -> _Phrase | None:
    if call.contract_name != "DelegateRegistry":
        return None
    ctx, args = call.context, list(call.args.values())
    if call.name == "publishStatement" and len(args) == 4:
        uri, _digest, topics, seeking = args
        topic_text = ", ".join(str(t) for t in topics) or "none"
        return (
            ActionKind.REGISTRY,
            f"Publish {ctx.executor}'s delegate statement at {uri} (topics: {topic_text}; "
            f"seeking delegation: {'yes' if seeking else 'no'})",
        )
    if call.name == "setSeekingDelegation" and len(args) == 1:
        state = "as seeking delegation" if args[0] else "as no longer seeking delegation"
        return ActionKind.REGISTRY, f"Mark {ctx.executor}'s delegate statement {state}"
    if call.name == "clearStatement":
        return ActionKind.REGISTRY, f"Remove {ctx.executor}'s delegate statement"
    return None


_DATASET_ROLES = {keccak(text="CURATOR_ROLE"): "dataset curator", bytes(32): "admin"}


def _datasets(call: _Call) -> _Phrase | None:
    """DatasetRegistry's governance functions: curators, bond settings, delisting."""
    if call.contract_name != "DatasetRegistry":
        return None
    ctx, args = call.context, list(call.args.values())
    if call.name in ("grantRole", "revokeRole") and len(args) == 2:
        role = _DATASET_ROLES.get(bytes(args[0]), f"0x{bytes(args[0]).hex()[:8]}… role")
        who = ctx.who(args[1])
        if role == "dataset curator":
            if call.name == "grantRole":
                return ActionKind.ROLE_CHANGE, f"Make {who} a dataset curator"
            return ActionKind.ROLE_CHANGE, f"Remove {who} as a dataset curator"
        verb, preposition = ("Grant", "to") if call.name == "grantRole" else ("Revoke", "from")
        return (
            ActionKind.ROLE_CHANGE,
            f"{verb} the dataset registry's {role} role {preposition} {who}",
        )
    if call.name == "setMinimumBond" and len(args) == 1:
        return _setting("the minimum dataset bond", int(args[0]), None, partial(ctx.amount, None))
    if call.name == "setBondWaitingPeriod" and len(args) == 1:
        return _setting("the dataset bond waiting period", int(args[0]), None, format_duration)
    if call.name == "delist" and len(args) == 2:
        dataset_id, reason = args
        # The proposer wrote the reason: shown shortened, never as markup.
        shown = reason if len(reason) <= 80 else reason[:79] + "…"
        return (
            ActionKind.DATASET,
            f"Delist dataset #{dataset_id} for good (reason: ipfs://{shown}); "
            "its remaining bond goes to the treasury",
        )
    if call.name in ("pauseLicensing", "resumeLicensing") and len(args) == 1:
        verb = "Pause" if call.name == "pauseLicensing" else "Resume"
        return ActionKind.DATASET, f"{verb} licensing of dataset #{args[0]}"
    return None


_JOB_ROLES = {keccak(text="ARBITER_ROLE"): "job arbiter"}


def _utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _jobs(call: _Call) -> _Phrase | None:
    """JobBoard: governance funds a job (postJob with the treasury's bounty), arbiters."""
    if call.contract_name != "JobBoard":
        return None
    ctx, args = call.context, list(call.args.values())
    if call.name == "postJob" and len(args) == 1 and len(args[0]) == 9:
        spec, datasets, purpose, asset, bounty, bidding, delivery, stake, window = args[0]
        # The spec CID is the proposer's text: shown shortened, never as markup.
        shown = spec if len(spec) <= 80 else spec[:79] + "…"
        token = None if int(asset, 16) == 0 else asset
        purpose_name = PURPOSES[purpose].replace("_", " ") if purpose < len(PURPOSES) else "?"
        return (
            ActionKind.CONTRACT_CALL,
            f"Fund a training job with {ctx.amount(token, int(bounty))} from {ctx.executor}: "
            f"spec ipfs://{shown}, datasets {', '.join(f'#{d}' for d in datasets)}, for "
            f"{purpose_name}; bids until {_utc(bidding)}, delivery by {_utc(delivery)}, "
            f"stake at least {ctx.amount(None, int(stake))}, challenge window "
            f"{format_duration(int(window))}",
        )
    if call.name in ("grantRole", "revokeRole") and len(args) == 2:
        role = _JOB_ROLES.get(bytes(args[0]))
        if role is not None:
            who = ctx.who(args[1])
            verb = "Make" if call.name == "grantRole" else "Remove"
            link = "a" if call.name == "grantRole" else "as a"
            return ActionKind.ROLE_CHANGE, f"{verb} {who} {link} {role}"
    return None


def _relay(call: _Call) -> _Phrase | None:
    if call.contract_name != "CoopGovernor" or call.name != "relay" or len(call.args) != 3:
        return None
    target, value, data = call.args.values()
    if call.depth >= _MAX_DEPTH:
        return ActionKind.RELAY, f"Have the governor call {call.context.who(target)}"
    # Inside relay the governor itself is the caller: funds and approvals are its own.
    as_governor = replace(call.context, treasury=call.target, executor="the governor")
    inner = _decode(
        0, to_checksum_address(target), int(value), bytes(data), as_governor, call.depth + 1
    )
    return ActionKind.RELAY, f"Through the governor: {inner.summary}"


_RULES: tuple[Callable[[_Call], _Phrase | None], ...] = (
    _governance_setting,
    _token_admin,
    _timelock_roles,
    _registry,
    _datasets,
    _jobs,
    _relay,
)


# --- decoding ------------------------------------------------------------------------------


def _generic(call: _Call) -> _Phrase:
    where = call.contract_name or call.context.who(call.target)
    shown = ", ".join(
        f"{name} = {format_abi_value(kind, value)}"
        for (name, value), kind in zip(call.args.items(), input_types(call.entry), strict=True)
    )
    return ActionKind.CONTRACT_CALL, f"Call {call.name} on {where}" + (
        f" with {shown}" if shown else ""
    )


def _with_value(summary: str, value: int, context: ActionContext) -> str:
    return summary if value == 0 else f"{summary}, sending {context.amount(None, value)}"


def _decode(
    index: int, target: str, value: int, calldata: bytes, ctx: ActionContext, depth: int
) -> DecodedAction:
    raw = "0x" + calldata.hex()
    label = ctx.who(target)
    known = ctx.contract_at(target)
    if known is not None:
        token = ctx.tokens.get(target.lower())
        label = f"{token.symbol} ({known.name})" if token else known.name

    def action(kind: ActionKind, summary: str, **extra: Any) -> DecodedAction:
        return DecodedAction(index, target, label, value, raw, kind, summary, **extra)

    if not calldata:
        if value == 0:
            return action(ActionKind.EMPTY, f"Call {ctx.who(target)} with no data (does nothing)")
        return action(
            ActionKind.ETH_TRANSFER,
            f"Send {ctx.amount(None, value)} from {ctx.executor} to {ctx.who(target)}",
        )
    if len(calldata) < 4:
        return action(
            ActionKind.MALFORMED,
            _with_value(
                f"Call {ctx.who(target)} with malformed data ({len(calldata)} bytes)", value, ctx
            ),
            warnings=("The calldata is shorter than a function selector.",),
        )
    selector = calldata[:4]
    entry = ctx.function_at(target, selector)
    if entry is None and (known is None or target.lower() in ctx.tokens):
        entry = _ERC20_SELECTORS.get(selector)
    if entry is None:
        where = known.name if known else ctx.who(target)
        return action(
            ActionKind.UNKNOWN_CALL,
            _with_value(
                f"Call an unknown function (selector 0x{selector.hex()}) on {where}", value, ctx
            ),
            warnings=("No ABI is known for this call: check the raw calldata.",),
        )
    signature = function_signature(entry)
    types = input_types(entry)
    try:
        values = decode(types, calldata[4:])
    except Exception:  # eth_abi raises several types for short/garbled data
        return action(
            ActionKind.MALFORMED,
            _with_value(
                f"Call {entry['name']} on {label} with data that does not decode", value, ctx
            ),
            function=signature,
            warnings=(f"The calldata is not a valid encoding of {signature}.",),
        )
    names = [p.get("name") or f"arg{i}" for i, p in enumerate(entry.get("inputs", []))]
    call = _Call(ctx, target, value, entry, dict(zip(names, values, strict=True)), depth)
    decoded_args = tuple(
        DecodedArg(name, kind, format_abi_value(kind, item))
        for name, kind, item in zip(names, types, values, strict=True)
    )
    phrase = next((p for rule in _RULES if (p := rule(call)) is not None), None)
    if phrase is None and entry is _ERC20_SELECTORS.get(selector):
        phrase = _erc20(call)
    if phrase is None and target.lower() in ctx.tokens:
        phrase = _erc20(call)
    kind, summary = phrase or _generic(call)
    return action(kind, _with_value(summary, value, ctx), function=signature, args=decoded_args)


def decode_action(
    index: int, target: str, value: int, calldata: bytes | str, context: ActionContext
) -> DecodedAction:
    """One action in words. Never raises: anything undecodable is shown as raw data."""
    try:
        data = bytes.fromhex(calldata.removeprefix("0x")) if isinstance(calldata, str) else calldata
    except ValueError:
        return DecodedAction(
            index, str(target), str(target), value, str(calldata), ActionKind.MALFORMED,
            "Call with calldata that is not hex", warnings=("The calldata is not valid hex.",),
        )  # fmt: skip
    if not isinstance(target, str) or not is_address(target):
        return DecodedAction(
            index, str(target), str(target), value, "0x" + data.hex(), ActionKind.MALFORMED,
            f"Call to {target!r}, which is not an address", warnings=("Invalid target.",),
        )  # fmt: skip
    checksummed = to_checksum_address(target)
    try:
        return _decode(index, checksummed, value, data, context, 0)
    except Exception:  # a phrasing bug must not hide the action: fall back to raw
        return DecodedAction(
            index, checksummed, context.who(checksummed), value, "0x" + data.hex(),
            ActionKind.UNKNOWN_CALL, f"Call {context.who(checksummed)} (could not be decoded)",
            warnings=("This call could not be decoded: check the raw calldata.",),
        )  # fmt: skip


def decode_actions(
    targets: Sequence[str],
    values: Sequence[int],
    calldatas: Sequence[bytes | str],
    context: ActionContext,
) -> list[DecodedAction]:
    """Every action of a proposal, in execution order."""
    return [
        decode_action(i, target, value, data, context)
        for i, (target, value, data) in enumerate(zip(targets, values, calldatas, strict=False))
    ]
