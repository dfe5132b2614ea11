"""Why a sign-in was refused, in sentences a person can act on.

Kept apart from the checks so the wording can be reviewed (and later
translated) in one place. Values coming from the browser are passed in already
made safe by `addresses.shown`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

START_AGAIN = "start signing in again"

NOT_TEXT = "The sign-in message must be text."
UNPARSEABLE = (
    f"This is not a Sign-In with Ethereum message (EIP-4361): it could not be read; {START_AGAIN}."
)
NOT_CANONICAL = (
    "This sign-in message is not worded exactly as this server issues it (spacing, "
    f"line breaks or field order differ); {START_AGAIN}."
)
NO_EXPIRATION = (
    "This sign-in message has no expiration time; this site only accepts messages that expire."
)
EXPIRES_BEFORE_ISSUED = "This sign-in message expires before it was issued."
SIGNATURE_NOT_HEX = "The signature is not hexadecimal data (expected 0x followed by hex digits)."
SIGNATURE_MALFORMED = (
    "The signature is malformed: its values are out of range for any Ethereum key."
)
REJECTED = f"The sign-in message was rejected; {START_AGAIN}."
NONCE_USED = f"This sign-in message was already used; {START_AGAIN}."


def when(moment: datetime) -> str:
    """A timestamp for people: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def duration(span: timedelta) -> str:
    """A duration for people, to its two largest units ("3 days", "1 day 2 hours").

    Two units, so that "valid for 1 day 1 hour; at most 1 day" still reads as
    a reason when a limit is exceeded by less than one whole unit.
    """
    remaining = int(span.total_seconds())
    parts: list[str] = []
    for unit_seconds, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, remaining = divmod(remaining, unit_seconds)
        if count:
            parts.append(f"{count} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts[:2]) or "0 seconds"


def too_large(size: int, limit: int) -> str:
    return f"This sign-in message is {size} bytes long; at most {limit} bytes are accepted."


def invalid_fields(fields: list[str]) -> str:
    names = ", ".join(fields) or "unknown"
    return (
        f"This sign-in message has invalid fields ({names}), so it cannot be the one this "
        f"server issued; {START_AGAIN}."
    )


def other_domain(theirs: str, ours: str) -> str:
    return f"This sign-in message was issued for another site ({theirs}), not {ours}."


def other_scheme(theirs: str, ours: str) -> str:
    return f"This sign-in message is for {theirs}:// pages, but this site uses {ours}://."


def other_uri(theirs: str, ours: str) -> str:
    return f"This sign-in message is for another web address ({theirs}), not {ours}."


def other_chain(theirs: int, ours: int) -> str:
    return (
        f"This sign-in message is for chain {theirs}, but this dashboard runs on chain "
        f"{ours}; switch your wallet to chain {ours} and {START_AGAIN}."
    )


def other_statement(theirs: str, ours: str) -> str:
    return f"This sign-in message says {theirs!r}, not {ours!r} as this site asks; {START_AGAIN}."


def bad_time(field: str, value: str) -> str:
    return f"This sign-in message's {field} ({value}) is not a valid timestamp with a time zone."


def issued_in_future(issued_at: datetime, now: datetime) -> str:
    return (
        f"This sign-in message claims to be issued at {when(issued_at)}, which is in the "
        f"future (server time {when(now)}); check your computer's clock and {START_AGAIN}."
    )


def not_yet_valid(not_before: datetime) -> str:
    return f"This sign-in message is not valid before {when(not_before)}."


def expired(expires_at: datetime) -> str:
    return f"This sign-in message expired at {when(expires_at)}; {START_AGAIN}."


def ttl_too_long(valid_for: timedelta, limit: timedelta) -> str:
    return (
        f"This sign-in message is valid for {duration(valid_for)}; this site accepts at "
        f"most {duration(limit)}."
    )


def signature_too_large(limit: int) -> str:
    return f"The signature is larger than {limit} bytes; that is not a wallet signature."


def wrong_signature_length(
    length: int, address: str, contract_check: Callable[..., bool] | None
) -> str:
    contract_note = (
        " (contract wallets are not accepted here)"
        if contract_check is None
        else f", and {address} is not a contract wallet that accepts it"
    )
    return (
        f"The signature is {length} bytes long, but an Ethereum account's signature is "
        f"65 bytes{contract_note}."
    )


def not_signed_by(address: str) -> str:
    return (
        f"The signature was not made by {address} for this exact message: the message "
        "was changed after signing, or another account signed it."
    )


def unknown_nonce(nonce: str) -> str:
    return (
        f"This sign-in message's nonce ({nonce}) was not issued by this server (or was "
        f"cleaned up long ago); {START_AGAIN}."
    )


def nonce_for_other_site(theirs: str, ours: str) -> str:
    return f"This sign-in nonce was issued for another site ({theirs}), not {ours}; {START_AGAIN}."


def nonce_expired(valid_for: timedelta) -> str:
    return (
        f"This sign-in request expired (it had to be signed within {duration(valid_for)}); "
        f"{START_AGAIN}."
    )
