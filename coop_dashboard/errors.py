"""One exception root with a user-facing message, narrow subclasses per layer.

Raw RPC / ABI / OS exceptions are caught at the layer boundary and re-raised as
one of these, so the UI and the CLI only ever show `str(error)`: a sentence a
person can act on, never a traceback.
"""

from coop_dashboard.redaction import redact


class CoopError(Exception):
    """Root of every error the dashboard reports to a person.

    Its text passes through `redaction.redact`: an RPC key quoted by a client
    library inside the message never reaches a person (or a log line).
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class ConfigError(CoopError):
    """The configuration (environment, manifest file) is missing or wrong."""


class ChainError(CoopError):
    """The chain (node, RPC, contracts) failed or refused something."""


class NodeError(ChainError):
    """The local anvil node could not be started or stopped."""


class RpcUnavailableError(ChainError):
    """The JSON-RPC endpoint does not answer."""


class ManifestMismatchError(ChainError):
    """The deployment manifest does not describe the chain it points at."""


class TransactionRevertedError(ChainError):
    """A transaction reverts when simulated (or did when mined).

    `revert` is the decoded error (chain.revert.DecodedRevert); services turn it
    into a sentence (services.tx_text.explain_revert) before a person sees it.
    """

    def __init__(self, revert: object) -> None:
        super().__init__(f"The transaction would fail: the contract reverted with {revert}.")
        self.revert = revert


class IndexerError(CoopError):
    """The indexer could not follow the chain."""


class AuthError(CoopError):
    """Sign-in or session checks failed."""


class ContentError(CoopError):
    """The content store could not store, find or verify a blob."""


class ValidationError(CoopError):
    """Input a person typed was refused; the message says what to fix."""
