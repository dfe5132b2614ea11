"""What the frontend plugins share about the Reflex files they change.

Each plugin (early_hydrate.py, theme_root_class.py) starts from Reflex's own web
template and states the text it expects there; when a Reflex upgrade changes that
text, or `.web` holds an edit that is neither Reflex's nor the plugin's, the build
fails with this one error instead of shipping a frontend that half-works.
"""

from __future__ import annotations

from collections.abc import Sequence


class TemplateChanged(RuntimeError):
    """A Reflex web template, or `.web`'s copy of it, no longer reads as a plugin expects."""


def splice(text: str, splices: Sequence[tuple[str, str]], *, file: str, plugin: str) -> str:
    """`text` with each (expected, replacement) applied, each expected exactly once."""
    patched = text
    for before, after in splices:
        if patched.count(before) != 1:
            raise TemplateChanged(
                f"Reflex's {file} has {patched.count(before)} copies of the text the "
                f"{plugin} patch expects once:\n{before}"
                f"Update coop_dashboard/frontend/{plugin.replace('-', '_')}.py for this "
                "Reflex version."
            )
        patched = patched.replace(before, after)
    return patched
