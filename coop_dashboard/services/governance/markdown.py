"""Proposal descriptions (untrusted markdown from the chain) -> sanitized HTML.

Two independent layers, so a bug in one is not an XSS:
1. markdown-it-py, CommonMark + tables + strikethrough, with raw HTML *disabled*
   (`<script>` in a description is shown as text) and our own link/image policy
   applied while rendering;
2. nh3 (ammonia) over the result with a tag/attribute/scheme allowlist.

Policy (decided here, tested in tests/unit/governance/test_markdown.py):
- links: http, https, mailto and same-site relative URLs; `ipfs://<cid>` links
  (exactly one raw CIDv1, nothing after it) go to the app's gateway
  (`/ipfs/<cid>`, which verifies the bytes and never renders HTML). Anything
  else (javascript:, data:, vbscript:, file:, `ipfs://../../x`, `ipfs:evil.com`,
  ...) is rendered as plain text. Links open in a new tab with
  rel="noopener noreferrer nofollow".
- images: `ipfs://<cid>` through the gateway. Remote images (http/https) would
  tell their host who reads the proposal and when (a tracking pixel on every
  voter): by default they are not loaded but shown as a link saying so;
  `allow_remote_images=True` keeps https ones (no-referrer, lazy). Any other
  image (data:, relative, javascript:) becomes its alt text.
- size: input beyond `max_bytes` (DESCRIPTION_MAX_BYTES, the same limit the
  builder enforces) is cut, and the result says so.
- time: markdown-it has inputs whose parse is quadratic (`'!['*N`, `'['*N`,
  long runs of emphasis or of empty links). Every parse runs under a work
  budget counted in parser steps (deterministic: the same text always renders
  the same way); a text that exceeds it is shown as escaped plain text with a
  note, so no description costs more than a few tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from coop_dashboard.content.cid import is_cid

# The one limit on a proposal's description (the whole "# title\n\nbody" as
# UTF-8): the builder refuses more (calldata costs gas), the preview and the
# proposal page render at most this much.
DESCRIPTION_MAX_BYTES = 20_000
# Parser steps one render may take: one per inline rule-chain walk (about one per
# inline token), BLOCK_STEPS per block (a block costs a few tokens and an inline
# parse), one per character a link-label look-ahead scans plus LINK_STEPS per
# link. This README (15 KB) takes ~750, a dense 20 KB proposal (a heading, a link,
# emphasis, a list and a table every 370 bytes) ~4,200; quadratic shapes take millions.
# 5,000 steps take 10-40 ms on this project's 2-core machine.
MAX_PARSE_STEPS = 5_000
BLOCK_STEPS = 3
# A link found costs ~30x a plain token (destination parsing, URL normalisation).
LINK_STEPS = 30
# Block rules walk every line, some several times (a paragraph checks each of its
# lines against every rule that may interrupt it) before any step is counted:
# a text with more lines than this is shown as plain text without parsing.
# (This README has ~250 lines for 15 KB.)
MAX_LINES = 2_000
# A table's rows are parsed in one go (no step is counted in between): longer
# tables end here and the rest reads as text.
MAX_TABLE_ROWS = 300
DEFAULT_IPFS_GATEWAY = "/ipfs/"
REMOTE_IMAGE_BLOCKED = "remote image blocked"
PLAIN_TEXT_NOTE = (
    "<p><em>This description is shown as plain text: its formatting is too complex "
    "to render safely.</em></p>"
)
CUT_NOTE = "<p><em>The description is longer than this page shows; it was cut.</em></p>"
LINK_REL = "noopener noreferrer nofollow"
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "s", "del",
    "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}


@dataclass(frozen=True)
class RenderedMarkdown:
    html: str
    truncated: bool  # the input was longer than the limit and was cut
    plain_text: bool = False  # too complex to parse within the budget: shown as text


def _scheme(url: str) -> str | None:
    """The URL's scheme in lower case, None for a relative URL, "" when unparseable."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return parts.scheme.lower() or None


def _ipfs_to_gateway(url: str, gateway: str) -> str | None:
    """ipfs://<cid> -> <gateway><cid>; None unless the rest is exactly one valid CID.

    A path after the CID, `..`, a host-like `ipfs:evil.com` or anything that is
    not a CID would otherwise become a same-origin path under the gateway.
    """
    text = url.strip()
    if not text.lower().startswith("ipfs://"):
        return None
    cid = text[len("ipfs://") :]
    return gateway.rstrip("/") + "/" + cid if is_cid(cid) else None


class _Renderer:
    """markdown-it rules enforcing the link and image policy while rendering."""

    def __init__(self, gateway: str, allow_remote_images: bool) -> None:
        self.gateway = gateway
        self.allow_remote_images = allow_remote_images

    def link_href(self, href: str) -> str | None:
        scheme = _scheme(href)
        if scheme == "ipfs":
            return _ipfs_to_gateway(href, self.gateway)
        if scheme is None:
            # "//evil.example" is relative by syntax but leaves the site.
            return None if href.strip().startswith("//") else href
        return href if scheme in _LINK_SCHEMES else None

    def image_src(self, src: str) -> str | None:
        scheme = _scheme(src)
        if scheme == "ipfs":
            return _ipfs_to_gateway(src, self.gateway)
        if scheme == "https" and self.allow_remote_images:
            return src
        return None

    def is_blocked_remote_image(self, src: str) -> bool:
        return not self.allow_remote_images and _scheme(src) in ("http", "https")

    def link_open(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        href = self.link_href(str(token.attrGet("href") or ""))
        # Links do not nest in CommonMark: link_close pops what this pushed
        # (a stack in env, not a backward scan: that was quadratic in links).
        env.setdefault("dropped_links", []).append(href is None)
        if href is None:
            return ""  # render the link text only
        token.attrSet("href", href)
        token.attrSet("target", "_blank")
        token.attrSet("rel", LINK_REL)
        return renderer.renderToken(tokens, idx, options, env)

    def link_close(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        opened = env.get("dropped_links") or [False]
        if opened.pop():
            return ""
        return renderer.renderToken(tokens, idx, options, env)

    def image(
        self,
        renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        token = tokens[idx]
        alt = renderer.renderInlineAsText(token.children or [], options, env)
        original = str(token.attrGet("src") or "")
        src = self.image_src(original)
        if src is None and self.is_blocked_remote_image(original):
            # Not loaded (no request leaves the reader's browser); one click shows it.
            label = f"[{REMOTE_IMAGE_BLOCKED}: {alt}]" if alt else f"[{REMOTE_IMAGE_BLOCKED}]"
            return f'<a href="{_escape(original)}">{_escape(label)}</a>'
        if src is None:
            return _escape(alt)
        token.attrSet("src", src)
        return renderer.image(tokens, idx, options, env)


_Rule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


class _TooComplex(Exception):
    """The parse went over MAX_PARSE_STEPS."""


def _count_steps(env: EnvType, steps: int = 1) -> None:
    env["steps"] = total = env.get("steps", 0) + steps
    if total > env.get("max_steps", MAX_PARSE_STEPS):
        raise _TooComplex


def _inline_budget(state: StateInline, silent: bool) -> bool:
    # First in the inline chain: runs once per position tried (about once per token).
    _count_steps(state.env)
    return False


def _block_budget(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    # First in the block chain: once per block (list items and quotes recurse here).
    _count_steps(state.env, BLOCK_STEPS)
    return False


def _counted_label_parser(parse_label: Callable[..., int]) -> Callable[..., int]:
    """parseLinkLabel, charged one step per character it scanned.

    Each `[` scans ahead for its `]`; with many unclosed brackets that is the
    quadratic case (`'!['*N`, `'[a['*N`). One scan is at most a paragraph long,
    so charging after it returns still stops the parse within one scan.
    """

    def counted(state: StateInline, start: int, disable_nested: bool = False) -> int:
        end = parse_label(state, start, disable_nested)
        _count_steps(state.env, end - start + LINK_STEPS if end >= 0 else state.posMax - start)
        return end

    return counted


def _bounded_table(table_rule: Callable[..., bool]) -> Callable[..., bool]:
    def table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
        return table_rule(state, start_line, min(end_line, start_line + 2 + MAX_TABLE_ROWS), silent)

    return table


def _build_parser(renderer: _Renderer) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    parser.inline.ruler.before("text", "work_budget", _inline_budget)
    table_rule = next(rule.fn for rule in parser.block.ruler.__rules__ if rule.name == "table")
    parser.block.ruler.at("table", _bounded_table(table_rule), {"alt": ["paragraph", "reference"]})
    parser.block.ruler.before("table", "work_budget", _block_budget)
    # A per-parser copy of markdown-it's helpers (link and image rules call them
    # through `state.md.helpers`), with the label scan charged to the budget.
    helpers = SimpleNamespace(**vars(parser.helpers))
    helpers.parseLinkLabel = _counted_label_parser(parser.helpers.parseLinkLabel)
    parser.helpers = helpers  # type: ignore[assignment]  # same attributes as the module
    # markdown-it's own URL check refuses javascript:/vbscript:/file:/most data:
    # before our rules run; ours is stricter and is applied in the renderer.
    # add_render_rule binds plain functions to the HTML renderer (it becomes their
    # first argument), so the policy methods are wrapped in plain functions.
    for name, method in (
        ("link_open", renderer.link_open),
        ("link_close", renderer.link_close),
        ("image", renderer.image),
    ):
        parser.add_render_rule(name, _as_rule(method))
    return parser


def _as_rule(method: _Rule) -> _Rule:
    def rule(
        html_renderer: RendererHTML,
        tokens: Sequence[Token],
        idx: int,
        options: OptionsDict,
        env: EnvType,
    ) -> str:
        return method(html_renderer, tokens, idx, options, env)

    return rule


def _make_cleaner(renderer: _Renderer) -> nh3.Cleaner:
    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        # Second line of defence for the same policy the renderer applies.
        if tag == "img" and attribute == "src":
            return renderer.image_src(value) or (
                value if value.startswith(renderer.gateway) else None
            )
        if tag == "a" and attribute == "href":
            return renderer.link_href(value)
        return value

    return nh3.Cleaner(
        tags=_ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        link_rel=LINK_REL,
        url_schemes=set(_LINK_SCHEMES),
        set_tag_attribute_values={
            "a": {"target": "_blank"},
            "img": {"loading": "lazy", "referrerpolicy": "no-referrer"},
        },
        filter_style_properties={"text-align"},
    )


_cache: dict[tuple[str, bool], tuple[MarkdownIt, Any]] = {}


def _pipeline(gateway: str, allow_remote_images: bool) -> tuple[MarkdownIt, Any]:
    key = (gateway, allow_remote_images)
    if key not in _cache:
        renderer = _Renderer(gateway, allow_remote_images)
        _cache[key] = (_build_parser(renderer), _make_cleaner(renderer))
    return _cache[key]


def _cut_to_bytes(text: str, max_bytes: int) -> tuple[str, bool]:
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text, False
    # errors="ignore" drops a multi-byte character split by the cut.
    return encoded[:max_bytes].decode(errors="ignore"), True


def _plain_text_html(text: str) -> str:
    paragraphs = (part for part in text.replace("\r\n", "\n").split("\n\n") if part.strip())
    return "".join(f"<p>{_escape(part).replace(chr(10), '<br>')}</p>" for part in paragraphs)


def render_markdown(
    markdown: str,
    *,
    max_bytes: int = DESCRIPTION_MAX_BYTES,
    ipfs_gateway: str = DEFAULT_IPFS_GATEWAY,
    allow_remote_images: bool = False,
    max_steps: int = MAX_PARSE_STEPS,
) -> RenderedMarkdown:
    """Sanitized HTML for untrusted markdown (safe to inject with dangerouslySetInnerHTML).

    Bounded in size (`max_bytes`) and in work (`max_steps`): CPU-bound, so call
    it from a worker thread, never on the event loop.
    """
    source, truncated = _cut_to_bytes(markdown, max_bytes)
    parser, cleaner = _pipeline(ipfs_gateway, allow_remote_images)
    try:
        if source.count("\n") >= MAX_LINES:
            raise _TooComplex
        html = parser.render(source, {"max_steps": max_steps})
        plain = False
    except _TooComplex:
        html, plain = PLAIN_TEXT_NOTE + _plain_text_html(source), True
    html = cleaner.clean(html)
    if truncated:
        html += CUT_NOTE
    return RenderedMarkdown(html=html, truncated=truncated, plain_text=plain)
