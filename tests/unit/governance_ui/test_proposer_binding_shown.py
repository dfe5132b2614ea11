"""The builder's `#proposer=0x...` binding never reaches the page: titles, cards and the
proposal page show the description as its author wrote it."""

from __future__ import annotations

from pathlib import Path

from coop_dashboard.chain.proposal_text import proposal_title, with_proposer_suffix
from coop_dashboard.config import load_settings
from coop_dashboard.db.engine import create_tables, make_engine
from coop_dashboard.services.governance.feed import FeedQuery, proposal_feed
from coop_dashboard.services.governance.feed_view import proposal_card
from coop_dashboard.services.governance.proposal_view import read_proposal_view
from tests.unit.governance_ui.feed_rows import NOW, add_proposal, set_now

PROPOSER = "0x" + "cd" * 20


def test_cards_titles_and_the_page_hide_the_binding(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bound.db'}")
    create_tables(engine)
    set_now(engine)
    # One bound with the builder's layout, one whose whole text is a bare first line.
    for proposal_id, text in ((1, "# Fund the GPUs\n\nTwo nodes.\n"), (2, "Fund the GPUs")):
        description = with_proposer_suffix(text, PROPOSER)
        add_proposal(
            engine,
            proposal_id,
            block=proposal_id,
            title=proposal_title(description),  # what the indexer stores
            description=description,
            proposer=PROPOSER,
            vote_start=NOW + 10,
            vote_end=NOW + 99,
        )
    for summary in proposal_feed(engine, FeedQuery()).items:
        card = proposal_card(summary, NOW)
        assert card.title == "Fund the GPUs"
        view = read_proposal_view(engine, load_settings(), summary.proposal_id, decode=False)
        assert view is not None
        assert "Fund the GPUs" in view.description_html
        assert "proposer" not in view.description_html
        assert PROPOSER[2:] not in view.description_html
    engine.dispose()
