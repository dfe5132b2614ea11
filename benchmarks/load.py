"""Load benchmark: simulated browser tabs speaking Reflex's socket.io protocol to the app.

    .venv/bin/python benchmarks/load.py [--configs one,scaled] [--users 50,100,300]
        [--scaled-users 300,600] [--idle 1000] [--seconds 20] [--profile DIR]

`--profile DIR` samples every server process with py-spy during each app click run
and the idle run (`pip install py-spy`; collapsed stacks, one file per configuration
and user count, idle threads included): where a click's (or an idle tab's) time goes.
`--users ""` skips the click runs (idle only).

No browser per user: one headless Chromium session is recorded first (Playwright's
websocket frame events) and its frames are replayed with a token of each tab's own:
the connect frame carrying the page's hydrate event (/proposals, a proposal page),
what the page sends after it, the feed controls' events (state filter, sort, search,
next/previous page), a client-side navigation to a proposal, and whatever the page
sends on its own while idle (a refresh timer, if the page has one). Data: 1,000
proposals and 100,000 votes (benchmarks/proposal_feed.py's builder) on a seeded
local chain.

For each configuration (`one`: `coop serve`, one worker, SQLite, state in process;
`scaled`: `coop serve --workers 2` + Redis + PostgreSQL, INDEXER_IN_APP=0) it prints
- click -> data p50/p95/p99: users clicking once a second (80 % on the feed, 20 %
  moving between proposal pages), from the click's frame to the frame carrying the
  view's new data (feed: its cards; proposal page: its view);
- the same for a trivial Reflex state served by the same server in the same run
  (coop_dashboard/benchmark_app.py: one int set by one event, no I/O);
- idle-tab cost: CPU % of one core used by the server while N tabs sit connected;
- memory per session: the server's PSS (+ Redis' used memory) growth per idle tab;
- the load generator's own CPU (it shares the machine's cores with the server).
Loopback only, bounded loops, stops by itself. Targets (issue 10): one worker, 300
users p95 < 100 ms, 1,000 idle tabs < 10 % of a core, < 0.3 MB per session;
scaled (2 workers), 600 users p95 < 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import websockets  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from redis import Redis  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.proposal_feed import fill  # noqa: E402
from coop_dashboard.benchmark_app import BenchmarkState  # noqa: E402
from coop_dashboard.chain.compile import compile_contracts, load_artifacts  # noqa: E402
from coop_dashboard.db.engine import get_engine  # noqa: E402
from coop_dashboard.db.migrations import upgrade_database  # noqa: E402
from tests.e2e.app_server import AppServer, chain_settings, start_app_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.support.chains import CONTRACTS_DIR, SeededChain, start_seeded_chain  # noqa: E402
from tests.support.databases import postgres_schema_url  # noqa: E402
from tests.support.processes import cpu_seconds, descendant_pids, memory_bytes  # noqa: E402
from tests.support.redis_db import redis_database_url  # noqa: E402

PREFIX = "42/_event,"
CONNECT_PREFIX = "40/_event,"
# The delta keys that carry a view's data (Reflex suffixes state vars with _rx_state_).
FEED_DATA = '"cards_rx_state_"'
PROPOSAL_DATA = '"view_rx_state_"'
TRIVIAL_DATA = '"clicks_rx_state_"'
CLICK_TIMEOUT_S = 30.0
CONNECTS_AT_ONCE = 25
FEED_STATES = ["all", "active", "defeated", "succeeded", "executed", "queued", "pending"]
FEED_SORTS = ["newest", "ending_soon", "most_votes"]
FEED_SEARCHES = ["", "gpu", "budget audit", "dataset", "model eval", ""]
# Share of users moving between proposal pages (the rest click the feed's controls).
PROPOSAL_SHARE = 0.2
MB = 1024 * 1024


# ---------- recording one real session ----------


@dataclass
class Recording:
    """Frames a Chromium tab sent, by phase of the session."""

    connect_feed: str = ""  # "40/_event,{auth with the hydrate event}" on /proposals
    connect_proposal: str = ""  # the same on a proposal page
    after_connect: list[str] = field(default_factory=list)  # sent once hydrated
    controls: dict[str, dict[str, Any]] = field(default_factory=dict)  # handler -> event
    navigation: list[dict[str, Any]] = field(default_factory=list)  # feed -> proposal
    idle: list[dict[str, Any]] = field(default_factory=list)  # sent while nobody clicks
    idle_seconds: float = 0.0


def record_session(url: str, proposal_path: str, idle_s: float = 12.0) -> Recording:
    """Drive one Chromium tab through the feed and a proposal page, keeping its frames."""
    phase = {"now": "load"}
    sent: list[tuple[str, str]] = []
    recording = Recording(idle_seconds=idle_s)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framesent",
                lambda frame: (
                    sent.append((phase["now"], frame)) if isinstance(frame, str) else None
                ),
            ),
        )
        page.goto(f"{url}/proposals")
        page.locator("#feed-list").wait_for(timeout=60_000)
        page.wait_for_timeout(1_500)
        phase["now"] = "idle"
        page.wait_for_timeout(idle_s * 1000)
        phase["now"] = "controls"
        page.locator("#feed-state").select_option(label="Defeated")
        page.wait_for_timeout(800)
        page.locator("#feed-sort").select_option(label="Most votes")
        page.wait_for_timeout(800)
        page.locator("#feed-state").select_option(label="All states")
        page.wait_for_timeout(800)
        page.locator("#feed-next").click()
        page.wait_for_timeout(800)
        page.locator("#feed-previous").click()
        page.wait_for_timeout(800)
        page.locator("#feed-search").fill("gpu")
        page.wait_for_timeout(1_500)
        phase["now"] = "navigate"
        page.locator("#feed-list a").first.click()
        page.locator("#proposal-title").wait_for(timeout=30_000)
        page.wait_for_timeout(1_500)
        phase["now"] = "proposal"
        page.goto(f"{url}{proposal_path}")
        page.locator("#proposal-title").wait_for(timeout=30_000)
        page.wait_for_timeout(1_000)
        browser.close()
    for when, frame in sent:
        if frame.startswith(CONNECT_PREFIX):
            if when == "load":
                recording.connect_feed = frame
            elif when == "proposal":
                recording.connect_proposal = frame
            continue
        if not frame.startswith(PREFIX):
            continue
        event = json.loads(frame[len(PREFIX) :])[1]
        handler = _handler(event)
        if when == "load":
            recording.after_connect.append(frame)
        elif when == "idle":
            recording.idle.append(event)
        elif when == "controls":
            recording.controls.setdefault(handler, event)
        elif when == "navigate":
            recording.navigation.append(event)
    if not recording.connect_feed or not recording.connect_proposal:
        raise RuntimeError("the recorded session never connected its socket")
    return recording


def _handler(event: dict[str, Any]) -> str:
    """The event handler's own name (the state path dropped)."""
    return str(event["name"]).rsplit(".", 1)[-1]


def _event_frame(event: dict[str, Any]) -> str:
    return PREFIX + json.dumps(["event", event], separators=(",", ":"))


def _with_path(event: dict[str, Any], path: str, proposal_id: str | None) -> dict[str, Any]:
    routed = dict(event)
    router: dict[str, Any] = {"pathname": path, "asPath": path}
    if proposal_id is not None:
        router["query"] = {"proposal_id": proposal_id}
    routed["router_data"] = router
    return routed


def _connect_frame(recorded: str, path: str, proposal_id: str | None) -> str:
    auth = json.loads(recorded[len(CONNECT_PREFIX) :])
    auth["event"] = _with_path(auth["event"], path, proposal_id)
    return CONNECT_PREFIX + json.dumps(auth, separators=(",", ":"))


# ---------- one simulated tab ----------


class Tab:
    """A websocket speaking Engine.IO 4 / Socket.IO 5 as Reflex's frontend does."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url = ws_url
        self.token = str(uuid.uuid4())
        self.socket: Any = None
        self.reader: asyncio.Task[None] | None = None
        self.waiting: tuple[str, asyncio.Future[float]] | None = None
        self.hydrated = asyncio.Event()

    async def open(self, connect_frame: str, after_connect: list[str]) -> None:
        self.socket = await websockets.connect(
            f"{self.ws_url}/_event/?token={self.token}&EIO=4&transport=websocket",
            subprotocols=[websockets.Subprotocol(reflex_version())],
            max_size=None,
            open_timeout=60,
            ping_interval=None,
        )
        await self.socket.recv()  # Engine.IO open packet
        await self.socket.send(connect_frame)
        self.reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self.hydrated.wait(), 60)
        for frame in after_connect:
            await self.socket.send(frame)

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in self.socket:
                if message == "2":  # Engine.IO ping: answer or the server drops us
                    await self.socket.send("3")
                    continue
                if not self.hydrated.is_set() and '"is_hydrated_rx_state_":true' in message:
                    self.hydrated.set()
                waiting = self.waiting
                if waiting is not None and waiting[0] in message and not waiting[1].done():
                    waiting[1].set_result(time.perf_counter())

    async def click(self, events: list[dict[str, Any]], data_key: str) -> float:
        """Send what one click sends; seconds until a frame carrying `data_key` arrives."""
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting = (data_key, done)
        started = time.perf_counter()
        for event in events:
            await self.socket.send(_event_frame(event))
        try:
            return await asyncio.wait_for(done, CLICK_TIMEOUT_S) - started
        finally:
            self.waiting = None

    async def send(self, event: dict[str, Any]) -> None:
        await self.socket.send(_event_frame(event))

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self.reader is not None:
            self.reader.cancel()


def reflex_version() -> str:
    from reflex_base import constants

    return str(constants.Reflex.VERSION)


# ---------- users ----------


@dataclass
class Scenario:
    recording: Recording
    proposal_ids: list[str]
    ws_url: str
    proposal_share: float = PROPOSAL_SHARE


def _feed_click(recording: Recording, rng: random.Random) -> dict[str, Any]:
    handler = rng.choice(sorted(recording.controls))
    event = json.loads(json.dumps(recording.controls[handler]))
    values = {"set_state_filter": FEED_STATES, "set_sort": FEED_SORTS, "set_search": FEED_SEARCHES}
    if handler in values and "payload" in event:
        event["payload"] = {**event["payload"], "value": rng.choice(values[handler])}
    return _with_path(event, "/proposals/", None)


def _proposal_clicks(scenario: Scenario, rng: random.Random) -> list[dict[str, Any]]:
    proposal_id = rng.choice(scenario.proposal_ids)
    path = f"/proposals/{proposal_id}"
    return [_with_path(event, path, proposal_id) for event in scenario.recording.navigation]


async def open_tab(scenario: Scenario, on_proposal: bool, rng: random.Random) -> Tab:
    tab = Tab(scenario.ws_url)
    if on_proposal:
        proposal_id = rng.choice(scenario.proposal_ids)
        frame = _connect_frame(
            scenario.recording.connect_proposal, f"/proposals/{proposal_id}", proposal_id
        )
    else:
        frame = _connect_frame(scenario.recording.connect_feed, "/proposals/", None)
    await tab.open(frame, scenario.recording.after_connect)
    return tab


async def open_tabs(scenario: Scenario, count: int, seed: int) -> list[Tab]:
    rng = random.Random(seed)
    limit = asyncio.Semaphore(CONNECTS_AT_ONCE)

    async def one(index: int) -> Tab:
        async with limit:
            return await open_tab(scenario, index < count * scenario.proposal_share, rng)

    opened = await asyncio.gather(*(one(i) for i in range(count)), return_exceptions=True)
    tabs = [tab for tab in opened if isinstance(tab, Tab)]
    if len(tabs) < count:
        failed = next(error for error in opened if not isinstance(error, Tab))
        print(f"  only {len(tabs)} of {count} tabs connected ({failed!r})", flush=True)
    return tabs


async def click_loop(
    tab: Tab,
    scenario: Scenario,
    on_proposal: bool,
    trivial: bool,
    seconds: float,
    rng: random.Random,
    latencies: dict[str, list[float]],
    failures: list[str],
) -> None:
    """Click once a second (never before the previous click's data arrived)."""
    await asyncio.sleep(rng.random())  # users do not click in lockstep
    deadline = time.perf_counter() + seconds
    clicks = 0
    while time.perf_counter() < deadline:
        tick = time.perf_counter()
        clicks += 1
        try:
            if trivial:
                event = {
                    "name": f"{BenchmarkState.get_full_name()}.click",
                    "payload": {"value": clicks},
                    "router_data": {"pathname": "/proposals/", "asPath": "/proposals/"},
                }
                latencies["trivial state"].append(await tab.click([event], TRIVIAL_DATA))
            elif on_proposal:
                clicked = await tab.click(_proposal_clicks(scenario, rng), PROPOSAL_DATA)
                latencies["proposal page"].append(clicked)
            else:
                feed_click = [_feed_click(scenario.recording, rng)]
                latencies["feed"].append(await tab.click(feed_click, FEED_DATA))
        except (TimeoutError, websockets.ConnectionClosed) as error:
            failures.append(type(error).__name__)
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))


async def idle_loop(tab: Tab, recording: Recording, seconds: float) -> None:
    """Send what the recorded page sent by itself while idle, at the same rate."""
    if not recording.idle:
        return
    period = recording.idle_seconds / len(recording.idle)
    deadline = time.perf_counter() + seconds
    await asyncio.sleep(random.random() * period)
    index = 0
    while time.perf_counter() < deadline:
        await tab.send(_with_path(recording.idle[index % len(recording.idle)], "/proposals/", None))
        index += 1
        await asyncio.sleep(period)


# ---------- measuring the server ----------


def server_pids(server: AppServer) -> list[int]:
    return [server.process.pid, *descendant_pids(server.process.pid)]


def server_cpu(server: AppServer) -> float:
    return sum(cpu_seconds(pid) for pid in server_pids(server))


def server_memory(server: AppServer, redis_url: str | None) -> int:
    total = sum(memory_bytes(pid) for pid in server_pids(server))
    if redis_url:
        client = Redis.from_url(redis_url)
        total += int(client.info("memory")["used_memory"])
        client.close()
    return total


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@dataclass
class ClickResult:
    users: int
    latencies: dict[str, list[float]]  # kind of click -> seconds
    failures: list[str]
    server_cpu_pct: float
    generator_cpu_pct: float

    def lines(self) -> list[str]:
        failed = f", {len(self.failures)} timed out" if self.failures else ""
        lines = []
        for kind, seconds in sorted(self.latencies.items()):
            ms = [x * 1000 for x in seconds]
            lines.append(
                f"{self.users:>6} users  {kind:<16} clicks {len(ms):>6}  "
                f"p50 {percentile(ms, 0.5):>7.1f}  p95 {percentile(ms, 0.95):>7.1f}  "
                f"p99 {percentile(ms, 0.99):>7.1f} ms"
            )
        lines[-1] += (
            f"  | server CPU {self.server_cpu_pct:.0f} %, generator CPU "
            f"{self.generator_cpu_pct:.0f} %{failed}"
        )
        return lines


# --profile-gil: set once by main().
_profile_gil = False


def start_profiler(server: AppServer, seconds: float, out: Path) -> subprocess.Popen[bytes] | None:
    """py-spy sampling every worker of the server for `seconds` (collapsed stacks to `out`).

    With --profile-gil, only the thread holding the GIL, i.e. where Python's CPU goes.
    Without it every thread is sampled, idle or not, and a thread waiting for the GIL
    inside a database call looks as busy as one computing.
    """
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        print("  (py-spy not installed: no profile)", flush=True)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    command = [py_spy, "record", "--pid", str(server.process.pid), "--subprocesses"]
    command += ["--gil"] if _profile_gil else ["--idle"]
    command += ["--rate", "50", "--duration", str(int(seconds)), "--format", "raw"]
    command += ["--output", str(out), "--nonblocking"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def run_clicks(
    scenario: Scenario,
    server: AppServer,
    users: int,
    trivial: bool,
    seconds: float,
    profile: Path | None = None,
) -> ClickResult:
    tabs = await open_tabs(scenario, users, seed=users)
    latencies: dict[str, list[float]] = defaultdict(list)
    failures: list[str] = []
    rng = random.Random(users)
    await asyncio.sleep(2.0)  # let the hydrates settle
    cpu_before, wall_before = server_cpu(server), time.perf_counter()
    own_before = time.process_time()
    profiler = None if profile is None else start_profiler(server, seconds, profile)
    try:
        await asyncio.gather(
            *(
                click_loop(
                    tab,
                    scenario,
                    index < users * scenario.proposal_share,
                    trivial,
                    seconds,
                    rng,
                    latencies,
                    failures,
                )
                for index, tab in enumerate(tabs)
            ),
            *(idle_loop(tab, scenario.recording, seconds) for tab in tabs if not trivial),
        )
        wall = time.perf_counter() - wall_before
        server_pct = 100 * (server_cpu(server) - cpu_before) / wall
        own_pct = 100 * (time.process_time() - own_before) / wall
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))
        if profiler is not None:
            await asyncio.to_thread(profiler.wait)
    return ClickResult(users, dict(latencies), failures, server_pct, own_pct)


async def run_idle(
    scenario: Scenario,
    server: AppServer,
    count: int,
    seconds: float,
    redis_url: str | None,
    profile: Path | None = None,
) -> str:
    await asyncio.sleep(3.0)
    memory_before = server_memory(server, redis_url)
    tabs = await open_tabs(scenario, count, seed=7)
    try:
        await asyncio.sleep(5.0)  # connect-time work done
        memory_after = server_memory(server, redis_url)
        cpu_before, wall_before = server_cpu(server), time.perf_counter()
        profiler = None if profile is None else start_profiler(server, seconds, profile)
        await asyncio.gather(*(idle_loop(tab, scenario.recording, seconds) for tab in tabs))
        await asyncio.sleep(max(0.0, seconds - (time.perf_counter() - wall_before)))
        wall = time.perf_counter() - wall_before
        idle_pct = 100 * (server_cpu(server) - cpu_before) / wall
        if profiler is not None:
            await asyncio.to_thread(profiler.wait)
    finally:
        await asyncio.gather(*(tab.close() for tab in tabs))
    per_session = (memory_after - memory_before) / count / MB
    timer = (
        f"the page sends {len(scenario.recording.idle)} events per "
        f"{scenario.recording.idle_seconds:.0f} s while idle"
        if scenario.recording.idle
        else "the page sends nothing while idle"
    )
    return (
        f"{count:>6} idle tabs: server CPU {idle_pct:.1f} % of one core over {wall:.0f} s "
        f"({timer}); memory {per_session:.3f} MB per session "
        f"({(memory_after - memory_before) / MB:.0f} MB for {count})"
    )


# ---------- the configurations ----------


@dataclass
class Deployment:
    name: str
    server: AppServer
    redis_url: str | None


def _fill_database(url: str) -> list[str]:
    upgrade_database(url)
    engine = get_engine(url)
    started = time.perf_counter()
    fill(engine, 1_000, 100_000, 500)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    # Busiest first, then by creation: ids[0] (the proposal page of page_speed.py and
    # of the recorded session) is the same proposal in every run, and the heaviest
    # page (most vote rows). Unordered, it was whichever row the database met first.
    busiest_first = text(
        "SELECT p.proposal_id FROM gov_proposal p"
        " LEFT JOIN gov_vote v ON v.proposal_id = p.proposal_id"
        " GROUP BY p.proposal_id, p.block_number, p.log_index"
        " ORDER BY count(v.proposal_id) DESC, p.block_number, p.log_index"
    )
    with engine.connect() as connection:
        ids = [str(row[0]) for row in connection.execute(busiest_first)]
    print(f"  filled 1,000 proposals, 100,000 votes in {time.perf_counter() - started:.0f} s")
    return ids


@contextlib.contextmanager
def deployment(name: str, chain: SeededChain, work: Path) -> Iterator[tuple[Deployment, list[str]]]:
    """`one` or `scaled`, filled and served."""
    stack = contextlib.ExitStack()
    with stack:
        environment = {
            **chain_settings(chain),
            "COOP_DATA_DIR": str(work / name / "data"),
            # Only the synthetic rows: no indexer rewrites them from the chain.
            "INDEXER_IN_APP": "0",
            "REFLEX_APP_MODULE_IMPORT": "coop_dashboard.benchmark_app",
        }
        redis_url = None
        workers = "1"
        if name == "scaled":
            database_url = stack.enter_context(postgres_schema_url("load"))
            redis_url = stack.enter_context(redis_database_url())
            environment["REDIS_URL"] = redis_url
            workers = "2"
        else:
            database_url = f"sqlite:///{work / name / 'coop.db'}"
            (work / name).mkdir(parents=True, exist_ok=True)
        environment["DATABASE_URL"] = database_url
        ids = _fill_database(database_url)
        server = start_app_server(
            environment,
            name=f"load-{name}",
            work_dir=work / name,
            coop_serve_args=["--workers", workers],
        )
        stack.callback(server.stop)
        print(f"  served at {server.url} ({workers} worker(s)) after {server.startup_s:.0f} s")
        yield Deployment(name, server, redis_url), ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--configs", default="one,scaled")
    parser.add_argument("--users", default="50,100,300", help="users for the one-worker runs")
    parser.add_argument("--scaled-users", default="300,600", help="users for the scaled runs")
    parser.add_argument(
        "--proposal-share",
        type=float,
        default=PROPOSAL_SHARE,
        help="share of users moving between proposal pages (0: everyone clicks the feed)",
    )
    parser.add_argument("--idle", type=int, default=1_000, help="idle tabs (0: skip)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="folder: py-spy samples the server during each app click run (collapsed stacks)",
    )
    parser.add_argument(
        "--profile-gil",
        action="store_true",
        help="with --profile: sample only the thread holding the GIL (where Python's CPU goes)",
    )
    args = parser.parse_args(argv)
    global _profile_gil
    _profile_gil = args.profile_gil

    compile_contracts(CONTRACTS_DIR)
    with tempfile.TemporaryDirectory(prefix="coop-load-") as tmp:
        work = Path(tmp)
        chain = start_seeded_chain(load_artifacts(CONTRACTS_DIR / "out"), work / "chain")
        try:
            for name in args.configs.split(","):
                print(f"configuration {name!r}:")
                with deployment(name, chain, work) as (served, ids):
                    url = served.server.url
                    recording = record_session(url, f"/proposals/{ids[0]}")
                    print(
                        f"  recorded a Chromium session: {len(recording.controls)} feed controls "
                        f"({', '.join(sorted(recording.controls))}), "
                        f"{len(recording.navigation)} events on a click to a proposal "
                        f"({', '.join(_handler(e) for e in recording.navigation)}), "
                        f"{len(recording.idle)} idle events in {recording.idle_seconds:.0f} s"
                    )
                    scenario = Scenario(
                        recording, ids, url.replace("http://", "ws://"), args.proposal_share
                    )
                    counts = args.users if name == "one" else args.scaled_users
                    for users in [int(x) for x in counts.split(",") if x]:
                        for trivial in (False, True):
                            profile = (
                                None
                                if args.profile is None or trivial
                                else args.profile / f"{name}-{users}.txt"
                            )
                            result = asyncio.run(
                                run_clicks(
                                    scenario, served.server, users, trivial, args.seconds, profile
                                )
                            )
                            for line in result.lines():
                                print("  " + line, flush=True)
                    if args.idle > 0:
                        line = asyncio.run(
                            run_idle(
                                scenario,
                                served.server,
                                args.idle,
                                args.seconds,
                                served.redis_url,
                                None if args.profile is None else args.profile / f"{name}-idle.txt",
                            )
                        )
                        print("  " + line, flush=True)
        finally:
            chain.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
