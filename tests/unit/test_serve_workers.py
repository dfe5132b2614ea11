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
