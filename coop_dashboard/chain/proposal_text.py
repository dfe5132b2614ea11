"""A Governor description's conventions: its title, summary and plain text, and the
`#proposer=` suffix that binds it to one proposer.

A Governor description is free text; by convention (Tally, Agora, our builder)
it is markdown starting with `# Title`. Anyone can propose through the contract
directly, so nothing here assumes the convention holds: a description without
a heading gets its first line as the title, an empty one gets a placeholder.
Pure text (no web3): the indexer stores the title computed here, the services
show the same title, summary and description, so both read descriptions alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

TITLE_MAX_CHARS = 120  # the builder's limit and the longest title any page shows
SUMMARY_MAX_CHARS = 280
UNTITLED = "Untitled proposal"
# Only this much of a description is parsed for title and summary: an on-chain
# description can be megabytes, the feed needs the first paragraphs.
_PARSE_LIMIT_CHARS = 20_000

# OZ Governor >= 4.9: a description ending with "#proposer=0x<address>" can only be
# proposed by that address, so nobody can replay a pending `propose` (same id),
# become its proposer and cancel it. Metadata, not text to show. Matched exactly as
# the Governor does: the very last characters, 40 hex digits in any case.
PROPOSER_SUFFIX_PREFIX = "#proposer=0x"
PROPOSER_SUFFIX_CHARS = len(PROPOSER_SUFFIX_PREFIX) + 40
_PROPOSER_SUFFIX = re.compile(r"\n*#proposer=0x[0-9a-fA-F]{40}\Z")
_WHITESPACE = re.compile(r"\s+")

_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


@dataclass(frozen=True)
class ProposalText:
    """What a feed row and a proposal header show."""

    title: str
    summary: str  # plain text of the body, without the title, length-capped


def with_proposer_suffix(description: str, proposer: str) -> str:
    """`description` that only `proposer` can propose (a blank line keeps it out of the text)."""
    return (
        f"{description.rstrip()}\n\n{PROPOSER_SUFFIX_PREFIX}{proposer.lower().removeprefix('0x')}"
    )


def strip_proposer_suffix(description: str) -> str:
    """The description as people wrote it: without the proposer binding (and its blank line)."""
    return _PROPOSER_SUFFIX.sub("", description)


def _cap(text: str, max_chars: int) -> str:
    """Cut at a word boundary when one is near, and mark the cut with an ellipsis."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    space = cut.rfind(" ")
    if space >= max_chars * 2 // 3:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def _inline_text(token: Token) -> str:
    """The visible text of an inline token: formatting dropped, link text kept, URLs dropped."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(child.content)  # the alt text
    return "".join(parts)


def _blocks(markdown: str) -> list[tuple[str, str]]:
    """(kind, plain text) per block in document order: kind is "heading" or "text"."""
    tokens = _parser.parse(markdown[:_PARSE_LIMIT_CHARS])
    blocks: list[tuple[str, str]] = []
    for index, token in enumerate(tokens):
        if token.type == "inline":
            opener = tokens[index - 1].type if index > 0 else ""
            kind = "heading" if opener == "heading_open" else "text"
            text = _WHITESPACE.sub(" ", _inline_text(token)).strip()
            if text:
                blocks.append((kind, text))
        elif token.type in ("fence", "code_block"):
            text = _WHITESPACE.sub(" ", token.content).strip()
            if text:
                blocks.append(("text", text))
    return blocks


def plain_text(markdown: str) -> str:
    """All the visible text of a markdown document, one space between blocks (for search)."""
    return " ".join(text for _, text in _blocks(strip_proposer_suffix(markdown)))


def proposal_text(
    description: str,
    *,
    title_max_chars: int = TITLE_MAX_CHARS,
    summary_max_chars: int = SUMMARY_MAX_CHARS,
) -> ProposalText:
    """The title and a plain-text summary of the rest.

    The title is the leading heading, else the first non-empty line. A heading
    further down is a section title ("## Motivation"), not the proposal's.
    """
    source = strip_proposer_suffix(description)
    blocks = _blocks(source)
    if blocks and blocks[0][0] == "heading":
        title, rest = blocks[0][1], " ".join(text for _, text in blocks[1:])
    else:
        stripped = source.strip()
        first_line, _, remainder = stripped.partition("\n")
        title = " ".join(text for _, text in _blocks(first_line))
        rest = " ".join(text for _, text in _blocks(remainder))
    return ProposalText(
        title=_cap(title, title_max_chars) or UNTITLED,
        summary=_cap(rest, summary_max_chars),
    )


def proposal_title(description: str, max_chars: int = TITLE_MAX_CHARS) -> str:
    return proposal_text(description, title_max_chars=max_chars).title
