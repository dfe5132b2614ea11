"""What a browser sends for a job action, checked: amounts, UTC times, CIDs, addresses.

Pure functions (no chain, no database): every Reflex handler argument may be
forged, so each value is refused here with a sentence naming the field before
anything reads the chain. Amounts are exact decimal text (never floats).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.chain.data_licensing import PURPOSES
from coop_dashboard.chain.job_board import MAX_CID_LENGTH, MAX_DATASETS
from coop_dashboard.content.cid import is_cid
from coop_dashboard.errors import AuthError
from coop_dashboard.services.governance.units import parse_duration, parse_token_amount
from coop_dashboard.services.governance.validation import InvalidInput
from coop_dashboard.services.jobs.spec import score_units
from coop_dashboard.services.transactions import WriteRefused

ETH_DECIMALS = 18
MAX_UINT256 = 2**256 - 1
MAX_TEXT_CHARS = 20_000  # evidence and reasons: stored in the content store, not on chain
MAX_DATASET_ID = 2**64 - 1
# Assets a bounty may be posted in, as the form names them: (symbol, manifest contract).
ASSETS: dict[str, str | None] = {"ETH": None, "cUSD": "MockStablecoin"}
ASSET_DECIMALS = {"ETH": 18, "cUSD": 6}
# The purposes a job may name (DataLicensing.Purpose), for the forms' selects.
PURPOSE_CHOICES: tuple[str, ...] = PURPOSES
TIME_FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class JobActionRefused(WriteRefused):
    """A job action cannot be sent (the message says why); nothing was sent or stored."""


def refused(exc: InvalidInput) -> JobActionRefused:
    return JobActionRefused(str(exc))


def text_value(value: object, label: str, limit: int) -> str:
    if not isinstance(value, str):
        raise JobActionRefused(f"{label}: not text.")
    if len(value) > limit:
        raise JobActionRefused(f"{label}: at most {limit:,} characters.")
    if "\x00" in value:
        raise JobActionRefused(f"{label}: contains a NUL character.")
    return value.strip()


def job_id_value(value: object) -> int:
    """A job id from a path or a handler argument (positive, at most 18 digits)."""
    if isinstance(value, str) and value.isascii() and value.isdecimal() and len(value) <= 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 10**18:
        raise JobActionRefused("Not a job number.")
    return value


def amount_value(value: object, decimals: int, label: str, *, allow_zero: bool = False) -> int:
    """Base units from exact decimal text ("0.25"); positive unless `allow_zero`."""
    text = text_value(value, label, 100)
    try:
        amount = parse_token_amount(text, decimals, "amount", label)
    except InvalidInput as exc:
        raise refused(exc) from None
    if amount > MAX_UINT256:
        raise JobActionRefused(f"{label}: too large.")
    if amount == 0 and not allow_zero:
        raise JobActionRefused(f"{label}: must be more than 0.")
    return amount


def eth_value(value: object, label: str) -> int:
    return amount_value(value, ETH_DECIMALS, label)


def utc_time_value(value: object, label: str) -> int:
    """Unix seconds from "2026-12-01T14:30" (a datetime-local input, read as UTC)."""
    text = text_value(value, label, 40)
    if not text:
        raise JobActionRefused(f"{label}: enter a date and time (UTC).")
    for time_format in TIME_FORMATS:
        try:
            moment = datetime.strptime(text, time_format).replace(tzinfo=UTC)
        except ValueError:
            continue
        return int(moment.timestamp())
    raise JobActionRefused(f"{label}: {text[:40]!r} is not a date and time like 2026-12-01T14:30.")


def duration_value(value: object, label: str) -> int:
    text = text_value(value, label, 100)
    try:
        return parse_duration(text, "duration", label)
    except InvalidInput as exc:
        raise refused(exc) from None


def cid_value(value: object, label: str) -> str:
    text = text_value(value, label, MAX_CID_LENGTH * 2)
    if not text:
        raise JobActionRefused(f"{label}: enter a CID.")
    if len(text) > MAX_CID_LENGTH or not is_cid(text):
        raise JobActionRefused(f"{label}: {text[:60]!r} is not a content identifier (CID).")
    return text


def fraction_value(value: object, label: str) -> float:
    """A fraction from 0 to 1 as decimal text ("0.87"), at most six decimals."""
    text = text_value(value, label, 40)
    if not re.fullmatch(r"(0|1)?(\.\d{1,6})?", text) or text in ("", "."):
        raise JobActionRefused(f"{label}: a fraction from 0 to 1 such as 0.87.")
    fraction = float(text)
    if not 0.0 <= fraction <= 1.0:
        raise JobActionRefused(f"{label}: a fraction from 0 to 1 such as 0.87.")
    return fraction


def score_value(value: object) -> int:
    """The claimed score as JobBoard carries it: the metric's fraction in millionths."""
    return score_units(fraction_value(value, "Claimed score"))


def address_value(value: object, label: str) -> str:
    text = text_value(value, label, 100)
    try:
        return checksum_address(text)
    except AuthError:
        raise JobActionRefused(f"{label}: not an address (0x and 40 hex digits).") from None


def asset_value(value: object) -> str:
    if not isinstance(value, str) or value not in ASSETS:
        raise JobActionRefused(f"Asset: one of {', '.join(ASSETS)}.")
    return value


def purpose_value(value: object) -> str:
    if not isinstance(value, str) or value not in PURPOSES:
        raise JobActionRefused(f"Purpose: one of {', '.join(PURPOSES)}.")
    return value


def dataset_ids_value(value: object) -> tuple[int, ...]:
    """Dataset ids, from a list or from text like "1, 4 #7" (sorted, each once)."""
    if isinstance(value, str):
        parts = [p for p in value.replace(",", " ").replace("#", " ").split() if p]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        raise JobActionRefused("Datasets: a list of dataset numbers.")
    if len(parts) > MAX_DATASETS * 4:
        raise JobActionRefused(f"Datasets: at most {MAX_DATASETS}.")
    ids: set[int] = set()
    for part in parts:
        number: object = part
        if isinstance(part, str) and part.isascii() and part.isdecimal() and len(part) <= 19:
            number = int(part)
        if isinstance(number, bool) or not isinstance(number, int):
            raise JobActionRefused(f"Datasets: {str(part)[:20]!r} is not a dataset number.")
        if not 0 < number <= MAX_DATASET_ID:
            raise JobActionRefused(f"Datasets: {str(part)[:20]!r} is not a dataset number.")
        ids.add(number)
    if not ids:
        raise JobActionRefused("Datasets: choose at least one dataset the job trains on.")
    if len(ids) > MAX_DATASETS:
        raise JobActionRefused(f"Datasets: at most {MAX_DATASETS} (you chose {len(ids)}).")
    return tuple(sorted(ids))


def flag_value(value: object, label: str) -> bool:
    if not isinstance(value, bool):
        raise JobActionRefused(f"{label}: yes or no.")
    return value
