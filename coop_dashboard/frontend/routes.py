"""How React Router matches an address against a route: one rule for every caller.

Reflex writes a route's parameters as `[proposal_id]`, React Router's manifest as
`:proposal_id`; both match the same addresses, which this module turns into a regex.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence


def reflex_parameter(segment: str) -> bool:
    """A segment of a Reflex route that is a parameter (`[proposal_id]`)."""
    return segment.startswith("[") and segment.endswith("]")


def react_router_parameter(segment: str) -> bool:
    """A segment of a React Router path that is a parameter (`:proposal_id`)."""
    return segment.startswith(":")


def address_pattern(
    segments: Sequence[str], is_parameter: Callable[[str], bool], prefix: str = ""
) -> re.Pattern[str]:
    """The addresses a route of `segments` answers under `prefix`: a parameter is any one
    segment, fixed segments match case-insensitively and a trailing slash is optional,
    as in React Router."""
    parts = [
        "[^/]+" if is_parameter(segment) else re.escape(segment) for segment in segments if segment
    ]
    tail = "/".join(parts) + ("/?" if parts else "")
    return re.compile(re.escape(prefix) + "/" + tail, re.IGNORECASE)
