"""What the frontend plugins share about the Reflex files they change.

Each plugin (early_hydrate.py, theme_root_class.py) starts from Reflex's own web
template and states the text it expects there; when a Reflex upgrade changes that
text, or `.web` holds an edit that is neither Reflex's nor the plugin's, the build
fails with this one error instead of shipping a frontend that half-works.
"""

from __future__ import annotations


class TemplateChanged(RuntimeError):
    """A Reflex web template, or `.web`'s copy of it, no longer reads as a plugin expects."""
