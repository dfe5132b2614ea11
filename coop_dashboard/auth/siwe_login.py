"""Sign-In with Ethereum (EIP-4361), server side: challenge, verify, sign in.

The server writes the message (its own domain, URI, chain, statement, a fresh
nonce, a short validity window); the wallet only signs it. Verification then
checks, in this order, each with its own reason: size, syntax (the `siwe`
parser) and that the text is exactly what the server would have written, the
signature's encoding, domain, URI, chain, statement, time window and TTL, the
nonce (read-only), the signature itself (`siwe` for accounts, EIP-1271 for
contract wallets), and finally consumes the nonce atomically: the only step
that decides a race.

The module is named `siwe_login` so that `import siwe` keeps meaning the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import siwe
from eth_account.messages import defunct_hash_message
from eth_keys.exceptions import BadSignature
from pydantic import ValidationError
from siwe import ISO8601Datetime, SiweMessage
from sqlalchemy.engine import Engine

from coop_dashboard.auth import reasons
from coop_dashboard.auth.addresses import checksum_address, shown
from coop_dashboard.auth.eip1271 import ContractSignatureCheck, as_contract_signature_check
from coop_dashboard.auth.nonces import consume_nonce, ensure_nonce_usable, issue_nonce
from coop_dashboard.auth.sessions import DEFAULT_SESSION_TTL, IssuedSession, insert_session
from coop_dashboard.auth.site import SiweSite, origin_of
from coop_dashboard.db.engine import session_scope
from coop_dashboard.db.utc_datetime import utc_now
from coop_dashboard.errors import AuthError, ConfigError

if TYPE_CHECKING:
    from coop_dashboard.chain.client import NodeClient

# Our messages are ~400 bytes; anything much larger is not ours, so refuse it
# before spending any parsing on it.
MAX_MESSAGE_BYTES = 4096
# An account signature is 65 bytes; contract wallets (multisigs) may
# concatenate several, so allow more, but bounded.
EOA_SIGNATURE_BYTES = 65
MAX_SIGNATURE_BYTES = 2048

_HEX_BYTES_RE = re.compile(r"0x(?:[0-9a-fA-F]{2})+")


@dataclass(frozen=True)
class SignInChallenge:
    """What the browser needs to ask the wallet for a signature."""

    address: str
    message: str
    nonce: str
    expires_at: datetime


@dataclass(frozen=True)
class VerifiedSignIn:
    """A sign-in message that passed every check; its nonce is now consumed."""

    address: str
    chain_id: int
    nonce: str
    signed_by_contract: bool


def build_sign_in_message(
    site: SiweSite,
    address: str,
    nonce: str,
    *,
    issued_at: datetime,
    expiration_time: datetime | None = None,
    not_before: datetime | None = None,
) -> str:
    """The EIP-4361 text for `address` to sign on `site` (pure; stores nothing).

    Raises AuthError for a malformed address; times must be timezone-aware.
    """
    for moment in (issued_at, expiration_time, not_before):
        if moment is not None and moment.utcoffset() is None:
            raise ValueError("sign-in message times must be timezone-aware")
    expires = expiration_time or issued_at + site.message_ttl
    message = SiweMessage(
        domain=site.domain,
        address=checksum_address(address),
        statement=site.statement,
        uri=site.uri,
        version="1",
        chain_id=site.chain_id,
        nonce=nonce,
        issued_at=ISO8601Datetime.from_datetime(issued_at),
        expiration_time=ISO8601Datetime.from_datetime(expires),
        not_before=ISO8601Datetime.from_datetime(not_before) if not_before else None,
    )
    return message.prepare_message()


def start_sign_in(
    engine: Engine, site: SiweSite, address: str, *, now: datetime | None = None
) -> SignInChallenge:
    """Issue a nonce and the message `address` should sign to sign in to `site`."""
    checksummed = checksum_address(address)  # before storing anything for garbage input
    issued = issue_nonce(engine, site, now=now)
    expires_at = issued.issued_at + site.message_ttl
    message = build_sign_in_message(
        site, checksummed, issued.nonce, issued_at=issued.issued_at, expiration_time=expires_at
    )
    return SignInChallenge(
        address=checksummed, message=message, nonce=issued.nonce, expires_at=expires_at
    )


def verify_sign_in(
    engine: Engine,
    site: SiweSite,
    message: object,
    signature: object,
    *,
    contract_wallets: ContractSignatureCheck | NodeClient | None = None,
    now: datetime | None = None,
) -> VerifiedSignIn:
    """Check a signed sign-in message and consume its nonce; AuthError says why not.

    `contract_wallets` enables EIP-1271 for contract wallets: a Web3 connected
    to the site's chain, or any ContractSignatureCheck. Without it only
    account (EOA) signatures are accepted.
    """
    checked_at = now or utc_now()
    verified = _verify_without_consuming(
        site, engine, message, signature, contract_wallets, checked_at
    )
    with session_scope(engine) as db:
        consume_nonce(db, verified.nonce, site.domain, checked_at)
    return verified


def sign_in(
    engine: Engine,
    site: SiweSite,
    message: object,
    signature: object,
    *,
    contract_wallets: ContractSignatureCheck | NodeClient | None = None,
    session_ttl: timedelta = DEFAULT_SESSION_TTL,
    now: datetime | None = None,
    channel: str = "browser",
) -> IssuedSession:
    """Verify like `verify_sign_in`, then open a session; both in one transaction.
    `channel` records how it was opened ("browser", or "api" for a script's bearer token).

    Consuming the nonce and creating the session commit together, so a failure
    in between leaves the nonce usable rather than burnt without a session.
    """
    checked_at = now or utc_now()
    verified = _verify_without_consuming(
        site, engine, message, signature, contract_wallets, checked_at
    )
    with session_scope(engine) as db:
        consume_nonce(db, verified.nonce, site.domain, checked_at)
        return insert_session(
            db,
            verified.address,
            verified.chain_id,
            ttl=session_ttl,
            now=checked_at,
            channel=channel,
        )


def _verify_without_consuming(
    site: SiweSite,
    engine: Engine,
    message: object,
    signature: object,
    contract_wallets: ContractSignatureCheck | NodeClient | None,
    checked_at: datetime,
) -> VerifiedSignIn:
    parsed, text = _parse(message)
    signature_bytes = _signature_bytes(signature)
    _check_site(site, parsed)
    _check_time_window(site, parsed, checked_at)
    # The nonce is looked at before the signature only to answer early (and
    # spare an RPC call) for stale or foreign messages; consuming it later is
    # what makes a message single-use.
    ensure_nonce_usable(engine, parsed.nonce, site.domain, checked_at)
    by_contract = _check_signature(
        site,
        parsed,
        text,
        signature_bytes,
        as_contract_signature_check(contract_wallets),
        checked_at,
    )
    return VerifiedSignIn(
        address=str(parsed.address),
        chain_id=parsed.chain_id,
        nonce=parsed.nonce,
        signed_by_contract=by_contract,
    )


def _parse(message: object) -> tuple[SiweMessage, str]:
    if not isinstance(message, str):
        raise AuthError(reasons.NOT_TEXT)
    size = len(message.encode("utf-8"))
    if size > MAX_MESSAGE_BYTES:
        raise AuthError(reasons.too_large(size, MAX_MESSAGE_BYTES))
    try:
        # siwe's regex parser, not its ABNF one: the ABNF parser needs seconds
        # of CPU for a few KB of hostile input (measured 2-9 s at 4 KB), the
        # regex one under 50 ms. The exact round trip below, pydantic's field
        # validation and the comparisons with our own values leave nothing the
        # stricter grammar would add.
        parsed = SiweMessage.from_message(message, abnf=False)
    except ValidationError as exc:
        fields = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
        raise AuthError(reasons.invalid_fields(fields)) from None
    except ValueError:
        raise AuthError(reasons.UNPARSEABLE) from None
    # siwe checks signatures against its own re-serialisation of the parsed
    # fields; insisting that it equals the received text means the bytes
    # verified are exactly the bytes the person saw in the wallet.
    if parsed.prepare_message() != message:
        raise AuthError(reasons.NOT_CANONICAL)
    return parsed, message


def _check_site(site: SiweSite, parsed: SiweMessage) -> None:
    if parsed.domain != site.domain:
        raise AuthError(reasons.other_domain(shown(parsed.domain), site.domain))
    our_scheme = origin_of(site.uri)[0]
    if parsed.scheme is not None and parsed.scheme.lower() != our_scheme:
        raise AuthError(reasons.other_scheme(shown(parsed.scheme), our_scheme))
    try:
        their_origin = origin_of(parsed.uri)
    except ConfigError:
        their_origin = None
    if their_origin != origin_of(site.uri):
        raise AuthError(reasons.other_uri(shown(parsed.uri), site.uri))
    if parsed.chain_id != site.chain_id:
        raise AuthError(reasons.other_chain(parsed.chain_id, site.chain_id))
    if parsed.statement != site.statement:
        raise AuthError(reasons.other_statement(shown(parsed.statement or ""), site.statement))


def _check_time_window(site: SiweSite, parsed: SiweMessage, now: datetime) -> None:
    issued_at = _moment(parsed.issued_at, "Issued At")
    if parsed.expiration_time is None:
        raise AuthError(reasons.NO_EXPIRATION)
    expires_at = _moment(parsed.expiration_time, "Expiration Time")
    if issued_at > now + site.clock_skew:
        raise AuthError(reasons.issued_in_future(issued_at, now))
    if parsed.not_before is not None:
        not_before = _moment(parsed.not_before, "Not Before")
        # `<=` as siwe's own check, so both agree on the boundary.
        if now <= not_before:
            raise AuthError(reasons.not_yet_valid(not_before))
    if expires_at <= issued_at:
        raise AuthError(reasons.EXPIRES_BEFORE_ISSUED)
    if expires_at - issued_at > site.max_message_ttl:
        raise AuthError(reasons.ttl_too_long(expires_at - issued_at, site.max_message_ttl))
    if now >= expires_at:
        raise AuthError(reasons.expired(expires_at))


def _moment(value: str, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise AuthError(reasons.bad_time(field, shown(value))) from None
    if moment.utcoffset() is None:
        raise AuthError(reasons.bad_time(field, shown(value)))
    return moment


def _signature_bytes(signature: object) -> bytes:
    if not isinstance(signature, str):
        raise AuthError(reasons.SIGNATURE_NOT_HEX)
    text = signature.strip()
    if len(text) > 2 + 2 * MAX_SIGNATURE_BYTES:
        raise AuthError(reasons.signature_too_large(MAX_SIGNATURE_BYTES))
    if not _HEX_BYTES_RE.fullmatch(text):
        raise AuthError(reasons.SIGNATURE_NOT_HEX)
    return bytes.fromhex(text[2:])


def _check_signature(
    site: SiweSite,
    parsed: SiweMessage,
    text: str,
    signature: bytes,
    contract_check: ContractSignatureCheck | None,
    now: datetime,
) -> bool:
    """True if a contract wallet vouched for `signature`, False if the account signed it."""
    address = str(parsed.address)
    malformed = False
    if len(signature) == EOA_SIGNATURE_BYTES:
        try:
            # siwe repeats the domain and time checks and recovers the signer
            # (EIP-191 personal_sign); without a provider it never calls out.
            parsed.verify("0x" + signature.hex(), domain=site.domain, timestamp=now)
            return False
        except siwe.InvalidSignature:
            pass  # not this account's signature: maybe a contract wallet's
        except siwe.VerificationError as exc:
            raise AuthError(_reason_for_siwe_error(exc, parsed, site)) from None
        except (BadSignature, ValueError):
            malformed = True  # r/s/v out of range: cannot come from any key
    if contract_check is not None and contract_check(
        address, defunct_hash_message(text=text), signature
    ):
        return True
    if len(signature) != EOA_SIGNATURE_BYTES:
        raise AuthError(reasons.wrong_signature_length(len(signature), address, contract_check))
    if malformed:
        raise AuthError(reasons.SIGNATURE_MALFORMED)
    raise AuthError(reasons.not_signed_by(address))


def _reason_for_siwe_error(exc: Exception, parsed: SiweMessage, site: SiweSite) -> str:
    # The explicit checks above run first, so these only fire if siwe and this
    # module ever disagree on a boundary; the person still gets a real reason.
    if isinstance(exc, siwe.DomainMismatch):
        return reasons.other_domain(shown(parsed.domain), site.domain)
    if isinstance(exc, siwe.ExpiredMessage) and parsed.expiration_time is not None:
        return reasons.expired(_moment(parsed.expiration_time, "Expiration Time"))
    if isinstance(exc, siwe.NotYetValidMessage) and parsed.not_before is not None:
        return reasons.not_yet_valid(_moment(parsed.not_before, "Not Before"))
    return reasons.REJECTED
