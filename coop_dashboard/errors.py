"""One exception root with a user-facing message, narrow subclasses per layer.

Raw RPC / ABI / OS exceptions are caught at the layer boundary and re-raised as
one of these, so the UI and the CLI only ever show `str(error)`: a sentence a
person can act on, never a traceback.
"""


class CoopError(Exception):
    """Root of every error the dashboard reports to a person."""


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


class IndexerError(CoopError):
    """The indexer could not follow the chain."""


class AuthError(CoopError):
    """Sign-in or session checks failed."""


class ContentError(CoopError):
    """The content store could not store, find or verify a blob."""
