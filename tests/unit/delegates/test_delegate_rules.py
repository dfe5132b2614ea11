"""Pure delegate rules: participation, the weighted-random order, the diff, URI filtering,
statement names, and the server-side checks of statements and topics."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from coop_dashboard.config import load_settings
from coop_dashboard.db.delegate_history import (
    NOTHING_TO_VOTE_ON,
    WEEK_S,
    PowerHistory,
    eligible_proposals,
    participation_bp,
    random_draw,
    replay_statement,
    week_window,
)
from coop_dashboard.db.delegate_queries import random_key, seed_rotation
from coop_dashboard.db.delegate_tables import RANDOM_BITS
from coop_dashboard.errors import CoopError, ValidationError
from coop_dashboard.services.delegates.directory import DirectoryKey, clean_key
from coop_dashboard.services.delegates.statement import (
    STATEMENT_MAX_BYTES,
    check_document,
    classify_uri,
    statement_diff,
    statement_name,
)
from coop_dashboard.services.delegates.writes import (
    check_statement,
    clean_topics,
    delegation_preview,
)
from coop_dashboard.services.governance.markdown import render_markdown

CID = "bafkreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq"


def test_power_at_reads_changes_at_or_before_the_timepoint() -> None:
    history = PowerHistory([100, 200, 300], [5, 0, 7])
    assert [history.at(t) for t in (99, 100, 150, 200, 299, 300, 10**9)] == [0, 5, 5, 0, 0, 7, 7]


def test_participation_counts_only_snapshots_that_passed_while_it_had_power() -> None:
    history = PowerHistory([100, 200, 300], [5, 0, 7])
    snapshots = [50, 150, 250, 350, 10_000]
    # 50: no power yet; 150: yes; 250: power 0; 350: yes; 10_000: not passed yet.
    assert eligible_proposals(history, snapshots, as_of=1_000) == 2
    assert participation_bp(1, 2) == 5_000
    assert participation_bp(2, 2) == 10_000
    assert participation_bp(0, 0) == NOTHING_TO_VOTE_ON


def test_week_window_gives_the_power_a_week_ago_and_when_it_moves() -> None:
    history = PowerHistory([0, WEEK_S + 10, 2 * WEEK_S], [1, 3, 9])
    window = week_window(history, as_of=WEEK_S + 5)
    assert window.power_week_ago == 1 and window.expires_at == 2 * WEEK_S + 10


def test_weighted_random_order_is_stable_per_seed_and_favours_power() -> None:
    delegates = {f"0x{index:040x}": weight for index, weight in enumerate([1, 1, 1, 10])}
    draws = {a: random_draw(a, RANDOM_BITS) for a in delegates}

    def order(seed: int) -> list[str]:
        rotation = seed_rotation(seed)
        return sorted(delegates, key=lambda a: (random_key(draws[a], rotation, delegates[a]), a))

    assert order(7) == order(7)
    firsts = Counter(order(seed)[0] for seed in range(1, 2_001))
    heavy = "0x" + f"{3:040x}"
    # Chance of first is proportional to weight: 10 / 13 for the heavy one.
    assert 0.70 < firsts[heavy] / 2_000 < 0.84
    assert len(firsts) == 4  # the small ones come first sometimes too
    rotation = seed_rotation(1)
    assert random_key(draws[heavy], rotation, 0) > random_key(draws[heavy], rotation, 1e-9)


def test_statement_diff_shows_added_and_removed_lines() -> None:
    lines = statement_diff("# A\n\nold line\n", "# A\n\nnew line\n", "v1", "v2")
    assert "-old line" in lines and "+new line" in lines and lines[0] == "--- v1"
    assert statement_diff("same\n", "same\n", "v1", "v2") == []


@pytest.mark.parametrize(
    ("uri", "kind", "href"),
    [
        (f"ipfs://{CID}", "ipfs", f"/ipfs/{CID}"),
        ("https://example.org/statement.md", "https", "https://example.org/statement.md"),
        ("http://example.org/statement.md", "other", ""),
        ("javascript:alert(1)", "other", ""),
        ("data:text/html,<script>alert(1)</script>", "other", ""),
        ("ipfs://../../etc/passwd", "other", ""),
        ("ipfs:" + CID, "other", ""),
        ('https://evil.org/"><script>', "other", ""),
        ("file:///etc/passwd", "other", ""),
    ],
)
def test_only_ipfs_and_https_uris_are_fetched_or_linked(uri: str, kind: str, href: str) -> None:
    found = classify_uri(uri)
    assert (found.kind, found.href) == (kind, href)


def test_a_document_is_verified_only_when_it_hashes_to_the_digest() -> None:
    data = b"# Amara\n"
    digest = "0x" + hashlib.sha256(data).hexdigest()
    assert check_document(data, digest).status == "verified"
    tampered = check_document(b"# Mallory\n", digest)
    assert tampered.status == "mismatch" and tampered.text == ""
    assert check_document(None, digest).status == "unavailable"


def test_statement_name_from_front_matter_or_first_heading() -> None:
    assert statement_name("---\nname: Amara Okafor\n---\n# Ignored\n") == "Amara Okafor"
    assert statement_name("Intro\n\n## **Bjorn** Lindqvist\n") == "Bjorn Lindqvist"
    assert statement_name("no heading") == ""
    assert len(statement_name("# " + "x" * 500)) == 80


def test_replay_keeps_the_latest_statement_and_forgets_a_cleared_one() -> None:
    published = {
        "kind": "published",
        "uri": "ipfs://a",
        "digest": "0x1",
        "topics": '["t"]',
        "seeking_delegation": True,
        "version": 1,
        "block_timestamp": 5,
    }
    flag = {"kind": "seeking_changed", "seeking_delegation": False, "block_timestamp": 6}
    statement = replay_statement([published, flag])
    assert statement is not None and statement.seeking_delegation is False
    assert replay_statement([published, {"kind": "cleared", "block_timestamp": 7}]) is None


def test_bad_statements_and_topics_are_refused_with_a_sentence() -> None:
    with pytest.raises(ValidationError, match="limit"):
        check_statement("x" * (STATEMENT_MAX_BYTES + 1), [], False)
    with pytest.raises(ValidationError, match="empty"):
        check_statement("   ", [], False)
    with pytest.raises(ValidationError, match="At most 8"):
        clean_topics([f"t{i}" for i in range(9)])
    with pytest.raises(ValidationError, match="32 bytes"):
        clean_topics(["x" * 33])
    with pytest.raises(ValidationError):
        clean_topics([{"not": "text"}])
    with pytest.raises(ValidationError):
        check_statement("# ok", [], "yes")
    assert clean_topics("Treasury, datasets, treasury,  ") == ["treasury", "datasets"]


def test_hostile_statements_render_harmless() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n"
        "<img src=x onerror=alert(1)>\n\n![p](data:image/png;base64,AAAA)\n"
    ).html
    # Raw HTML is shown as text, the javascript: link is not a link, the data: image
    # is its alt text: nothing in the result runs or loads.
    assert "<script" not in html and 'href="javascript' not in html
    assert "<img" not in html and "data:image" not in html


def test_directory_controls_from_any_client_are_made_valid() -> None:
    key = clean_key(
        DirectoryKey(
            search="x" * 5_000,
            topic="t" * 40,
            seeking_only="yes",  # type: ignore[arg-type]
            sort="DROP TABLE",
            seed="7",  # type: ignore[arg-type]
            page=-3,
        )
    )
    assert len(key.search) == 200 and key.topic == "" and key.seeking_only is False
    assert (key.sort, key.seed, key.page) == ("random", 0, 1)


def test_delegating_to_something_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(CoopError, match="not an Ethereum address|address"):
        delegation_preview(load_settings(), "0x" + "1" * 40, "0x1234")
