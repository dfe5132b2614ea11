"""RPC API keys never reach a person or a log line: the one redaction, on real error paths.

The RPC URL carries a key in its path and in its query, as hosted providers'
URLs do; the node behind it is down, so every path below fails the way a
production outage would, through web3 / requests / httpx's own messages.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.errors import ChainError, CoopError
from coop_dashboard.redaction import install_log_redaction, public_url, redact
from coop_dashboard.services.chain_access import governance_chain
from coop_dashboard.services.governance.builder_flow import ActionForm, BuilderForm, check_form
from coop_dashboard.services.governance.proposal_writes import prepare_vote
from coop_dashboard.services.governance.readiness import check_vote_readiness
from coop_dashboard.services.overview import read_overview
from tests.support.chains import SeededChain

KEY_IN_PATH = "SECRETKEY0123"
KEY_IN_QUERY = "SECRET2abc"
VOTER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def assert_no_secret(text: str) -> None:
    assert KEY_IN_PATH not in text and KEY_IN_QUERY not in text, text


@pytest.fixture
def keyed_rpc(
    seeded_chain: SeededChain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    url = f"http://127.0.0.1:{_dead_port()}/v3/{KEY_IN_PATH}?apikey={KEY_IN_QUERY}"
    manifest = tmp_path / "deployment.json"
    manifest.write_text(seeded_chain.manifest_path.read_text())
    monkeypatch.setenv("RPC_URL", url)
    monkeypatch.setenv("RPC_TIMEOUT", "2")
    monkeypatch.setenv("CHAIN_ID", str(seeded_chain.chain_id))
    monkeypatch.setenv("DEPLOYMENT", str(manifest))
    database_url = f"sqlite:///{tmp_path / 'coop.db'}"
    create_tables(make_engine(database_url))
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield url


def test_redact_hides_every_part_of_a_configured_url(keyed_rpc: str) -> None:
    text = (
        f"error at {keyed_rpc}; requests said: Max retries exceeded with url: "
        f"/v3/{KEY_IN_PATH}?apikey={KEY_IN_QUERY} (key {KEY_IN_PATH})"
    )
    redacted = redact(text)
    assert_no_secret(redacted)
    assert public_url(keyed_rpc) in redacted  # still says which host failed
    assert redact("https://u:hunter2pass@db.example/x?token=abcdef") == (
        "https://…@db.example/x?token=…"
    )
    assert_no_secret(str(CoopError(f"boom {keyed_rpc}")))


def test_transaction_builder_readiness_and_overview_errors_carry_no_key(keyed_rpc: str) -> None:
    settings = load_settings()
    failures: list[str] = []
    with pytest.raises(CoopError) as vote:
        prepare_vote(settings, VOTER, 1, 1, "")
    failures.append(str(vote.value))
    with pytest.raises(ChainError) as readiness:
        check_vote_readiness(governance_chain(settings), VOTER, 1)
    failures.append(str(readiness.value))
    form = BuilderForm(
        editor=ActionForm(kind="treasury", asset="ETH", recipient=VOTER, amount="1"),
        title="Pay",
        body="",
    )
    try:
        report = check_form(settings, VOTER, form)
        failures.append(repr(report))
    except CoopError as exc:
        failures.append(str(exc))
    with pytest.raises(CoopError) as overview:
        read_overview(settings)
    failures.append(str(overview.value))
    for message in failures:
        assert_no_secret(message)
    # The failures are the outage, said plainly (with the host, not the key).
    assert any("127.0.0.1" in message and "unreachable" in message for message in failures)


def test_log_lines_and_their_tracebacks_carry_no_key(
    keyed_rpc: str, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_redaction()
    log = logging.getLogger("coop_dashboard.indexer.service")
    settings = load_settings()
    with caplog.at_level(logging.INFO):
        log.info("indexing %s into the database", settings.rpc_url)
        try:
            check_vote_readiness(governance_chain(settings), VOTER, 1)
        except ChainError:
            log.exception("reading the chain failed")
    assert len(caplog.records) == 2
    for record in caplog.records:
        assert_no_secret(record.getMessage())
        assert_no_secret(logging.Formatter().format(record))
    # The traceback (with web3's and requests' own messages) was kept, redacted.
    assert "Traceback" in (caplog.records[1].exc_text or "")
