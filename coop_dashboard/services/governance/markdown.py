"""Proposal descriptions (untrusted markdown from the chain) -> sanitized HTML.

Two independent layers, so a bug in one is not an XSS:
1. markdown-it-py, CommonMark + tables + strikethrough, with raw HTML *disabled*
   (`<script>` in a description is shown as text) and our own link/image policy
   applied while rendering;
2. nh3 (ammonia) over the result with a tag/attribute/scheme allowlist.

Policy (decided here, tested in tests/unit/governance/test_markdown.py):
- links: http, https, mailto and same-site relative URLs; `ipfs://` links are
  rewritten to the app's gateway. Everything else (javascript:, data:, vbscript:,
  file:, ...) is rendered as plain text. Links open in a new tab with
  rel="noopener noreferrer nofollow".
- images: only https and ipfs (served through the app's own `/ipfs/<cid>`
  gateway, which verifies the CID). Any other image (http, data:, relative,
  javascript:) is dropped and replaced by its alt text. Remote https images do
  tell their host that someone viewed the proposal; they get
  referrerpolicy="no-referrer" and lazy loading, and `allow_remote_images=False`
  drops them too for deployments that want no third-party requests at all.
- size: input beyond `max_bytes` (default 100 KB) is cut, and the result says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MAX_MARKDOWN_BYTES = 100_000
DEFAULT_IPFS_GATEWAY = "/ipfs/"
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


def _scheme(url: str) -> str | None:
    """The URL's scheme in lower case, None for a relative URL, "" when unparseable."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return parts.scheme.lower() or None


def _ipfs_to_gateway(url: str, gateway: str) -> str:
    """ipfs://<cid>/<path> -> <gateway><cid>/<path>."""
    return gateway.rstrip("/") + "/" + url.strip()[len("ipfs://") :].lstrip("/")


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
        if href is None:
            # Render the link text only: mark the pair so link_close emits nothing.
            token.meta["dropped"] = True
            return ""
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
        level = tokens[idx].level
        for opener in reversed(tokens[:idx]):
            if opener.type == "link_open" and opener.level == level:
                if opener.meta.get("dropped"):
                    return ""
                break
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
        src = self.image_src(str(token.attrGet("src") or ""))
        if src is None:
            return _escape(alt)
        token.attrSet("src", src)
        return renderer.image(tokens, idx, options, env)


_Rule = Callable[[RendererHTML, Sequence[Token], int, OptionsDict, EnvType], str]


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _build_parser(renderer: _Renderer) -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
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


def render_markdown(
    markdown: str,
    *,
    max_bytes: int = MAX_MARKDOWN_BYTES,
    ipfs_gateway: str = DEFAULT_IPFS_GATEWAY,
    allow_remote_images: bool = True,
) -> RenderedMarkdown:
    """Sanitized HTML for untrusted markdown (safe to inject with dangerouslySetInnerHTML)."""
    source, truncated = _cut_to_bytes(markdown, max_bytes)
    parser, cleaner = _pipeline(ipfs_gateway, allow_remote_images)
    html = cleaner.clean(parser.render(source))
    if truncated:
        html += "<p><em>The description is longer than this page shows; it was cut.</em></p>"
    return RenderedMarkdown(html=html, truncated=truncated)
