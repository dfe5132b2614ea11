"""Every DatasetRegistry error has a sentence (a refused registration or attestation says
why in words, never as `DatasetRegistry...(3)`)."""

from __future__ import annotations

from coop_dashboard.chain.compile import Artifact
from coop_dashboard.chain.revert import DecodedRevert
from coop_dashboard.services.revert_text import explain_revert, known_reason

CURATOR = "0xabCDeF0123456789AbcdEf0123456789aBCDEF01"


def test_every_registry_error_is_explained(compiled_artifacts: dict[str, Artifact]) -> None:
    abi = compiled_artifacts["DatasetRegistry"].abi
    names = [item["name"] for item in abi if item["type"] == "error"]
    registry_errors = [name for name in names if name.startswith("DatasetRegistry")]
    assert len(registry_errors) >= 25
    unexplained = [n for n in registry_errors if known_reason(DecodedRevert(n, ())) is None]
    assert unexplained == []


def test_registry_errors_read_as_sentences() -> None:
    assert explain_revert(DecodedRevert("DatasetRegistryParentDelisted", (3,))) == (
        "parent dataset #3 is delisted"
    )
    assert explain_revert(DecodedRevert("DatasetRegistryBondTooLow", (10**16, 10**17))) == (
        "the bond is 0.01 ETH; the registry asks at least 0.1 ETH"
    )
    assert explain_revert(DecodedRevert("DatasetRegistryAlreadyAttested", (7, CURATOR))) == (
        "0xabCD…EF01 has already attested dataset #7: update the attestation instead"
    )
