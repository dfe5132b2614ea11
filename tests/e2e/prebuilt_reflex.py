"""`python -m tests.e2e.prebuilt_reflex run --env prod ...`: Reflex's CLI serving the
frontend already in its web directory (copied by shared_build.py), without compiling
the app or building the frontend again. Everything else is `reflex run`: the same
backend, the same static mount of build/client.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reflex import reflex as reflex_cli
from reflex.utils import build


def _skip_compile(**_: Any) -> None:
    """The granian workers import the app themselves (REFLEX_SKIP_COMPILE is set)."""


def _skip_build(_root: Path) -> None:
    """build/client is already there, its port rewritten."""


if __name__ == "__main__":
    reflex_cli._compile_app = _skip_compile  # type: ignore[assignment]
    build.setup_frontend_prod = _skip_build
    reflex_cli.cli()
