"""Memory per tab of the app's Reflex state tree, broken down by state class and var.

    .venv/bin/python benchmarks/session_memory.py [--tabs 100] [--top 25]
    .venv/bin/python benchmarks/session_memory.py --sockets 200 [--trace]

What a connected tab holds in a worker (without REDIS_URL Reflex's disk state manager
keeps every tab's whole state tree in memory for the token expiration, an hour): the
root state created with `_reflex_internal_init=True` (every substate of the app
instantiated), then `hydrate_and_load`'s `self.dict()` of the whole tree, which
stores each var's default (fields are filled on first read) and each cached
computed var's value on every instance. This script does exactly those two steps
for N tabs and measures them with tracemalloc, beside the same two steps for a
trivial Reflex state tree measured in the same run (a root with one int var): the
framework's floor.

`--sockets N` measures a served app instead (one worker, `reflex run`, an empty
SQLite index, no chain: under two minutes): N tabs connect to /proposals as
benchmarks/load.py's do (websocket, hydrate in the CONNECT packet, the feed's
on_load and its live follower), and the server's PSS growth per tab is printed.
With `--trace` the worker traces allocations while the tabs connect (PSS then
includes tracemalloc's records) and what they left is listed by package and line:
what a connected tab holds besides its state tree (socket.io/engine.io sessions,
Reflex's per-socket records, tasks).
benchmarks/load.py measures the full picture (1,000 tabs, seeded chain and data).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import sys
import time
import tracemalloc
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

KB = 1024


def tree(state: Any) -> Iterator[Any]:
    yield state
    for substate in state.substates.values():
        yield from tree(substate)


def measure(make: Callable[[], Any], tabs: int) -> tuple[float, float, list[Any]]:
    """Bytes per tab: creating the root state tree, then its full dict() (the hydrate)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    roots = [make() for _ in range(tabs)]
    gc.collect()
    created = tracemalloc.get_traced_memory()[0]
    for root in roots:
        root.dict()
    gc.collect()
    hydrated = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (created - before) / tabs, (hydrated - created) / tabs, roots


def per_var(roots: list[Any]) -> dict[tuple[str, str], float]:
    """Bytes per tab each stored value adds (var defaults, computed var caches), by state."""
    sizes: dict[tuple[str, str], float] = defaultdict(float)
    # Re-create and hydrate state by state, var by var, so each allocation is attributed.
    gc.collect()
    tracemalloc.start()
    for root in roots:
        for state in tree(root):
            name = type(state).__name__
            values = dict(vars(state))
            vars(state).clear()
            for key in values:
                before = tracemalloc.get_traced_memory()[0]
                _read(state, key)
                sizes[(name, key)] += tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return {key: size / len(roots) for key, size in sizes.items()}


def _read(state: Any, key: str) -> None:
    cls = type(state)
    field = cls.__fields__.get(key)
    if field is not None:
        field._get_raw(state)
        return
    # A computed var's cache attribute: recompute it through its var.
    for var in cls.computed_vars.values():
        if getattr(var, "_cache_attr", None) == key:
            getattr(state, var._name)
            return


# ---------- a served app, tabs connected over websockets ----------

# Loaded by every process of the traced server (PYTHONPATH): a thread that starts
# tracemalloc when "take-1" appears (just before the tabs connect: tracing the app's
# start would slow it several times) and writes what was allocated since and is still
# alive when "take-2" appears. A thread, because granian's workers may never run
# Python signal handlers while idle.
SITECUSTOMIZE = """
import gc, os, threading, time, tracemalloc
folder = os.environ.get("COOP_TRACE_DIR")
def _malloc_in_use():
    # glibc's bytes in use (arenas + mmapped chunks), Python's pymalloc arenas included;
    # allocations of native code with an allocator of its own are not in it.
    import ctypes
    class Info(ctypes.Structure):
        _fields_ = [(n, ctypes.c_size_t) for n in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost")]
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Info
    info = libc.mallinfo2()
    return f"{info.uordblks + info.hblkhd} {info.arena + info.hblkhd}"
if folder:
    def _watch():
        while True:
            time.sleep(0.5)
            names = os.listdir(folder)
            if not tracemalloc.is_tracing() and "take-1" in names:
                gc.collect()
                with open(os.path.join(folder, f"{os.getpid()}-1.malloc"), "w") as out:
                    out.write(_malloc_in_use())
                tracemalloc.start(6)
                open(os.path.join(folder, f"{os.getpid()}-1.done"), "w").close()
            elif tracemalloc.is_tracing() and "take-2" in names:
                gc.collect()
                stats = tracemalloc.take_snapshot().statistics("traceback")
                tracemalloc.stop()
                with open(os.path.join(folder, f"{os.getpid()}-2.malloc"), "w") as out:
                    out.write(_malloc_in_use())
                lines = []
                for stat in stats:
                    frames = [f"{f.filename}:{f.lineno}" for f in stat.traceback]
                    lines.append(f"{stat.size}\\t{stat.count}\\t{'|'.join(frames)}")
                path = os.path.join(folder, f"{os.getpid()}-2.diff")
                with open(path + ".part", "w") as out:
                    out.write("\\n".join(lines))
                os.rename(path + ".part", path)
                return
    def _start():
        threading.Thread(target=_watch, daemon=True).start()
    _start()
    os.register_at_fork(after_in_child=_start)  # forked workers get no threads
"""


# The floor under any Reflex tab: granian (Reflex's production server) holding a bare
# websocket that received one message of a hydrate frame's size.
BARE_WEBSOCKET_APP = """
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "open"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
"""


def bare_websocket_cost(work: Path, count: int) -> float:
    """PSS bytes per connection of granian serving `count` bare websockets."""
    import signal
    import subprocess

    import websockets

    from tests.e2e.app_server import free_port
    from tests.support.processes import descendant_pids, memory_bytes

    (work / "bare_ws.py").write_text(BARE_WEBSOCKET_APP)
    port = free_port()
    granian = Path(sys.executable).with_name("granian")
    command = [str(granian), "--interface", "asgi", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(
        [*command, "bare_ws:app"],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )

    def pss() -> int:
        return sum(memory_bytes(pid) for pid in [server.pid, *descendant_pids(server.pid)])

    async def connect() -> float:
        for _ in range(100):
            with contextlib.suppress(OSError):
                probe = await websockets.connect(f"ws://127.0.0.1:{port}/", ping_interval=None)
                await probe.close()
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.0)
        before = pss()
        sockets = []
        for _ in range(count):
            socket = await websockets.connect(f"ws://127.0.0.1:{port}/", ping_interval=None)
            await socket.recv()
            await socket.send(_connect_frame("/proposals/") + " " * 2000)
            sockets.append(socket)
        await asyncio.sleep(3.0)
        after = pss()
        for socket in sockets:
            await socket.close()
        return (after - before) / count

    try:
        return asyncio.run(connect())
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)


def _connect_frame(path: str) -> str:
    from reflex.state import State

    event = {
        "name": f"{State.get_full_name()}.hydrate_and_load",
        "payload": {},
        "router_data": {"pathname": path, "asPath": path, "query": {}},
    }
    return "40/_event," + json.dumps({"event": event}, separators=(",", ":"))


async def _open_tab(ws_url: str, frame: str, subprotocol: str) -> Any:
    import websockets

    token = str(uuid.uuid4())
    socket = await websockets.connect(
        f"{ws_url}/_event/?token={token}&EIO=4&transport=websocket",
        subprotocols=[websockets.Subprotocol(subprotocol)],
        max_size=None,
        open_timeout=60,
        ping_interval=None,
    )
    await socket.recv()  # Engine.IO open packet
    await socket.send(frame)
    hydrated = asyncio.Event()

    async def read() -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                if message == "2":  # Engine.IO ping: answer or the server drops us
                    await socket.send("3")
                elif '"is_hydrated_rx_state_":true' in message:
                    hydrated.set()

    reader = asyncio.create_task(read())
    await asyncio.wait_for(hydrated.wait(), 60)
    return socket, reader


async def _connect_and_measure(
    ws_url: str, count: int, measure_now: Callable[[], float]
) -> tuple[float, float]:
    from reflex_base import constants

    frame = _connect_frame("/proposals/")
    limit = asyncio.Semaphore(25)

    async def one() -> Any:
        async with limit:
            return await _open_tab(ws_url, frame, str(constants.Reflex.VERSION))

    await asyncio.sleep(3.0)
    before = measure_now()
    tabs = await asyncio.gather(*(one() for _ in range(count)))
    await asyncio.sleep(5.0)  # connect-time work done
    after = measure_now()
    for socket, reader in tabs:
        await socket.close()
        reader.cancel()
    return before, after


def serve_and_connect(count: int, trace: bool, top: int) -> None:
    import tempfile

    from tests.e2e.app_server import free_port, start_app_server
    from tests.support.processes import descendant_pids, memory_bytes

    with tempfile.TemporaryDirectory(prefix="coop-session-memory-") as tmp:
        work = Path(tmp)
        bare = bare_websocket_cost(work, count)
        print(f"baseline: granian holding {count} bare websockets, {bare / 1024:.1f} KB per socket")
        environment = {
            "DATABASE_URL": f"sqlite:///{work / 'coop.db'}",
            "COOP_DATA_DIR": str(work / "data"),
            "RPC_URL": f"http://127.0.0.1:{free_port()}",  # no chain: the feed reads SQL only
            "CHAIN_ID": "31337",
            "DEPLOYMENT": str(work / "no-deployment.json"),
            "INDEXER_IN_APP": "0",
        }
        trace_dir = work / "trace"
        if trace:
            site = work / "site"
            site.mkdir()
            (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
            trace_dir.mkdir()
            environment |= {
                "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
                "COOP_TRACE_DIR": str(trace_dir),
            }
        from coop_dashboard.db.migrations import upgrade_database

        upgrade_database(environment["DATABASE_URL"])
        # `reflex run --env prod` (one worker): `coop serve` refuses to start without a
        # deployment manifest, and no chain is needed to hold tabs.
        server = start_app_server(environment, name="session-memory", work_dir=work)
        taken = 0

        per_process: list[dict[int, int]] = []
        mappings: list[dict[int, dict[str, int]]] = []

        def pss() -> float:
            pids = [server.process.pid, *descendant_pids(server.process.pid)]
            per_process.append({pid: memory_bytes(pid) for pid in pids})
            mappings.append({pid: pss_by_mapping(pid) for pid in pids})
            return float(sum(per_process[-1].values()))

        def snapshot() -> float:
            nonlocal taken
            taken += 1
            (trace_dir / f"take-{taken}").touch()
            time.sleep(1.0)
            done = "*-1.done" if taken == 1 else "*-2.diff"
            while not any(trace_dir.glob(done)) or any(trace_dir.glob("*.part")):
                time.sleep(0.5)
            time.sleep(2.0)  # every traced process answers
            return pss()

        try:
            ws_url = server.url.replace("http://", "ws://")
            before, after = asyncio.run(
                _connect_and_measure(ws_url, count, snapshot if trace else pss)
            )
        finally:
            server.stop()
        label = " (traced: PSS includes tracemalloc's own records)" if trace else ""
        gone = sorted(set(per_process[0]) - set(per_process[-1]))
        if gone:
            # Their shared pages' PSS moved to the processes still sharing them.
            gone_mb = sum(per_process[0][pid] for pid in gone) / 2**20
            print(f"  {len(gone)} server processes exited meanwhile ({gone_mb:.0f} MB PSS before)")
        for pid, after_bytes in per_process[-1].items():
            grew = after_bytes - per_process[0].get(pid, 0)
            if abs(grew) > 2**20:
                print(f"  process {pid}: PSS +{grew / count / 1024:.1f} KB per tab")
                kinds = mappings[-1][pid]
                for kind in sorted(kinds, key=lambda k: -(kinds[k] - mappings[0][pid].get(k, 0))):
                    kind_grew = kinds[kind] - mappings[0][pid].get(kind, 0)
                    if kind_grew > count * 1024:
                        print(f"    {kind_grew / count / 1024:7.1f} KB  {kind}")
        print(
            f"{count} tabs on /proposals: server PSS +{(after - before) / 2**20:.1f} MB, "
            f"{(after - before) / count / 1024:.1f} KB per tab{label}"
        )
        if trace:
            _print_trace_growth(trace_dir, count, top)


def pss_by_mapping(pid: int) -> dict[str, int]:
    """PSS of `pid` by kind of mapping: [heap] (glibc's brk heap), anonymous mappings by
    size (pymalloc's arenas are 1 MiB; a native allocator's segments are bigger), files."""
    kinds: dict[str, int] = defaultdict(int)
    kind = "?"
    try:
        text = Path(f"/proc/{pid}/smaps").read_text()
    except OSError:
        return {}
    for line in text.splitlines():
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
            start, end = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else ""
            if name.startswith("/"):
                kind = "file " + Path(name).name
            elif name:
                kind = name
            else:
                size = end - start
                kind = (
                    "anon 1 MiB"
                    if size == 2**20
                    else f"anon ~{2 ** (size.bit_length() - 1) // 1024} KiB+"
                )
        elif fields[0] == "Pss:":
            kinds[kind] += int(fields[1]) * 1024
    return dict(kinds)


def _print_trace_growth(trace_dir: Path, count: int, top: int) -> None:
    """The traced process that grew most (the worker): its growth per tab, by place."""
    grown: list[tuple[int, list[tuple[int, list[str]]]]] = []
    for path in trace_dir.glob("*-2.diff"):
        stats = []
        for line in path.read_text().splitlines():
            size_text, _, frames_text = line.split("\t")
            stats.append((int(size_text), frames_text.split("|")))
        grown.append((sum(size for size, _ in stats), stats))
    total, stats = max(grown, key=lambda item: item[0])
    print(f"traced Python heap of the worker: +{total / count / 1024:.1f} KB per tab")
    for path in trace_dir.glob("*-2.malloc"):
        pid = path.name.split("-")[0]
        used_1, held_1 = map(int, (trace_dir / f"{pid}-1.malloc").read_text().split())
        used_2, held_2 = map(int, path.read_text().split())
        print(
            f"  process {pid}: glibc malloc in use +{(used_2 - used_1) / count / 1024:.1f} KB"
            f" per tab, held from the OS +{(held_2 - held_1) / count / 1024:.1f} KB"
            " (tracemalloc's own records included)"
        )
    by_package: dict[str, int] = defaultdict(int)
    for size, frames in stats:
        by_package[_package(frames)] += size
    for package, size in sorted(by_package.items(), key=lambda item: -item[1])[:15]:
        print(f"  {size / count / 1024:8.1f} KB  {package}")
    print(f"top {top} allocation sites per tab (innermost frame first):")
    for size, frames in sorted(stats, key=lambda item: -item[0])[:top]:
        shown = " <- ".join(_short(frame) for frame in frames[::-1][:4])
        print(f"  {size / count / 1024:8.1f} KB  {shown}")


def _short(filename: str) -> str:
    for marker in ("site-packages/", "coop_dashboard/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def _package(frames: list[str]) -> str:
    """The innermost frame's package that is not the standard library (its file for the app)."""
    for name in frames[::-1]:
        if "site-packages/" in name:
            return name.split("site-packages/", 1)[1].split("/", 1)[0]
        if "/coop_dashboard/" in name:
            return "coop_dashboard/" + name.split("/coop_dashboard/", 1)[1].split(":")[0]
    return _short(frames[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tabs", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sockets", type=int, default=0, help="serve the app, connect N tabs")
    parser.add_argument("--trace", action="store_true", help="with --sockets: tracemalloc")
    args = parser.parse_args()
    if args.sockets:
        serve_and_connect(args.sockets, args.trace, args.top)
        return

    import reflex as rx

    def app_root() -> Any:
        return rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]

    # Before the app is imported rx.State has only Reflex's own substates. One
    # unmeasured round first: Reflex fills per-class caches on the first instance.
    measure(app_root, 2)
    created, hydrated, roots = measure(app_root, args.tabs)
    count = sum(1 for _ in tree(roots[0]))
    print(
        f"Reflex alone ({count:>2} states): created {created / KB:6.1f} KB, "
        f"hydrated +{hydrated / KB:6.1f} KB per tab; total {(created + hydrated) / KB:6.1f} KB"
    )
    del roots

    import coop_dashboard.coop_dashboard  # noqa: F401  (registers every page and state)

    measure(app_root, 2)
    created, hydrated, roots = measure(app_root, args.tabs)
    count = sum(1 for _ in tree(roots[0]))
    print(
        f"the app     ({count:>2} states): created {created / KB:6.1f} KB, "
        f"hydrated +{hydrated / KB:6.1f} KB per tab; total {(created + hydrated) / KB:6.1f} KB"
    )

    sizes = per_var(roots[: min(len(roots), 50)])
    by_state: dict[str, float] = defaultdict(float)
    for (state, _), size in sizes.items():
        by_state[state] += size
    print(f"\nstored values per tab by state (sum {sum(sizes.values()) / KB:.1f} KB):")
    for state, size in sorted(by_state.items(), key=lambda item: -item[1]):
        if size >= 256:
            print(f"  {size / KB:8.1f} KB  {state}")
    print(f"\ntop {args.top} values per tab:")
    for (state, key), size in sorted(sizes.items(), key=lambda item: -item[1])[: args.top]:
        print(f"  {size / KB:8.1f} KB  {state}.{key}")


if __name__ == "__main__":
    main()
