"""Markdown inputs that are slow to render, at the description size limit."""

from __future__ import annotations

from coop_dashboard.services.governance.markdown import DESCRIPTION_MAX_BYTES

N = DESCRIPTION_MAX_BYTES
# Shapes on which markdown-it's parse is quadratic or its per-token cost is high;
# before the work budget '!['*N took ~0.4 s at 20 KB (~2 s at 100 KB).
WORST_CASES = {
    "images": "![" * (N // 2),
    "brackets": "[" * N,
    "nested_link_text": "[a[" * (N // 3),
    "emphasis_image": "*![" * (N // 3),
    "empty_links": "[](" * (N // 3),
    "emphasis": "*_" * (N // 2),
    "emphasis_words": "*a **" * (N // 5),
    "code_spans": "`a" * (N // 2),
    "angle_brackets": "<" * N,
    "entities": "&#" * (N // 2),
    "strikethrough": "~~a" * (N // 3),
    "link_destinations": "[a](<" * (N // 5),
    "many_links": "[a](https://x.example/y) " * 800,
    "long_link": "[a](https://x.example/" + "a" * (N - 40) + ")",
    "nested_lists": "".join("  " * i + "- x\n" for i in range(400)),
    "list_items": "- a\n" * (N // 4),
    "nested_quotes": ">" * N,
    "quote_lines": "> a\n" * (N // 4),
    "paragraphs": "a\n\n" * (N // 3),
    "headings": "# a\n" * (N // 4),
    "table_rows": "|a|\n|-|\n" + "|x|\n" * (N // 4),
    "reference_definitions": "".join(f"[a{i}]: /u\n" for i in range(900)) + "[a1]" * 1000,
}
