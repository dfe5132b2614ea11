"""Content addressing (CIDv1) and the content store (local disk, IPFS later)."""
