"""A node's local journal: what it has done per job, written atomically after each
step, so a restarted node resumes where it stopped and never repeats a finished
step (the chain is asked again before anything is sent twice)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


class Journal:
    """`<dir>/journal.json`: {"last_block": n, "jobs": {job id: {step facts}}}."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "journal.json"
        self.state: dict[str, Any] = {"last_block": -1, "jobs": {}}
        if self.path.exists():
            self.state = json.loads(self.path.read_text())

    @property
    def last_block(self) -> int:
        return int(self.state["last_block"])

    def scanned(self, block: int) -> None:
        self.state["last_block"] = block
        self.save()

    def job(self, job_id: int) -> dict[str, Any] | None:
        entry = self.state["jobs"].get(str(job_id))
        return None if entry is None else dict(entry)

    def jobs(self) -> dict[int, dict[str, Any]]:
        return {int(k): dict(v) for k, v in self.state["jobs"].items()}

    def update(self, job_id: int, **facts: Any) -> dict[str, Any]:
        entry = self.state["jobs"].setdefault(str(job_id), {})
        entry.update(facts)
        self.save()
        return dict(entry)

    def save(self) -> None:
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w") as handle:
            json.dump(self.state, handle, sort_keys=True, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path)

    def file(self, name: str) -> Path:
        """A file the node keeps beside its journal (downloads, checkpoints)."""
        folder = self.directory / "files"
        folder.mkdir(exist_ok=True)
        return folder / name

    def keep(self, name: str, data: bytes) -> Path:
        """Write `data` to the kept file `name` whole or not at all."""
        target = self.file(name)
        temporary = target.with_suffix(target.suffix + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        return target
