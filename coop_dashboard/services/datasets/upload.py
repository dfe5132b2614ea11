"""A dataset file arriving from the browser, streamed into the content store as it comes.

The register page's upload handler feeds the chunks Reflex hands it to a
`DatasetUpload` (blocking writes: call them from a worker thread). Nothing is
held whole in memory; the size limit (`Settings.dataset_max_bytes`) is checked
as the bytes arrive and a file beyond it is dropped at once. A finished upload
is noted in the uploads ledger, so a file that is never registered (refused,
or abandoned) is collected later by `collect_rejected_uploads`: its bytes may
also be a registered dataset's, so it is never deleted here.
"""

from __future__ import annotations

from dataclasses import dataclass

from coop_dashboard.config import Settings
from coop_dashboard.content.store import ContentWriter, LocalContentStore
from coop_dashboard.errors import ContentError, CoopError
from coop_dashboard.services.datasets.cards import FileFacts, stored_file_facts
from coop_dashboard.services.datasets.register import record_upload, uploads_ledger
from coop_dashboard.services.display import format_int

MAX_FILENAME_LENGTH = 255


class UploadRefused(CoopError):
    """The file cannot be used (the message says why); nothing of it was kept."""


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    facts: FileFacts

    @property
    def size_text(self) -> str:
        return f"{format_int(self.facts.size_bytes)} bytes"


def size_limit_text(settings: Settings) -> str:
    limit = settings.dataset_max_bytes
    if limit >= 1024**3 and limit % 1024**3 == 0:
        return f"{limit // 1024**3} GiB"
    if limit >= 1024**2 and limit % 1024**2 == 0:
        return f"{limit // 1024**2} MiB"
    return f"{format_int(limit)} bytes"


class DatasetUpload:
    """One file being streamed into the store (one upload per instance)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._store = LocalContentStore(settings.content_dir)
        self._writer: ContentWriter | None = self._store.writer(settings.dataset_max_bytes)
        self._filename: str | None = None
        self._size = 0

    def add(self, filename: str, data: bytes) -> None:
        """The next bytes of the file; UploadRefused (and the partial file dropped) if wrong."""
        writer = self._open_writer()
        if self._filename is None:
            if not filename or len(filename) > MAX_FILENAME_LENGTH:
                self.abort()
                raise UploadRefused("The file has no usable name.")
            self._filename = filename
        elif filename != self._filename:
            self.abort()
            raise UploadRefused("Upload one file: a dataset is one file.")
        self._size += len(data)
        try:
            writer.write(data)
        except ContentError as error:
            self.abort()
            raise UploadRefused(
                f"The file is larger than the {size_limit_text(self._settings)} a dataset "
                "may have here."
            ) from error

    def finish(self) -> UploadedFile:
        """Store what arrived; its facts (CID, sha-256, size, columns), or UploadRefused."""
        writer = self._open_writer()
        if self._filename is None:
            self.abort()
            raise UploadRefused(
                "No bytes arrived: choose the file again (an empty file cannot be a dataset)."
            )
        if self._size == 0:
            self.abort()
            raise UploadRefused("The file is empty: a dataset needs at least one byte.")
        stored = writer.commit()
        self._writer = None
        record_upload(uploads_ledger(self._settings), stored.cid)
        try:
            facts = stored_file_facts(self._store, stored.cid, self._settings.data_dir / "tmp")
        except ContentError as error:
            raise UploadRefused(f"This file cannot be used as a dataset: {error}") from error
        return UploadedFile(self._filename, facts)

    def abort(self) -> None:
        if self._writer is not None:
            self._writer.abort()
            self._writer = None

    def _open_writer(self) -> ContentWriter:
        if self._writer is None:
            raise UploadRefused("This upload is already finished; upload the file again.")
        return self._writer
