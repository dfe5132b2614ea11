"""Sign-In with Ethereum over HTTP, for scripts: the browser's sign-in (services.sign_in)
behind JSON, and the bearer tokens it issues read back from `Authorization` headers.

One code path with the browser: the same message builder, domain, URI and chain, the
same nonce TTL and throttle (keyed by the request's IP, as scripts have no browser
token), the same checks and the same session table and expiry. Blocking (database,
RPC): call from a worker thread. Every answer a person can cause is a JSON
`{"error": "<sentence>"}` with a 4xx status; nothing here raises for bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.auth import ActiveSession, lookup_session
from coop_dashboard.config import Settings
from coop_dashboard.errors import AuthError
from coop_dashboard.services.sign_in import auth_engine, begin_sign_in, complete_sign_in

NONCE_ROUTE = "/api/auth/nonce"
VERIFY_ROUTE = "/api/auth/verify"
# A JSON body bigger than this is not a sign-in request (a message is ~400 bytes).
MAX_BODY_BYTES = 16_384
SIGN_IN_HINT = f"Sign in first: POST {NONCE_ROUTE}, sign the message, POST {VERIFY_ROUTE}."


@dataclass(frozen=True)
class JsonAnswer:
    """An HTTP status and the JSON object to send."""

    status: int
    payload: dict[str, Any]


def refusal(status: int, message: str) -> JsonAnswer:
    return JsonAnswer(status, {"error": message})


def _fields(body: object, names: tuple[str, ...]) -> list[str] | JsonAnswer:
    """The string fields `names` of a JSON object, or a 400 naming what is wrong."""
    if not isinstance(body, dict):
        return refusal(400, f"Send a JSON object with {', '.join(names)}.")
    values: list[str] = []
    for name in names:
        value = body.get(name)
        if not isinstance(value, str) or not value:
            return refusal(400, f'"{name}" is missing or not a string.')
        values.append(value)
    return values


def nonce_answer(settings: Settings, body: object, ip: str) -> JsonAnswer:
    """`POST /api/auth/nonce` {"address"} -> {"message"} to sign (400 or 429 refusals)."""
    fields = _fields(body, ("address",))
    if isinstance(fields, JsonAnswer):
        return fields
    try:
        challenge = begin_sign_in(settings, fields[0], ip=ip)
    except AuthError as exc:
        # The throttle's refusal says "too many"; a malformed address is bad input.
        return refusal(429 if "too many" in str(exc).lower() else 400, str(exc))
    return JsonAnswer(
        200,
        {
            "message": challenge.message,
            "address": challenge.address,
            "expires_at": challenge.expires_at.isoformat(),
        },
    )


def verify_answer(settings: Settings, body: object) -> JsonAnswer:
    """`POST /api/auth/verify` {"message", "signature"} -> {"token", "address", "expires_at"};
    401 with the reason when the signed message does not sign this address in."""
    fields = _fields(body, ("message", "signature"))
    if isinstance(fields, JsonAnswer):
        return fields
    message, signature = fields
    try:
        session = complete_sign_in(settings, message, signature, channel="api")
    except AuthError as exc:
        return refusal(401, str(exc))
    return JsonAnswer(
        200,
        {
            "token": session.token,
            "address": session.address,
            "expires_at": session.expires_at.isoformat(),
        },
    )


def bearer_address(settings: Settings, authorization: str | None) -> str | JsonAnswer:
    """The address signed in with the `Authorization: Bearer <token>` header, or a 401
    saying what is missing (no header, not a bearer token, unknown/expired/revoked)."""
    active = bearer_session(settings, authorization)
    return active if isinstance(active, JsonAnswer) else active.address


def bearer_session(settings: Settings, authorization: str | None) -> ActiveSession | JsonAnswer:
    """`bearer_address`, with the whole session (its address and how it was opened)."""
    if not authorization:
        return refusal(401, f"No session token (Authorization: Bearer <token>). {SIGN_IN_HINT}")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return refusal(401, f"The Authorization header is not a bearer token. {SIGN_IN_HINT}")
    try:
        active = lookup_session(auth_engine(settings), token.strip())
    except (SQLAlchemyError, OSError):
        return refusal(503, "Sessions cannot be checked right now (database error); try again.")
    if active is None:
        return refusal(
            401, f"The session token is unknown, forged, expired or revoked. {SIGN_IN_HINT}"
        )
    return active
