"""Titles and summaries from on-chain descriptions, whatever shape they have."""

from __future__ import annotations

from coop_dashboard.chain.proposal_text import (
    UNTITLED,
    plain_text,
    proposal_text,
    proposal_title,
    strip_proposer_suffix,
    with_proposer_suffix,
)


def test_leading_heading_is_the_title_and_the_rest_the_summary() -> None:
    text = proposal_text(
        "# Fund pretraining run\n\nWe propose to pay **120,000 cUSD** to [Elif](https://x.example)"
        "'s cluster.\n\n- Budget: `120k`\n"
    )
    assert text.title == "Fund pretraining run"
    assert text.summary == "We propose to pay 120,000 cUSD to Elif's cluster. Budget: 120k"


def test_without_a_heading_the_first_line_is_the_title() -> None:
    text = proposal_text("Shorten the *voting* period\nFive days is long.\n\nMore text.")
    assert text.title == "Shorten the voting period"
    assert text.summary == "Five days is long. More text."


def test_a_later_heading_is_a_section_not_the_title() -> None:
    assert proposal_title("Intro line\n\n## Motivation\n\nBecause.") == "Intro line"


def test_setext_and_deeper_headings_count_as_the_title() -> None:
    assert proposal_title("Raise quorum\n============\n\nBody") == "Raise quorum"
    assert proposal_title("### Small title\nBody") == "Small title"


def test_empty_and_blank_descriptions_get_a_placeholder() -> None:
    assert proposal_text("").title == UNTITLED
    assert proposal_text("   \n\n  ").title == UNTITLED
    assert proposal_text("#\n\nbody").title == UNTITLED


def test_title_and_summary_are_capped_at_a_word_boundary() -> None:
    long_title = "word " * 100
    text = proposal_text(f"# {long_title}\n\n" + "lorem ipsum " * 200)
    assert len(text.title) <= 120 and text.title.endswith("…")
    assert not text.title[:-1].endswith(" ")
    assert len(text.summary) <= 280 and text.summary.endswith("…")


def test_raw_html_and_link_urls_never_reach_the_text() -> None:
    text = proposal_text(
        "# <b>Hi</b> there\n\n[click](javascript:alert(1)) ![img](https://i/x.png)"
    )
    assert text.title == "<b>Hi</b> there"  # shown as text (escaped by the UI), not markup
    assert "https://i/x.png" not in text.summary
    assert "img" in text.summary  # the alt text stays


def test_the_proposer_suffix_is_metadata_not_text() -> None:
    description = "# Title\n\nBody #proposer=0x" + "ab" * 20
    assert proposal_text(description).summary == "Body"
    assert "proposer" not in plain_text(description)


def test_the_builders_binding_round_trips_and_only_the_exact_end_is_stripped() -> None:
    proposer = "0x" + "Ab" * 20
    bound = with_proposer_suffix("# Title\n\nBody\n", proposer)
    # What OpenZeppelin's Governor checks: the last 52 characters, lowercase hex is fine.
    assert bound.endswith("\n\n#proposer=0x" + "ab" * 20)
    assert strip_proposer_suffix(bound) == "# Title\n\nBody"
    assert proposal_title(with_proposer_suffix("", proposer)) == UNTITLED
    assert proposal_title("#proposer=0x" + "ab" * 20) == UNTITLED
    # Not at the very end (the Governor would not enforce it): the author's text, kept.
    for kept in (bound + "\n", bound + " more", "#proposer=0x" + "ab" * 19):
        assert strip_proposer_suffix(kept) == kept


def test_plain_text_joins_every_block_for_search() -> None:
    assert plain_text("# T\n\nA *b*\n\n```\ncode\n```\n\n| x | y |\n|-|-|\n| 1 | 2 |") == (
        "T A b code x y 1 2"
    )
