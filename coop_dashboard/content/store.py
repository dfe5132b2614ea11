"""The local content store: files on disk named by their IPFS CID, verified on every read.

Layout under the root directory:
    <cid[:10]>/<cid>        the file's bytes (a raw CID's block, or a large file whole)
    <cid[:10]>/<cid>.nodes  for a dag-pb root: its UnixFS nodes, as CAR-style sections
                            (varint length, binary CID, block); the leaves are slices
                            of the file, found through the nodes
    .tmp/                   writes in progress (renamed into place when complete)
A read walks from the root CID down: each node is checked against the CID its
parent names, each 256 KiB leaf against its own CID, before a byte is handed on.
Everything here is blocking file I/O: async code calls it in a worker thread.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol

from coop_dashboard.content.cid import (
    DAG_PB_CODEC,
    RAW_CODEC,
    block_cid,
    cid_from_bytes,
    cid_to_bytes,
    is_cid,
)
from coop_dashboard.content.dagpb import decode_file_node
from coop_dashboard.content.protobuf import decode_varint, encode_varint
from coop_dashboard.content.unixfs import (
    CHUNK_SIZE,
    DagBuilder,
    Leaf,
    NodeBlock,
    dag_blocks,
    leaves_in_range,
)
from coop_dashboard.errors import ContentError

# The in-memory API (`put` / `get` of bytes) stops here: statements, cards and
# notes are far smaller. Files of any size go through `writer` / `put_file` and
# are read back with `iter_content`.
MAX_BLOB_BYTES = 16 * 1024 * 1024
# Big enough reads that the copy runs at disk speed (16 leaves at a time).
_COPY_BUFFER_BYTES = 16 * CHUNK_SIZE
_NODES_SUFFIX = ".nodes"
_TMP_DIR = ".tmp"
_SECTION_HEADER_BYTES = 10 + 36  # varint length + binary CID
_PARALLEL_WRITE_BYTES = 1024 * 1024


class Readable(Protocol):
    """A binary source read into a buffer (an open file, a spooled upload, BytesIO)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What storing a file gives: its CID, its size and the sha-256 of its bytes."""

    cid: str
    size: int
    sha256: bytes


class LocalContentStore:
    """Content-addressed files under one directory (write once, verify on read)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # ---- writing -----------------------------------------------------------------

    def writer(self, max_bytes: int | None = None) -> ContentWriter:
        """A writer to stream a file into the store (`with store.writer() as w: ...`)."""
        return ContentWriter(self, max_bytes)

    def put_file(self, source: Readable, max_bytes: int | None = None) -> StoredFile:
        """Store everything `source` reads, never holding more than a few MiB of it."""
        with self.writer(max_bytes) as writer:
            return _drain_into(source, writer)

    def put_path(
        self, path: Path, max_bytes: int | None = None, *, move: bool = False
    ) -> StoredFile:
        """Store the file at `path`: copied, or with `move` taken over (renamed into the store).

        Moving suits a finished upload in a temporary file: the bytes are read
        once to hash them and never written again (on the same filesystem). A
        copy is made by the kernel from the file (copy_file_range) beside the
        hashing. Either way the file must not change meanwhile: if it does, the
        stored copy fails verification on every read (never served).
        """
        with path.open("rb") as source:
            if move:
                writer = ContentWriter(self, max_bytes, adopt=path)
            else:
                writer = ContentWriter(self, max_bytes, copy_from=source.fileno())
            with writer:
                return _drain_into(source, writer)

    def put(self, data: bytes) -> str:
        """Store `data`; returns its CID. Idempotent."""
        if len(data) > MAX_BLOB_BYTES:
            raise ContentError(
                f"The content is {len(data):,} bytes; the store accepts at most {MAX_BLOB_BYTES:,}."
            )
        with self.writer() as writer:
            writer.write(data)
            return writer.commit().cid

    # ---- reading -----------------------------------------------------------------

    def has(self, cid: str) -> bool:
        path = self._path(cid)
        if cid_to_bytes(cid)[1] == DAG_PB_CODEC and not _nodes_path(path).exists():
            return False
        return path.exists()

    def size(self, cid: str) -> int:
        """The file's size in bytes (a dag-pb root is read and verified for it)."""
        raw = cid_to_bytes(cid)
        path = self._existing_path(cid)
        if raw[1] == RAW_CODEC:
            return path.stat().st_size
        return decode_file_node(_NodeFile(_nodes_path(path)).load(raw)).file_size

    def get(self, cid: str) -> bytes:
        """The bytes named by `cid`, verified against it (files up to MAX_BLOB_BYTES)."""
        size = self.size(cid)
        if size > MAX_BLOB_BYTES:
            raise ContentError(
                f"Content {cid} is {size:,} bytes: read it as a stream (iter_content)."
            )
        return b"".join(self.iter_content(cid))

    def iter_content(self, cid: str, offset: int = 0, length: int | None = None) -> Iterator[bytes]:
        """The bytes [offset, offset + length) of the file, in verified pieces of <= 256 KiB.

        Checks the name, presence and range now (so a caller can answer 404 / 416
        before sending anything); each piece is verified as it is produced, and a
        mismatch raises ContentError instead of yielding the bad bytes.
        """
        size = self.size(cid)
        if offset < 0 or (length is not None and length < 0) or offset > size:
            raise ContentError(
                f"The range {offset}+{length} is outside the {size:,} bytes of {cid}."
            )
        end = size if length is None else min(size, offset + length)
        raw = cid_to_bytes(cid)
        path = self._path(cid)
        if raw[1] == RAW_CODEC:
            return _raw_pieces(path, raw, offset, end)
        return _file_pieces(path, raw, offset, end)

    def iter_blocks(self, cid: str) -> Iterator[tuple[bytes, bytes]]:
        """(binary CID, block) for every block of the file, verified, each once, depth first."""
        raw = cid_to_bytes(cid)
        path = self._existing_path(cid)
        if raw[1] == RAW_CODEC:
            return iter([(raw, _read_raw_blob(path, raw))])
        return _dag_blocks_with_data(path, raw)

    def block_sizes(self, cid: str) -> Iterator[tuple[bytes, int]]:
        """(binary CID, block size) as `iter_blocks` lists them, reading only the nodes."""
        raw = cid_to_bytes(cid)
        path = self._existing_path(cid)
        if raw[1] == RAW_CODEC:
            return iter([(raw, path.stat().st_size)])
        nodes = _NodeFile(_nodes_path(path))
        return (
            (item.cid, len(item.block) if isinstance(item, NodeBlock) else item.size)
            for item in dag_blocks(raw, nodes.load)
        )

    # ---- orphans -----------------------------------------------------------------

    def collect_orphans(
        self, referenced: Iterable[str], grace_seconds: float, now: float | None = None
    ) -> list[str]:
        """Delete stored files no CID in `referenced` names and untouched for `grace_seconds`.

        `referenced` must hold every CID anything still points at (statements,
        proposals, dataset files, cards, notes). The grace period spares uploads
        whose registration is still on its way: storing a file again restarts it.
        Abandoned partial writes older than the grace period go too. Returns the
        CIDs removed, sorted. (A file stored again in the instant between the
        age check and the deletion is lost: keep the grace period long.)
        """
        keep = set(referenced)
        now = time.time() if now is None else now
        cutoff = now - grace_seconds
        removed: set[str] = set()
        if not self.root.is_dir():
            return []
        for shard in self.root.iterdir():
            if not shard.is_dir():
                continue
            if shard.name == _TMP_DIR:
                for partial in shard.iterdir():
                    if _older_or_gone(partial, cutoff):
                        partial.unlink(missing_ok=True)
                continue
            names = {entry.name.removesuffix(_NODES_SUFFIX) for entry in shard.iterdir()}
            for cid in sorted(names - keep):
                # Files whose names are not CIDs are not ours: left alone.
                if is_cid(cid) and self.discard(cid, grace_seconds, now=now):
                    removed.add(cid)
        return sorted(removed)

    def discard(self, cid: str, grace_seconds: float, now: float | None = None) -> bool:
        """Delete one stored file if it was not stored (again) within `grace_seconds`.

        For uploads known to be abandoned (a registration never sent); the caller
        has checked nothing references `cid`. True if it was removed.
        """
        path = self._path(cid)
        cutoff = (time.time() if now is None else now) - grace_seconds
        files = [path, _nodes_path(path)]  # the data file first, so `has` turns false first
        if not any(file.exists() for file in files) or not all(
            _older_or_gone(file, cutoff) for file in files
        ):
            return False
        for file in files:
            file.unlink(missing_ok=True)
        return True

    # ---- paths -------------------------------------------------------------------

    def _path(self, cid: str) -> Path:
        cid_to_bytes(cid)  # validates the name before it touches the filesystem
        return self.root / cid[:10] / cid

    def _existing_path(self, cid: str) -> Path:
        if not self.has(cid):
            raise ContentError(f"Content {cid} is not in the local store.")
        return self._path(cid)


class ContentWriter:
    """Streams one file into the store: chunks, hashes and writes as the bytes arrive.

    Memory stays at one partial chunk plus at most 174 links per DAG level,
    whatever the file's size. Use as a context manager: leaving the block without
    `commit()` (or with an exception) deletes the partial file.
    """

    def __init__(
        self,
        store: LocalContentStore,
        max_bytes: int | None,
        adopt: Path | None = None,
        copy_from: int | None = None,
    ) -> None:
        self._store = store
        self._max_bytes = max_bytes
        tmp_dir = store.root / _TMP_DIR
        tmp_dir.mkdir(parents=True, exist_ok=True)
        # Adopting: the bytes already sit in the file `adopt`; only hash them, then rename it.
        self._adopted = adopt
        # Copying from a file: the kernel copies each piece that was just hashed.
        self._copy_from = copy_from
        self._data_fd: int | None = None
        if adopt is None:
            self._data_fd, data_name = tempfile.mkstemp(dir=tmp_dir, prefix="data-")
            self._data_path = Path(data_name)
        else:
            self._data_path = adopt
        nodes_fd, nodes_name = tempfile.mkstemp(dir=tmp_dir, prefix="nodes-")
        self._nodes_path = Path(nodes_name)
        self._nodes = os.fdopen(nodes_fd, "wb")
        self._written_nodes: set[bytes] = set()
        self._builder = DagBuilder(self._write_node)
        self._partial = bytearray()
        self._sha256 = hashlib.sha256()
        self._size = 0
        self._helpers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="content-writer")
        self._open = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._open:
            raise ContentError("This content writer is already closed.")
        view = memoryview(data).cast("B")
        offset = self._size
        self._size += len(view)
        if self._max_bytes is not None and self._size > self._max_bytes:
            self.abort()
            raise ContentError(f"The file is larger than the {self._max_bytes:,} bytes allowed.")
        # The copy to disk and the whole-file sha-256 run on two more threads beside
        # the leaf hashing (all three release the GIL): on free cores, storing a
        # file takes about the time of hashing it once.
        if len(view) >= _PARALLEL_WRITE_BYTES:
            side_work: list[Future[object]] = [self._helpers.submit(self._sha256.update, view)]
            if self._data_fd is not None:
                side_work.append(self._helpers.submit(self._store_bytes, view, offset))
            try:
                self._hash_leaves(view)
            finally:
                for work in side_work:
                    work.result()
        else:
            if self._data_fd is not None:
                self._store_bytes(view, offset)
            self._sha256.update(view)
            self._hash_leaves(view)

    def _store_bytes(self, view: memoryview, offset: int) -> None:
        assert self._data_fd is not None
        done = 0
        if self._copy_from is not None:
            done = _kernel_copy(self._copy_from, self._data_fd, offset, len(view))
        while done < len(view):
            done += os.pwrite(self._data_fd, view[done:], offset + done)

    def _hash_leaves(self, view: memoryview) -> None:
        if self._partial:
            taken = min(CHUNK_SIZE - len(self._partial), len(view))
            self._partial += view[:taken]
            view = view[taken:]
            if len(self._partial) == CHUNK_SIZE:
                self._add_leaf(self._partial)
                self._partial = bytearray()
        while len(view) >= CHUNK_SIZE:
            self._add_leaf(view[:CHUNK_SIZE])
            view = view[CHUNK_SIZE:]
        self._partial += view

    def commit(self) -> StoredFile:
        """Finish the file and move it into place; returns its CID, size and sha-256."""
        if not self._open:
            raise ContentError("This content writer is already closed.")
        if self._partial or self._size == 0:
            self._add_leaf(self._partial)
        root = self._builder.finish()
        self._close_files()
        cid = cid_from_bytes(root.cid)
        path = self._store._path(cid)
        if self._store.has(cid):
            for existing in (path, _nodes_path(path)):
                if existing.exists():
                    os.utime(existing)  # stored again: the orphan grace period restarts
            self._data_path.unlink(missing_ok=True)  # a taken-over file is consumed too
            self._nodes_path.unlink(missing_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            if root.cid[1] == DAG_PB_CODEC:
                os.replace(self._nodes_path, _nodes_path(path))
            else:
                self._nodes_path.unlink(missing_ok=True)
            self._move_data(path)  # last: the file exists only once complete
        return StoredFile(cid=cid, size=self._size, sha256=self._sha256.digest())

    def abort(self) -> None:
        if self._open:
            self._close_files()
            self._remove_temp_files()

    def __enter__(self) -> ContentWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.abort()

    def _add_leaf(self, chunk: bytes | bytearray | memoryview) -> None:
        self._builder.add_leaf(block_cid(RAW_CODEC, chunk), len(chunk))

    def _write_node(self, cid: bytes, block: bytes) -> None:
        if cid not in self._written_nodes:  # identical subtrees (runs of zeros) are stored once
            self._written_nodes.add(cid)
            self._nodes.write(encode_varint(len(cid) + len(block)) + cid + block)

    def _move_data(self, path: Path) -> None:
        try:
            os.replace(self._data_path, path)
        except OSError as error:
            if error.errno != errno.EXDEV or self._adopted is None:
                raise
            # A file taken over from another filesystem: copy it across, then drop it.
            fd, copy_name = tempfile.mkstemp(dir=self._store.root / _TMP_DIR, prefix="data-")
            os.close(fd)
            shutil.copyfile(self._adopted, copy_name)
            os.replace(copy_name, path)
            self._adopted.unlink()

    def _close_files(self) -> None:
        self._open = False
        self._helpers.shutdown()
        if self._data_fd is not None:
            os.close(self._data_fd)
            self._data_fd = None
        self._nodes.close()

    def _remove_temp_files(self) -> None:
        if self._adopted is None:  # an aborted take-over leaves the caller's file alone
            self._data_path.unlink(missing_ok=True)
        self._nodes_path.unlink(missing_ok=True)


class _NodeFile:
    """The nodes of one stored dag-pb file, looked up by CID and verified when loaded."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._index: dict[bytes, tuple[int, int]] | None = None

    def load(self, cid: bytes) -> bytes:
        index = self._index if self._index is not None else self._build_index()
        if cid not in index:
            raise ContentError(f"Content {cid_from_bytes(cid)} is missing a node (corrupted).")
        position, length = index[cid]
        with self._path.open("rb") as handle:
            block = os.pread(handle.fileno(), length, position)
        _verify(cid, block)
        return block

    def _build_index(self) -> dict[bytes, tuple[int, int]]:
        index: dict[bytes, tuple[int, int]] = {}
        try:
            with self._path.open("rb") as handle:
                end = os.fstat(handle.fileno()).st_size
                position = 0
                while position < end:
                    header = os.pread(handle.fileno(), _SECTION_HEADER_BYTES, position)
                    length, start = decode_varint(header, 0)
                    cid = header[start : start + 36]
                    if length < 36 or position + start + length > end:
                        raise ContentError("A stored node index is truncated (corrupted).")
                    index[cid] = (position + start + 36, length - 36)
                    position += start + length
        except FileNotFoundError as error:
            raise ContentError("A stored file's nodes are missing.") from error
        self._index = index
        return index


def _kernel_copy(source_fd: int, target_fd: int, offset: int, count: int) -> int:
    """Copy [offset, offset + count) between the files in the kernel; the bytes it managed."""
    copied = 0
    try:
        while copied < count:
            step = os.copy_file_range(
                source_fd, target_fd, count - copied, offset + copied, offset + copied
            )
            if step == 0:  # the source is shorter now: the caller writes the rest itself
                break
            copied += step
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
            raise
    return copied


def _drain_into(source: Readable, writer: ContentWriter) -> StoredFile:
    buffer = bytearray(_COPY_BUFFER_BYTES)
    view = memoryview(buffer)
    while count := source.readinto(view):
        writer.write(view[:count])
    return writer.commit()


def _verify(cid: bytes, block: bytes | memoryview) -> None:
    if hashlib.sha256(block).digest() != cid[4:]:
        raise ContentError(
            f"Content {cid_from_bytes(cid)} on disk does not match its CID (corrupted)."
        )


def _nodes_path(path: Path) -> Path:
    return path.with_name(path.name + _NODES_SUFFIX)


def _read_raw_blob(path: Path, cid: bytes) -> bytes:
    if path.stat().st_size > MAX_BLOB_BYTES:
        raise ContentError(f"Content {cid_from_bytes(cid)} is too large for a single block.")
    data = path.read_bytes()
    _verify(cid, data)
    return data


def _raw_pieces(path: Path, cid: bytes, start: int, end: int) -> Iterator[bytes]:
    data = _read_raw_blob(path, cid)
    for position in range(start, end, CHUNK_SIZE):
        yield data[position : min(end, position + CHUNK_SIZE)]


def _file_pieces(path: Path, root: bytes, start: int, end: int) -> Iterator[bytes]:
    nodes = _NodeFile(_nodes_path(path))
    with path.open("rb") as handle:
        for leaf in leaves_in_range(root, start, end, nodes.load):
            block = _read_leaf(handle, leaf)
            yield block[max(start - leaf.offset, 0) : min(end - leaf.offset, leaf.size)]


def _dag_blocks_with_data(path: Path, root: bytes) -> Iterator[tuple[bytes, bytes]]:
    nodes = _NodeFile(_nodes_path(path))
    with path.open("rb") as handle:
        for item in dag_blocks(root, nodes.load):
            if isinstance(item, NodeBlock):
                yield item.cid, item.block
            else:
                yield item.cid, _read_leaf(handle, item)


def _read_leaf(handle: BinaryIO, leaf: Leaf) -> bytes:
    block = os.pread(handle.fileno(), leaf.size, leaf.offset)
    if len(block) != leaf.size:
        raise ContentError(f"Content {cid_from_bytes(leaf.cid)} is cut short on disk (corrupted).")
    _verify(leaf.cid, block)
    return block


def _older_or_gone(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime <= cutoff
    except FileNotFoundError:
        return True
