"""The checks every paged, searchable list query makes on what a client sent.

The dataset catalog and the job board take the same kind of query (a sort, status
filters, a search text, a page): one rule for both, each raising its own error class
so its callers keep telling them apart.
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_PAGE_SIZE = 100
MAX_SEARCH_LENGTH = 200


def check_choices(
    *,
    sort: str,
    sorts: tuple[str, ...],
    statuses: Iterable[str],
    known_statuses: tuple[str, ...],
    search: str,
    error: type[ValueError],
) -> None:
    """Raise `error` naming the first of sort, statuses and search that is not allowed."""
    if sort not in sorts:
        raise error(f"Unknown sort {sort!r}: use one of {', '.join(sorts)}.")
    unknown = [status for status in statuses if status not in known_statuses]
    if unknown:
        raise error(f"Unknown status {unknown[0]!r}.")
    if len(search) > MAX_SEARCH_LENGTH:
        raise error(f"Search at most {MAX_SEARCH_LENGTH} characters.")


def check_paging(*, page: int, page_size: int, error: type[ValueError]) -> None:
    """Raise `error` when the page size is outside 1..MAX_PAGE_SIZE or the page below 1."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise error(f"Page size must be 1..{MAX_PAGE_SIZE}.")
    if page < 1:
        raise error("Pages start at 1.")
