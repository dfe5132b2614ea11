"""`coop serve --workers N`: what several workers need is checked before anything starts."""

from __future__ import annotations

import pytest

from coop_dashboard.cli import main


@pytest.fixture(autouse=True)
def _no_chain_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Refusals must come before the manifest or the chain is even looked at.
    monkeypatch.setenv("DEPLOYMENT", "/nonexistent/deployment.json")


def test_several_workers_without_redis_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert main(["serve", "--workers", "2"]) == 1
    assert "--workers 2 needs REDIS_URL" in capsys.readouterr().err


def test_a_redis_that_does_not_answer_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    assert main(["serve", "--workers", "2"]) == 1
    assert "Redis does not answer at REDIS_URL" in capsys.readouterr().err


def test_zero_workers_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "0"]) == 1
    assert "--workers must be at least 1" in capsys.readouterr().err


def test_with_redis_the_workers_hold_a_tabs_state_between_its_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coop_dashboard.cli import _worker_environment
    from coop_dashboard.config import load_settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setattr("coop_dashboard.cli._check_redis", lambda _url: None)
    monkeypatch.delenv("REFLEX_OPLOCK_ENABLED", raising=False)
    monkeypatch.delenv("REFLEX_OPLOCK_HOLD_TIME", raising=False)
    env = _worker_environment(load_settings(), 2, dev=False)
    assert env["REFLEX_OPLOCK_ENABLED"] == "true"
    assert env["REFLEX_OPLOCK_HOLD_TIME"] == "5s"
    monkeypatch.setenv("REFLEX_OPLOCK_ENABLED", "false")  # the operator's choice wins
    assert _worker_environment(load_settings(), 2, dev=False)["REFLEX_OPLOCK_ENABLED"] == "false"
    monkeypatch.delenv("REDIS_URL")
    assert "REFLEX_OPLOCK_ENABLED" not in _worker_environment(load_settings(), 1, dev=False)
