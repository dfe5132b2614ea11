"""Sign-In with Ethereum (EIP-4361) and server sessions. No reflex here.

Typical use from a state handler (engine and site built once from settings):

    challenge = start_sign_in(engine, site, address)      # -> wallet signs challenge.message
    issued = sign_in(engine, site, message, signature, contract_wallets=w3)
    address = session_address(engine, issued.token)      # on later requests

Every refusal is an `AuthError` whose text can be shown as is.
"""

from coop_dashboard.auth.addresses import checksum_address
from coop_dashboard.auth.eip1271 import ContractSignatureCheck, web3_contract_signature_check
from coop_dashboard.auth.nonces import IssuedNonce, issue_nonce
from coop_dashboard.auth.sessions import (
    DEFAULT_SESSION_TTL,
    ActiveSession,
    IssuedSession,
    PurgeResult,
    lookup_session,
    lookup_session_by_hash,
    open_session,
    purge_expired,
    revoke_all_sessions,
    session_address,
    session_address_by_hash,
    sign_out,
    sign_out_by_hash,
    token_hash,
)
from coop_dashboard.auth.site import SiweSite
from coop_dashboard.auth.siwe_login import (
    SignInChallenge,
    VerifiedSignIn,
    build_sign_in_message,
    sign_in,
    start_sign_in,
    verify_sign_in,
)

__all__ = [
    "DEFAULT_SESSION_TTL",
    "ActiveSession",
    "ContractSignatureCheck",
    "IssuedNonce",
    "IssuedSession",
    "PurgeResult",
    "SignInChallenge",
    "SiweSite",
    "VerifiedSignIn",
    "build_sign_in_message",
    "checksum_address",
    "issue_nonce",
    "lookup_session",
    "lookup_session_by_hash",
    "open_session",
    "purge_expired",
    "revoke_all_sessions",
    "session_address",
    "session_address_by_hash",
    "sign_in",
    "sign_out",
    "sign_out_by_hash",
    "start_sign_in",
    "token_hash",
    "verify_sign_in",
    "web3_contract_signature_check",
]
