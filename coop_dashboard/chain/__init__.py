"""Everything that talks to the EVM: the only package importing web3.

No reflex and no sqlmodel here; callers get plain dataclasses back and every
failure as a CoopError subclass with a sentence a person can act on.
"""
