"""Event-loop lag of the served app while a client sends the worst inputs it can (issue 9).

    .venv/bin/python benchmarks/event_loop.py [--seconds 30] [--votes 100000]

Serves the app as production does (`reflex run --env prod`, one worker) on a
freshly seeded local chain, plus one proposal with `--votes` votes written
straight into its index. A probe inside the server (COOP_LOOP_PROBE=1:
api/loop_probe.py) wakes every 10 ms and records how late it woke: what every
tab served by that worker waits on top of its own work. Two phases of the same
length, in the same run:

- idle: the same app, pages open, nobody typing (the baseline);
- attack: at the same time
  * CSV exports of the `--votes`-vote proposal, back to back (HTTP, as the
    page's CSV button downloads it);
  * a signed-in member pasting each pathological description (tests/support/
    markdown_cases.py, 20 KB each: `'!['*N`, `'['*N`, emphasis runs, empty
    links, 5,000-line lists and tables...) and an oversized one (`'!['*49000`,
    98 KB) into the proposal builder, whose preview renders it;
  * a second browser clicking "Sign in" again and again with a wallet that
    refuses to sign (each click asks the server for a sign-in challenge).

Prints p50 / p95 / p99 / max lag per phase and what the attack achieved.
Target: p99 < 50 ms under attack. Loopback only; stops by itself.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import httpx  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from sqlalchemy import text  # noqa: E402

from coop_dashboard.chain.compile import compile_contracts, load_artifacts  # noqa: E402
from coop_dashboard.db.engine import get_engine  # noqa: E402
from coop_dashboard.services.governance.export import votes_csv_path  # noqa: E402
from tests.e2e.app_server import AppServer, chain_settings, start_app_server  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.flows import sign_in  # noqa: E402
from tests.e2e.wallet import TestWallet, anvil_key, install_wallets  # noqa: E402
from tests.support.chains import CONTRACTS_DIR, start_seeded_chain  # noqa: E402
from tests.support.markdown_cases import WORST_CASES  # noqa: E402
from tests.support.votes import add_proposal_with_votes  # noqa: E402

MEMBER = 1  # Amara Okafor, a seeded member with voting power
FLOODER = 3
BIG_PROPOSAL_ID = 2**200 + 9
INDEX_TIMEOUT_S = 180.0
OVERSIZED = "![" * 49_000  # the example: 98 KB, ~2 s of rendering on the loop before


@dataclass
class Attack:
    exports: list[float] = field(default_factory=list)  # seconds per 100k-vote CSV
    export_bytes: int = 0
    keystrokes: int = 0
    sign_in_clicks: int = 0
    refused_sign_ins: int = 0
    errors: list[str] = field(default_factory=list)


def lag_ms(server: AppServer, *, reset: bool) -> list[float]:
    answer = httpx.get(f"{server.url}/api/loop-lag", params={"reset": "1" if reset else "0"})
    answer.raise_for_status()
    return [float(value) for value in answer.json()["lag_ms"]]


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)] if ordered else 0.0


def wait_until_indexed(database_url: str) -> None:
    """The in-app indexer has the seeded proposals (so the big one is not rewound away)."""
    engine = get_engine(database_url)
    deadline = time.monotonic() + INDEX_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with engine.connect() as connection:
                count = connection.execute(text("SELECT count(*) FROM gov_proposal")).scalar()
            if count and count >= 7:
                return
        except Exception:  # tables not there yet: the app migrates at start
            pass
        time.sleep(1.0)
    raise TimeoutError("the app did not index the seeded chain in time")


def export_loop(server: AppServer, stop: threading.Event, attack: Attack) -> None:
    url = server.url + votes_csv_path(BIG_PROPOSAL_ID)
    with httpx.Client(timeout=300) as client:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                response = client.get(url)
                response.raise_for_status()
            except httpx.HTTPError as exc:
                attack.errors.append(f"export: {exc}")
                return
            attack.exports.append(time.perf_counter() - started)
            attack.export_bytes = len(response.content)


# Playwright's fill() types multi-line text into a textarea line by line (5,000
# lines take minutes in headless Chromium): paste it as one input event instead.
_PASTE_JS = """([selector, text]) => {
  const area = document.querySelector(selector);
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
  setter.call(area, text);
  area.dispatchEvent(new Event("input", {bubbles: true}));
}"""


def paste_and_flood(
    page: Page | None, flood_page: Page | None, deadline: float, attack: Attack
) -> None:
    """Each pathological description pasted once, a sign-in click after each."""
    for description in [*WORST_CASES.values(), OVERSIZED]:
        if time.monotonic() >= deadline:
            return
        if page is not None:
            page.evaluate(_PASTE_JS, ["#builder-body", description])
            attack.keystrokes += 1
        if flood_page is not None:
            click_sign_in(flood_page, attack)
        else:
            time.sleep(0.05)


def click_sign_in(page: Page, attack: Attack) -> None:
    """One click on "Sign in" (the wallet refuses to sign), if the button is ready."""
    button = page.locator("#sign-in")
    if button.is_visible() and button.is_enabled():
        button.click(timeout=5_000)
        attack.sign_in_clicks += 1
    if page.get_by_text("Too many sign-in attempts").count():
        attack.refused_sign_ins += 1


def run_phase(server: AppServer, seconds: float, work: Callable[[float], None]) -> list[float]:
    lag_ms(server, reset=True)
    deadline = time.monotonic() + seconds
    work(deadline)
    while time.monotonic() < deadline:
        time.sleep(0.2)
    return lag_ms(server, reset=True)


def report(name: str, samples: list[float]) -> str:
    return (
        f"| {name} | {len(samples):,} | {statistics.median(samples):.1f} | "
        f"{quantile(samples, 0.95):.1f} | {quantile(samples, 0.99):.1f} | {max(samples):.1f} |"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--votes", type=int, default=100_000, help="votes on the exported proposal")
    parser.add_argument(
        "--parts",
        default="csv,paste,sign-in",
        help="what the attack sends (csv, paste, sign-in; comma-separated)",
    )
    args = parser.parse_args(argv)

    work_dir = Path(tempfile.mkdtemp(prefix="coop-event-loop-"))
    compile_contracts(CONTRACTS_DIR)
    chain = start_seeded_chain(load_artifacts(CONTRACTS_DIR / "out"), work_dir / "chain")
    database_url = f"sqlite:///{work_dir / 'app' / 'coop.db'}"
    env = {
        **chain_settings(chain),
        "COOP_DATA_DIR": str(work_dir / "app"),
        "DATABASE_URL": database_url,
        "COOP_LOOP_PROBE": "1",
    }
    server = start_app_server(env, name="event-loop", work_dir=work_dir / "server")
    try:
        wait_until_indexed(database_url)
        add_proposal_with_votes(get_engine(database_url), BIG_PROPOSAL_ID, args.votes)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            member_page = browser.new_context().new_page()
            member = TestWallet(chain.rpc_url, keys=[anvil_key(MEMBER)], chain_id=chain.chain_id)
            install_wallets(member_page, member)
            member_page.goto(f"{server.url}/proposals/new")
            sign_in(member_page, member)
            member_page.locator("#builder-body").wait_for(timeout=60_000)

            flood_page = browser.new_context().new_page()
            flooder = TestWallet(
                chain.rpc_url,
                keys=[anvil_key(FLOODER)],
                chain_id=chain.chain_id,
                rejecting={"personal_sign"},
            )
            install_wallets(flood_page, flooder)
            flood_page.goto(server.url)
            flood_page.locator("#connect-wallet").click()
            flood_page.locator("#sign-in").wait_for(timeout=60_000)

            idle = run_phase(server, args.seconds, lambda deadline: None)

            attack = Attack()
            stop = threading.Event()

            parts = set(args.parts.split(","))

            def attack_until(deadline: float) -> None:
                exporter = threading.Thread(target=export_loop, args=(server, stop, attack))
                if "csv" in parts:
                    exporter.start()
                try:
                    while time.monotonic() < deadline and parts & {"paste", "sign-in"}:
                        paste_and_flood(
                            member_page if "paste" in parts else None,
                            flood_page if "sign-in" in parts else None,
                            deadline,
                            attack,
                        )
                finally:
                    stop.set()
                    if exporter.is_alive():
                        exporter.join()

            try:
                attacked = run_phase(server, args.seconds, attack_until)
            except BaseException:
                member_page.screenshot(path=str(work_dir / "member.png"), full_page=True)
                print(f"screenshot: {work_dir / 'member.png'}; app log: {server.log_path}")
                raise
            browser.close()
    finally:
        server.stop()
        chain.stop()

    print(f"\nevent-loop lag of the app's worker (probe every 10 ms), {args.seconds:.0f} s each:\n")
    print("| phase | samples | p50 ms | p95 ms | p99 ms | max ms |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(report("idle (baseline)", idle))
    print(report("under attack", attacked))
    exports = attack.exports
    median_export = statistics.median(exports) if exports else 0.0
    print(
        f"\nattack: {len(exports)} CSV exports of {args.votes:,} votes "
        f"({attack.export_bytes / 1e6:.1f} MB, median {median_export:.1f} s each), "
        f"{attack.keystrokes} pasted descriptions (20-98 KB), "
        f"{attack.sign_in_clicks} sign-in clicks ({attack.refused_sign_ins} seen refused by the "
        "throttle)"
    )
    for error in attack.errors:
        print(f"error: {error}")
    p99 = quantile(attacked, 0.99)
    print(f"target p99 < 50 ms under attack: {'met' if p99 < 50 else 'NOT met'} ({p99:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
