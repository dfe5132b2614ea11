"""Secrets out of every message: the one redaction for user-facing errors and log lines.

Hosted RPC URLs carry API keys in the path, the query or the user info
(`https://eth.example/v3/<key>?apikey=<key>`), and so may DATABASE_URL and
REDIS_URL (passwords). Client libraries repeat them in their own exceptions
(requests says "Max retries exceeded with url: /v3/<key>?apikey=..."), so
hiding the URL where we format it is not enough: `redact` removes every known
secret fragment from any text, and
- `CoopError` passes its message through it (errors.py), so nothing a person is
  shown carries a key;
- `install_log_redaction` makes every log record (message, arguments and
  traceback) go through it, whatever logger or handler writes it.
Plain stdlib: every layer may import this module.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

HIDDEN = "…"
# Environment variables whose URLs may hold credentials.
SECRET_URL_VARIABLES = ("RPC_URL", "DATABASE_URL", "REDIS_URL", "WALLET_RPC_URL")
# A path segment or query value shorter than this is a word ("v3", "rpc"), not a key.
_MIN_SECRET_CHARS = 6
_KEY_PARAMETER = re.compile(
    r"(?i)\b(api[_-]?key|access[_-]?token|token|secret|password|passwd|auth|key)=([^&\s'\"<>]+)"
)
_USER_INFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@")

_registered: set[str] = set()
_registered_lock = threading.Lock()


def public_url(url: str) -> str:
    """`url` safe to show to anyone: scheme, host and port only (the rest becomes `…`)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "(invalid URL)"
    if not parts.scheme or not parts.hostname:
        return "(invalid URL)"
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    base = f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment or parts.username
    return f"{base}/{HIDDEN}" if hidden else base


def register_secret_url(url: str) -> None:
    """Treat `url`'s path, query and user info as secret from now on (idempotent)."""
    if url:
        with _registered_lock:
            _registered.add(url)


@lru_cache(maxsize=64)
def _fragments(url: str) -> tuple[tuple[str, str], ...]:
    """(secret text, replacement) pairs for one URL, longest first."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ()
    pairs: dict[str, str] = {}
    shown = public_url(url)
    if shown != url:
        pairs[url] = shown
        pairs[url.rstrip("/")] = shown
    tail = parts.path + (f"?{parts.query}" if parts.query else "")
    for fragment in (tail, parts.path, parts.query, parts.fragment):
        if fragment not in ("", "/"):
            pairs[fragment] = HIDDEN if not fragment.startswith("/") else f"/{HIDDEN}"
    secrets = [segment for segment in parts.path.split("/") if segment]
    secrets += [value for _, value in parse_qsl(parts.query, keep_blank_values=True)]
    secrets += [parts.username or "", parts.password or ""]
    for secret in secrets:
        if len(secret) >= _MIN_SECRET_CHARS:
            pairs[secret] = HIDDEN
    return tuple(sorted(pairs.items(), key=lambda pair: -len(pair[0])))


def _secret_urls() -> Iterable[str]:
    with _registered_lock:
        registered = list(_registered)
    from_environment = (os.environ.get(name, "") for name in SECRET_URL_VARIABLES)
    return [url for url in (*from_environment, *registered) if url]


def redact(text: str) -> str:
    """`text` without any secret part of a configured URL, key-like query value or user info."""
    if not text:
        return text
    for url in _secret_urls():
        for secret, replacement in _fragments(url):
            if secret in text:
                text = text.replace(secret, replacement)
    text = _KEY_PARAMETER.sub(lambda match: f"{match.group(1)}={HIDDEN}", text)
    return _USER_INFO.sub(lambda match: f"{match.group(1)}{HIDDEN}@", text)


_exception_formatter = logging.Formatter()
_factory_lock = threading.Lock()
_installed = False


def install_log_redaction() -> None:
    """Redact every log record from now on, in this process (idempotent).

    A record factory, not a handler filter: it sees every record of every
    logger (handlers added later by uvicorn or Reflex included), and renders
    the message and the traceback once, redacted, before any handler formats it.
    """
    global _installed
    with _factory_lock:
        if _installed:
            return
        create = logging.getLogRecordFactory()

        def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = create(*args, **kwargs)
            redact_record(record)
            return record

        logging.setLogRecordFactory(redacting_factory)
        _installed = True


def redact_record(record: logging.LogRecord) -> None:
    """Replace `record`'s message, arguments and traceback by their redacted text."""
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: leave it to logging's own error report
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = redact(_exception_formatter.formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    """The same redaction as a handler filter, for handlers configured elsewhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True
