"""The one rule for matching an address against a route, in both route syntaxes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coop_dashboard.frontend.routes import (
    address_pattern,
    react_router_parameter,
    reflex_parameter,
)


@pytest.mark.parametrize(
    ("segments", "is_parameter"),
    [
        (["", "proposals", "[proposal_id]"], reflex_parameter),
        (["proposals", ":proposal_id"], react_router_parameter),
    ],
)
def test_both_syntaxes_match_the_same_addresses(
    segments: list[str], is_parameter: Callable[[str], bool]
) -> None:
    pattern = address_pattern(segments, is_parameter)
    for address in ("/proposals/12", "/proposals/12/", "/Proposals/abc"):
        assert pattern.fullmatch(address), address
    for address in ("/proposals", "/proposals/12/votes", "/proposals//", "/x/proposals/1"):
        assert not pattern.fullmatch(address), address


def test_a_prefix_is_matched_literally() -> None:
    pattern = address_pattern(["jobs", ":job_id"], react_router_parameter, "/app.v1")
    assert pattern.fullmatch("/app.v1/jobs/7")
    assert not pattern.fullmatch("/appxv1/jobs/7")
    assert not pattern.fullmatch("/jobs/7")


def test_the_root_route_is_the_root_address_only() -> None:
    pattern = address_pattern(["", ""], reflex_parameter)
    assert pattern.fullmatch("/")
    assert not pattern.fullmatch("/proposals")
