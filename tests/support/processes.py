"""Processes seen through /proc (Linux): children, CPU time, memory. For tests and benchmarks
that kill or measure the app's worker processes."""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name sits in parentheses and may hold spaces: split after it.
    return raw[raw.rindex(")") + 2 :].split()


def child_pids(pid: int) -> list[int]:
    """The direct children of `pid` (empty if it is gone)."""
    children: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry.name))[1]) == pid:
                children.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue  # exited while we looked
    return sorted(children)


def descendant_pids(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...)."""
    found: list[int] = []
    frontier = [pid]
    while frontier:
        children = [child for parent in frontier for child in child_pids(parent)]
        found.extend(children)
        frontier = children
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` has used so far (0.0 if it is gone)."""
    try:
        fields = _stat_fields(pid)
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def memory_bytes(pid: int) -> int:
    """Proportional set size (PSS: shared pages divided among their users) of `pid`,
    or its RSS where smaps_rollup is unavailable; 0 if it is gone."""
    for path, key in ((f"/proc/{pid}/smaps_rollup", "Pss:"), (f"/proc/{pid}/status", "VmRSS:")):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0
