"""The scanner: one step = check for a reorg, fetch a range, decode, apply with its checkpoint.

The shape is web3.py's EventScanner (state = checkpoint + "delete since block",
chunked getLogs with an adaptive range), with raw JSON-RPC and eth_abi instead
of web3's log formatting. Each step issues one JSON-RPC batch for the head and
the checkpoint's block, then one batch with every eth_getLogs filter, the
headers of the range's recent blocks and the treasury's ETH balances.

Consistency rules:
- The checkpoint (number + hash) moves only with its batch, in one transaction:
  a crash at any point leaves the database at some batch boundary.
- A range is only ever applied entirely, in order: a failed request retries the
  same start block (with a smaller range), so nothing is skipped.
- Before each step the stored checkpoint hash is compared with the chain; on a
  mismatch the stored recent hashes find the fork and the rows above it are
  deleted (aggregates reverted) before indexing resumes from there.
- Within `reorg_window` blocks of the head every block's header is fetched with
  the logs; headers must chain to each other and to the checkpoint, and logs
  must carry their block's hash, or the batch is dropped and retried.
- The treasury's ETH balance at the head is read with a Merkle proof checked
  against that block's state root: a node may answer it from the state of the
  block it is mining (anvil does), which would count that block's inflows twice.
- A log no handler can turn into rows (a bug, or data nobody expected) stops
  the index just before its block: the blocks before it are committed, and the
  error names the block and log index (LogHandlingError). A batch the database
  refuses is retried with half the range, down to the one block it refuses.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError

from coop_dashboard.chain.account_proof import ProofMismatchError, get_proof_call, proven_balance
from coop_dashboard.chain.contracts import Deployment
from coop_dashboard.chain.rpc import (
    BlockHeader,
    JsonRpcError,
    LogFilter,
    RawLog,
    RpcClient,
    RpcTimeoutError,
    get_balance_call,
    get_block_call,
    header_from_json,
)
from coop_dashboard.db.chain_tables import TreasuryMovement
from coop_dashboard.errors import CoopError, IndexerError
from coop_dashboard.indexer.chunks import ChunkSizer
from coop_dashboard.indexer.config import IndexerConfig
from coop_dashboard.indexer.decoders import DecodedLog, DecoderTable
from coop_dashboard.indexer.gc_pause import fewer_gc_passes
from coop_dashboard.indexer.handlers.registry import HandlerContext, HandlerRegistry, RowSink
from coop_dashboard.indexer.store import Checkpoint, IndexStore, PreparedBatch
from coop_dashboard.indexer.treasury_classify import classify_movements
from coop_dashboard.indexer.treasury_eth import EthInflowFinder

log = logging.getLogger("coop.indexer")

_HEADER_BATCH = 200
# Refused proofs in a row after which the node's proofs are taken not to fit its headers.
_PROOF_MISMATCHES_TOLERATED = 3


class InconsistentFetchError(IndexerError):
    """The chain changed while a range was fetched (a reorg in progress): retry."""


class LogHandlingError(IndexerError):
    """Decoding or handling one log raised: the index cannot move past its block."""

    def __init__(self, block_number: int, log_index: int, what: str, cause: Exception) -> None:
        super().__init__(
            f"{what} (block {block_number}, log index {log_index}) failed: "
            f"{type(cause).__name__}: {cause}"
        )
        self.block_number = block_number
        self.log_index = log_index


class BatchWriteError(IndexerError):
    """The database refused a batch for a reason of the driver's (not SQLAlchemy's)."""

    def __init__(self, first: int, last: int, cause: Exception) -> None:
        blocks = f"block {first}" if first == last else f"blocks {first}..{last}"
        super().__init__(f"writing {blocks} failed: {type(cause).__name__}: {cause}")
        self.block_number = first
        self.log_index: int | None = None


@dataclass(frozen=True)
class StepResult:
    kind: Literal["applied", "rewound", "retry", "idle"]
    head: int
    checkpoint: int
    events: int = 0
    from_block: int = 0
    to_block: int = 0


@dataclass
class _Fetched:
    logs: list[RawLog]
    headers: list[BlockHeader]  # ascending; always ends with the range's last block
    balances: tuple[int, int] | None  # treasury ETH after first-1 and after last
    timestamps: dict[int, int]  # for nodes whose logs lack blockTimestamp


@dataclass
class _Prepared:
    """A range fetched, checked, decoded and turned into rows: ready to commit."""

    first: int
    last: int
    headers: list[BlockHeader]
    events: int
    batch: PreparedBatch


@dataclass(frozen=True)
class _Prefetch:
    checkpoint: Checkpoint  # the range starts right after this block
    future: Future[_Prepared]


def deployment_key(deployment: Deployment) -> str:
    """Identifies a deployment: its chain, deploy block and contract addresses."""
    identity = {
        "chain_id": deployment.chain_id,
        "deploy_block_hash": deployment.deploy_block_hash.lower(),
        "contracts": sorted((n, c.address.lower()) for n, c in deployment.contracts.items()),
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


def _topic_of_address(address: str) -> str:
    return "0x" + "0" * 24 + address.lower()[2:]


class Scanner:
    """Follows one deployment's logs into the database."""

    def __init__(
        self,
        rpc: RpcClient,
        store: IndexStore,
        deployment: Deployment,
        registry: HandlerRegistry,
        config: IndexerConfig,
    ) -> None:
        self.rpc = rpc
        self.store = store
        self.deployment = deployment
        self.registry = registry
        self.config = config
        self.decoders = DecoderTable(
            (name, info.address, info.abi) for name, info in deployment.contracts.items()
        )
        addresses = {name: info.address.lower() for name, info in deployment.contracts.items()}
        self.treasury = addresses["CoopTimelock"]
        self.context = HandlerContext(addresses=addresses, treasury=self.treasury)
        self._own_addresses = frozenset(addresses.values())
        transfer = self.decoders.erc20_transfer_topic0
        treasury_topic = _topic_of_address(self.treasury)
        self.filters = [
            LogFilter(addresses=tuple(sorted(self._own_addresses))),
            # Tokens outside the manifest moving treasury funds (any ERC20).
            LogFilter(topics=(transfer, treasury_topic)),
            LogFilter(topics=(transfer, None, treasury_topic)),
        ]
        self.sizer = ChunkSizer(
            size=config.initial_chunk, max_size=config.max_chunk, target_logs=config.target_logs
        )
        self.eth = EthInflowFinder(rpc, self.treasury) if config.track_eth_inflows else None
        # The treasury's balance at the head is read with a proof (_proven_treasury_balance).
        self._prove_head_balance = True
        self._proof_mismatches = 0
        self._checkpoint: Checkpoint | None = None
        self._checkpoint_stored = False
        # While a batch is written, the next range is fetched in this thread
        # (the HTTP wait and the SQLite writes both release the GIL).
        self._prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coop-prefetch")
        self._prefetch: _Prefetch | None = None

    def close(self) -> None:
        self._prefetch = None
        self._prefetcher.shutdown(wait=True, cancel_futures=True)

    # -- checkpoint -------------------------------------------------------------------

    def _current_checkpoint(self) -> Checkpoint:
        if self._checkpoint is None:
            stored = self.store.load_checkpoint()
            if stored is not None:
                self._checkpoint, self._checkpoint_stored = stored, True
            else:
                self._checkpoint, self._checkpoint_stored = self._initial_checkpoint(), False
        return self._checkpoint

    def _initial_checkpoint(self) -> Checkpoint:
        """Just below the deploy block, after checking the manifest's deploy block hash."""
        number = self.deployment.deploy_block
        parent_raw, deploy_raw = self.rpc.batch(
            [get_block_call(max(number - 1, 0)), get_block_call(number)]
        )
        if deploy_raw is None or deploy_raw["hash"].lower() != (
            self.deployment.deploy_block_hash.lower()
        ):
            raise IndexerError(
                f"Block {number} of the chain at {self.rpc.url} is not the deployment's "
                "block: the manifest belongs to another chain, or the chain was reset. "
                "Redeploy (`coop deploy` or `coop up`) or point DEPLOYMENT at this chain's "
                "manifest."
            )
        parent = header_from_json(parent_raw)
        return Checkpoint(parent.number, parent.hash, parent.timestamp)

    @property
    def checkpoint(self) -> Checkpoint | None:
        """The block the index ends at, as this scanner last knew it (None: not read yet)."""
        return self._checkpoint

    def forget_checkpoint(self) -> None:
        """Re-read the checkpoint from the database at the next step (after an error)."""
        self._checkpoint = None

    # -- one step ----------------------------------------------------------------------

    def step(self, pushed_head: int | None = None) -> StepResult:
        """Rewind if the chain reorganised, else index the next range (if any).

        "retry" means the chain changed under the step (a reorg in progress):
        nothing was written, the next step sorts it out.

        `pushed_head`: the number of a block the node just pushed (newHeads). The
        step then does not ask for the head and the checkpoint's block first (one
        round trip less): the range it fetches must still chain to the checkpoint,
        and if it does not, the step asks as usual (and rewinds if it must).
        """
        try:
            if pushed_head is not None and self._can_trust_pushed(pushed_head):
                try:
                    return self._step(pushed_head)
                except InconsistentFetchError as error:
                    log.debug("pushed head %d: %s; asking the node", pushed_head, error)
                    self._prefetch = None
            return self._step()
        except InconsistentFetchError as error:
            log.info("retrying: %s", error)
            self._prefetch = None
            return StepResult("retry", -1, -1)

    def _can_trust_pushed(self, pushed_head: int) -> bool:
        """A pushed head close enough above a stored checkpoint that the range's headers
        (fetched within `reorg_window` of the head) include the checkpoint's child."""
        checkpoint = self._checkpoint
        return (
            checkpoint is not None
            and self._checkpoint_stored
            and 0 < pushed_head - checkpoint.block_number <= self.config.reorg_window
        )

    def _step(self, pushed_head: int | None = None) -> StepResult:
        checkpoint = self._current_checkpoint()
        if pushed_head is not None:
            head = pushed_head  # _fetch checks that the range still follows the checkpoint
        else:
            head_hex, checkpoint_raw = self.rpc.batch(
                [("eth_blockNumber", []), get_block_call(checkpoint.block_number)]
            )
            head = int(head_hex, 16)
            if checkpoint_raw is None or checkpoint_raw["hash"].lower() != checkpoint.block_hash:
                fork = self._rewind(checkpoint)
                return StepResult("rewound", head, fork.block_number)
        safe_head = head - self.config.confirmations
        if checkpoint.block_number >= safe_head:
            return StepResult("idle", head, checkpoint.block_number)

        prepared = self._take_prefetch(checkpoint)
        if prepared is None:
            prepared = self._prepare_adaptively(checkpoint, safe_head, head)
        if prepared.last < safe_head:
            last_header = prepared.headers[-1]
            next_start = Checkpoint(last_header.number, last_header.hash, last_header.timestamp)
            self._start_prefetch(next_start, safe_head, head)
        try:
            with fewer_gc_passes():
                self._commit(checkpoint, prepared)
        except Exception as error:
            # Smaller ranges until the one block the database refuses, if it is one.
            self.sizer.failed()
            if isinstance(error, CoopError | SQLAlchemyError):
                raise
            raise BatchWriteError(prepared.first, prepared.last, error) from error
        first, last, events = prepared.first, prepared.last, prepared.events
        log.debug("applied blocks %d..%d: %d logs", first, last, events)
        return StepResult("applied", head, last, events, first, last)

    def _prepare_adaptively(self, checkpoint: Checkpoint, safe_head: int, head: int) -> _Prepared:
        """Prepare the range after `checkpoint`, halving it on each failure that may be its size."""
        first = checkpoint.block_number + 1
        while True:
            last = min(safe_head, checkpoint.block_number + self.sizer.size)
            try:
                return self._prepare(checkpoint, first, last, head)
            except LogHandlingError as error:
                if error.block_number <= first:
                    raise
                # Commit the blocks before the failing one; the next step stops there.
                return self._prepare(checkpoint, first, error.block_number - 1, head)
            except (JsonRpcError, RpcTimeoutError) as error:
                if isinstance(error, JsonRpcError) and error.method == "eth_getBalance":
                    self._warn_no_past_balances(error)
                    continue
                if isinstance(error, JsonRpcError) and error.method == "eth_getProof":
                    self._stop_proving(
                        f"the node does not serve eth_getProof ({error.rpc_message})"
                    )
                    continue
                if not self.sizer.failed():
                    raise IndexerError(
                        f"eth_getLogs fails even for a single block ({first}): {error}"
                    ) from error
                log.info(
                    "eth_getLogs %d..%d failed (%s); retrying with %d blocks",
                    first,
                    last,
                    error,
                    self.sizer.size,
                )

    def _prepare(self, checkpoint: Checkpoint, first: int, last: int, head: int) -> _Prepared:
        """Fetch, check, decode and handle blocks first..last (no database access)."""
        with fewer_gc_passes():
            return self._prepare_rows(checkpoint, first, last, head)

    def _prepare_rows(self, checkpoint: Checkpoint, first: int, last: int, head: int) -> _Prepared:
        started = time.monotonic()
        fetched = self._fetch(checkpoint, first, last, head)
        self.sizer.succeeded(last - first + 1, len(fetched.logs), time.monotonic() - started)
        decoded, sink = self._rows(first, last, fetched)
        batch = self.store.prepare_batch(decoded, sink)
        return _Prepared(first, last, fetched.headers, len(decoded), batch)

    def _start_prefetch(self, checkpoint: Checkpoint, safe_head: int, head: int) -> None:
        first = checkpoint.block_number + 1
        last = min(safe_head, checkpoint.block_number + self.sizer.size)
        future = self._prefetcher.submit(self._prepare, checkpoint, first, last, head)
        self._prefetch = _Prefetch(checkpoint, future)

    def _take_prefetch(self, checkpoint: Checkpoint) -> _Prepared | None:
        """The prefetched range if it starts at `checkpoint`, was prepared without error
        and its last block is still the chain's.

        The range was read while the previous one was being written: a reorg since
        then may have replaced its blocks while keeping `checkpoint`, which is all the
        step checked. A block's hash commits to its ancestors, so the last block's
        hash (one request) says whether the whole range is still canonical; if not,
        the range is read again, and the rows of the orphaned blocks are never written.
        """
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is None or prefetch.checkpoint != checkpoint:
            return None
        try:
            prepared = prefetch.future.result()
        except Exception as error:
            # Prepared again in the foreground, where failures are handled.
            log.debug("prefetch after block %d failed: %s", checkpoint.block_number, error)
            return None
        last = prepared.headers[-1]
        try:
            (raw,) = self.rpc.batch([get_block_call(last.number)])
        except Exception as error:
            log.debug("checking block %d failed: %s", last.number, error)
            return None  # read again in the foreground, where failures are handled
        if not isinstance(raw, dict) or str(raw.get("hash", "")).lower() != last.hash:
            log.info(
                "blocks %d..%d changed since they were read ahead: reading them again",
                prepared.first,
                prepared.last,
            )
            return None
        return prepared

    def _warn_no_past_balances(self, error: JsonRpcError) -> None:
        log.warning(
            "the node does not serve past balances (%s): ETH received by the treasury "
            "from now on is not recorded; use an archive node to track it",
            error.rpc_message,
        )
        self.eth = None

    def _fetch(self, checkpoint: Checkpoint, first: int, last: int, head: int) -> _Fetched:
        calls: list[tuple[str, Any]] = [
            ("eth_getLogs", [log_filter.params(first, last)]) for log_filter in self.filters
        ]
        window_start = max(first, head - self.config.reorg_window + 1)
        numbers = list(range(window_start, last + 1))
        if not numbers or numbers[-1] != last:
            numbers.append(last)
        calls += [get_block_call(number) for number in numbers]
        prove_last = self._prove_head_balance and last >= head
        if self.eth is not None:
            calls += [
                get_balance_call(self.treasury, checkpoint.block_number),
                get_proof_call(self.treasury, last)
                if prove_last
                else get_balance_call(self.treasury, last),
            ]
        results = self.rpc.batch(calls)
        log_lists = results[: len(self.filters)]
        header_raws = results[len(self.filters) : len(self.filters) + len(numbers)]

        if any(raw is None for raw in header_raws):
            raise InconsistentFetchError(f"blocks up to {last} vanished while fetching")
        balances = None
        if self.eth is not None:
            after = (
                self._proven_treasury_balance(results[-1], header_raws[-1])
                if prove_last
                else int(results[-1], 16)
            )
            balances = (int(results[-2], 16), after)

        headers = [header_from_json(raw) for raw in header_raws]
        self._check_chain(checkpoint, first, headers)
        logs = self._merge(log_lists)
        by_number = {header.number: header for header in headers}
        missing_time: set[int] = set()
        for raw in logs:
            if raw.get("removed"):
                raise InconsistentFetchError("the node returned removed logs")
            number = int(raw["blockNumber"], 16)
            header = by_number.get(number)
            if header is not None and raw["blockHash"].lower() != header.hash:
                raise InconsistentFetchError(f"block {number} changed while fetching")
            if "blockTimestamp" not in raw and header is None:
                missing_time.add(number)
        timestamps = {header.number: header.timestamp for header in headers}
        timestamps.update(self._timestamps(sorted(missing_time)))
        return _Fetched(logs, headers, balances, timestamps)

    def _proven_treasury_balance(self, proof: Any, last_raw: dict[str, Any]) -> int:
        """The treasury's balance in the range's last block, from a proof checked against
        that block's state root.

        Why a proof: a balance "at the head" can be answered from the next block's
        state. anvil does so while it executes that block (its working state already
        holds the new transfers until the block is published), and the inflows of the
        next block were then counted in this one too (and again in their own). A
        balance below the head comes from a kept past state and needs no proof.
        """
        number = int(last_raw["number"], 16)
        try:
            balance = proven_balance(proof, str(last_raw["stateRoot"]), self.treasury)
        except ProofMismatchError as error:
            # Explained when the chain moved on (a block mined, a reorg); a refusal with
            # the head still at this block means the node's proofs do not fit its headers.
            if self.rpc.block_number() == number:
                self._proof_mismatches += 1
                if self._proof_mismatches >= _PROOF_MISMATCHES_TOLERATED:
                    self._stop_proving(f"its proofs do not match its blocks ({error})")
            raise InconsistentFetchError(
                f"the treasury balance of block {number} came from another state "
                f"(the node was mining the next block?): {error}"
            ) from error
        self._proof_mismatches = 0
        return balance

    def _stop_proving(self, why: str) -> None:
        if self._prove_head_balance:
            log.warning(
                "reading the treasury's ETH balance at the head without a proof: %s; "
                "a balance read while the node mines the next block may then be wrong",
                why,
            )
        self._prove_head_balance = False

    @staticmethod
    def _check_chain(checkpoint: Checkpoint, first: int, headers: list[BlockHeader]) -> None:
        previous: BlockHeader | None = None
        for header in headers:
            if header.number == first and header.parent_hash != checkpoint.block_hash:
                raise InconsistentFetchError(f"block {first} does not follow the checkpoint")
            if (
                previous is not None
                and header.number == previous.number + 1
                and header.parent_hash != previous.hash
            ):
                raise InconsistentFetchError(f"block {header.number} changed while fetching")
            previous = header

    def _merge(self, log_lists: list[Any]) -> list[RawLog]:
        logs: list[RawLog] = list(log_lists[0])
        # The other filters also see the manifest's own tokens: those are duplicates.
        extra = [
            raw
            for more in log_lists[1:]
            for raw in more
            if raw["address"].lower() not in self._own_addresses
        ]
        if extra:
            seen: set[tuple[str, str]] = set()
            merged = []
            for raw in logs + extra:
                key = (raw["blockNumber"], raw["logIndex"])
                if key not in seen:
                    seen.add(key)
                    merged.append(raw)
            merged.sort(key=lambda raw: (int(raw["blockNumber"], 16), int(raw["logIndex"], 16)))
            logs = merged
        return logs

    def _timestamps(self, numbers: list[int]) -> dict[int, int]:
        found: dict[int, int] = {}
        for start in range(0, len(numbers), _HEADER_BATCH):
            chunk = numbers[start : start + _HEADER_BATCH]
            for raw in self.rpc.batch([get_block_call(n) for n in chunk]):
                if raw is None:
                    raise InconsistentFetchError("a block vanished while fetching")
                header = header_from_json(raw)
                found[header.number] = header.timestamp
        return found

    def _rows(self, first: int, last: int, fetched: _Fetched) -> tuple[list[DecodedLog], RowSink]:
        decode = self.decoders.decode
        handle = self.registry.handle
        context = self.context
        sink = RowSink()
        decoded: list[DecodedLog] = []
        timestamps = fetched.timestamps
        raw: RawLog | None = None
        try:
            for raw in fetched.logs:
                number = int(raw["blockNumber"], 16)
                timestamp = None if "blockTimestamp" in raw else timestamps[number]
                item = decode(raw, timestamp)
                decoded.append(item)
                handle(item, context, sink)
        except Exception as error:
            if raw is None:
                raise
            number, index = int(raw["blockNumber"], 16), int(raw["logIndex"], 16)
            what = "decoding the log"
            if decoded and (decoded[-1].block_number, decoded[-1].log_index) == (number, index):
                what = f"the {decoded[-1].contract} {decoded[-1].event} handler"
            raise LogHandlingError(number, index, what, error) from error
        eth = self.eth
        if eth is not None and fetched.balances is not None:
            outflows: dict[int, int] = defaultdict(int)
            for row in sink.of(TreasuryMovement):
                if row["asset"] == "eth" and row["direction"] == "out":
                    outflows[row["block_number"]] += row["amount"]
            before, after = fetched.balances
            for row in eth.find(first, last, before, after, outflows):
                sink.add(TreasuryMovement, row)
        classify_movements(decoded, sink)
        return decoded, sink

    def _commit(self, checkpoint: Checkpoint, prepared: _Prepared) -> None:
        last_header = prepared.headers[-1]
        new = Checkpoint(prepared.last, last_header.hash, last_header.timestamp)
        self.store.apply_batch(
            checkpoint if self._checkpoint_stored else None,
            new,
            prepared.batch,
            prepared.headers,
            keep_blocks_from=prepared.last - self.config.reorg_window + 1,
        )
        self._checkpoint, self._checkpoint_stored = new, True

    # -- reorgs ------------------------------------------------------------------------

    def _rewind(self, checkpoint: Checkpoint) -> Checkpoint:
        if not self._checkpoint_stored:
            self._checkpoint = None  # the initial checkpoint is recomputed, nothing to undo
            raise InconsistentFetchError("the deploy block's parent changed; retrying")
        stored = self.store.recent_blocks(checkpoint.block_number)
        for start in range(0, len(stored), _HEADER_BATCH):
            chunk = stored[start : start + _HEADER_BATCH]
            raws = self.rpc.batch([get_block_call(number) for number, _ in chunk])
            for (number, block_hash), raw in zip(chunk, raws, strict=True):
                if raw is not None and raw["hash"].lower() == block_hash:
                    fork = Checkpoint(number, block_hash, int(raw["timestamp"], 16))
                    log.warning(
                        "chain reorganisation: block %d (%s) is no longer canonical; "
                        "rewinding to block %d",
                        checkpoint.block_number,
                        checkpoint.block_hash,
                        number,
                    )
                    self.store.rewind(checkpoint, fork)
                    self._checkpoint = fork
                    return fork
        raise IndexerError(
            f"The chain reorganised deeper than the {len(stored)} block hashes kept "
            f"(below block {checkpoint.block_number}). Re-index from scratch with "
            "`coop index --reset`, and raise INDEXER_REORG_WINDOW for this chain."
        )

    def catch_up(self, max_retries: int = 20) -> tuple[int, int]:
        """Step until idle: (events indexed, checkpoint block)."""
        events = 0
        retries = 0
        while True:
            result = self.step()
            events += result.events
            if result.kind == "idle":
                return events, result.checkpoint
            if result.kind != "retry":
                retries = 0
                continue
            retries += 1
            if retries > max_retries:
                raise IndexerError(
                    f"The chain at {self.rpc.url} kept changing while being read "
                    f"({retries} attempts); try again later."
                )
            time.sleep(min(0.05 * retries, 1.0))
