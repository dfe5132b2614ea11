"""Asserting that a call reverts with a given custom error (decoded, not string-matched)."""

from __future__ import annotations

from typing import Any

from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.revert import DecodedRevert, RevertDecoder


def decoder_for(artifacts: dict[str, Artifact]) -> RevertDecoder:
    return RevertDecoder(a.abi for a in artifacts.values())


def revert_of(
    decoder: RevertDecoder, function: ContractFunction, sender: str, value: int = 0
) -> DecodedRevert | None:
    """Simulate `function` from `sender`; the decoded revert, or None if it succeeds."""
    params: dict[str, Any] = {"from": sender, "value": value}
    try:
        function.call(params)  # type: ignore[arg-type]
    except ContractCustomError as exc:
        return decoder.decode(str(exc.data))
    except ContractLogicError as exc:
        data = exc.data if isinstance(exc.data, str) else ""
        return decoder.decode(data) or DecodedRevert("Error", (str(exc),))
    return None
