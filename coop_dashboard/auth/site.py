"""Who is asking people to sign in: the site identity every SIWE check compares against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from coop_dashboard.errors import ConfigError

DEFAULT_STATEMENT = "Sign in to Coop Dashboard."
DEFAULT_NONCE_TTL = timedelta(minutes=10)
DEFAULT_MESSAGE_TTL = timedelta(minutes=10)
# A signed message is a bearer credential until it expires; a long-lived one
# that leaks (logs, a shared screenshot) could be replayed for that long if its
# nonce were still open, so refuse anything valid for more than a day.
DEFAULT_MAX_MESSAGE_TTL = timedelta(days=1)
# Several backend workers (and the database) may disagree on the time by a few
# seconds; an issued-at slightly ahead of our clock is not an attack.
DEFAULT_CLOCK_SKEW = timedelta(seconds=60)

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class SiweSite:
    """The app's own identity in sign-in messages, plus the time limits it enforces.

    `domain` is the RFC 3986 authority (host[:port], as `window.location.host`
    reports it and as wallets compare it), `uri` the origin the user signs in to.
    """

    domain: str
    uri: str
    chain_id: int
    statement: str = DEFAULT_STATEMENT
    nonce_ttl: timedelta = DEFAULT_NONCE_TTL
    message_ttl: timedelta = DEFAULT_MESSAGE_TTL
    max_message_ttl: timedelta = DEFAULT_MAX_MESSAGE_TTL
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW

    def __post_init__(self) -> None:
        if not self.domain or self.domain != self.domain.lower() or "/" in self.domain:
            raise ConfigError(f"SIWE domain must be a lower-case host[:port], got {self.domain!r}")
        # siwe 4.4 prints "Chain ID: 1" for chain id 0, and EIP-155 ids start at 1.
        if self.chain_id < 1:
            raise ConfigError(f"SIWE chain id must be a positive integer, got {self.chain_id}")
        if not self.statement or "\n" in self.statement:
            raise ConfigError("SIWE statement must be one non-empty line")
        if self.message_ttl > self.max_message_ttl:
            raise ConfigError("SIWE message TTL is longer than the maximum TTL the site accepts")
        origin_of(self.uri)  # raises ConfigError for a URI that is not an http(s) origin

    @classmethod
    def for_origin(
        cls, origin: str, chain_id: int, *, statement: str = DEFAULT_STATEMENT
    ) -> SiweSite:
        """The site served at `origin` (e.g. "http://localhost:3000") on chain `chain_id`."""
        scheme, host, port = origin_of(origin)
        default_port = _DEFAULT_PORTS[scheme]
        domain = host if port == default_port else f"{host}:{port}"
        uri = f"{scheme}://{domain}"
        return cls(domain=domain, uri=uri, chain_id=chain_id, statement=statement)


def origin_of(uri: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URI, lower-cased, default port filled in.

    Raises ConfigError when `uri` is not an absolute http(s) URI.
    """
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"Not a valid URI: {uri!r}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ConfigError(f"Not an http(s) URI with a host: {uri!r}")
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]
